"""`vigil stream`: the Bytewax dataflows over the landing zone."""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.settings import get_settings


def run_stream(args: argparse.Namespace) -> int:
    from streams.runner import run_news2

    settings = get_settings()
    vitals = Path(args.input) if args.input else settings.landing_dir / "vitals"
    out = Path(args.out) if args.out else settings.stream_dir
    result = run_news2(vitals, out, workers=args.workers)
    counts = ", ".join(f"{kind}: {rows:,}" for kind, rows in result.counts.items())
    print(f"records in: {result.records_in:,}; {counts}")
    print(f"outputs: {out / 'news2'}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "stream",
        help="run the NEWS2 early-warning dataflow over the landed vitals",
        description="Replay the landed vitals through the NEWS2 Bytewax dataflow; write "
        "scores, alerts and dead letters as Parquet.",
    )
    parser.add_argument("--input", help="vitals folder (default $VIGIL_HOME/landing/vitals)")
    parser.add_argument("--out", help="output folder (default $VIGIL_HOME/landing/streams)")
    parser.add_argument(
        "--workers", type=int, default=1, help="Bytewax workers in this process (default 1)"
    )
    parser.set_defaults(handler=run_stream)
