"""`vigil simulate`: a seeded hospital network into the landing zone."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from vigil.settings import get_settings


def network_options(parser: argparse.ArgumentParser, days: int) -> None:
    """Options shared by every command that simulates a network."""
    parser.add_argument(
        "--hospitals", type=int, default=2, help="hospitals in the network (default 2)"
    )
    parser.add_argument("--days", type=int, default=days, help=f"days to simulate (default {days})")
    parser.add_argument(
        "--start", type=date.fromisoformat, default=date(2025, 1, 1), help="first day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="random seed; same seed, same files (default 7)"
    )


def run(args: argparse.Namespace) -> int:
    from vigil import pipeline

    settings = get_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    config = pipeline.network_config(args.hospitals, args.days, args.start, args.seed)
    counts = pipeline.simulate(config, out, settings.home / "ground_truth")
    for feed, rows in counts.items():
        print(f"  {feed:<28} {rows:>10,} rows")
    print(f"landing zone: {out}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "simulate",
        help="simulate a hospital network into the landing zone",
        description="Simulate a seeded hospital network and write its feeds as Parquet "
        "to the landing zone.",
    )
    network_options(parser, days=30)
    parser.add_argument("--out", help="landing folder (default $VIGIL_HOME/landing)")
    parser.set_defaults(handler=run)
