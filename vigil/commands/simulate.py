"""`vigil simulate`: a seeded hospital network into the landing zone."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
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
    from simulator.landing import print_progress
    from vigil import pipeline

    settings = get_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    truth = settings.home / "ground_truth"
    started = time.perf_counter()
    config = pipeline.network_config(
        args.hospitals, args.days, args.start, args.seed, args.scenario
    )
    print(
        f"simulating {config.hospitals} hospitals x {config.days} days from {config.start} "
        f"(seed {config.seed}, scenarios: "
        f"{', '.join(f'{s.name}@{s.start}' for s in config.scenarios) or 'baseline'})",
        file=sys.stderr,
    )
    counts = pipeline.simulate(config, out, truth, progress=print_progress)
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    print(f"{total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} events/s)")
    print(f"landing zone: {out}\nground truth: {truth}")
    if args.device_stream_beds:
        _device_stream(args, config, out)
    return 0


def _device_stream(args: argparse.Namespace, config, out: Path) -> None:
    import pyarrow.parquet as pq

    from simulator.devices import StreamConfig, device_stream_batches

    drift = config.scenario("device_drift")
    stream = StreamConfig(
        beds=args.device_stream_beds,
        start=datetime.combine(config.start, datetime.min.time()),
        minutes=args.device_stream_minutes or config.days * 1440,
        interval_seconds=args.device_stream_interval,
        seed=config.seed,
        drift_from=datetime.combine(drift.start, datetime.min.time()) if drift else None,
    )
    started = time.perf_counter()
    target = out / "device_stream" / "part-0.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    writer = None
    # Batch by batch: hundreds of millions of readings never sit in memory at once.
    for batch in device_stream_batches(stream):
        if writer is None:
            writer = pq.ParquetWriter(target, batch.schema, compression="zstd")
        writer.write_batch(batch)
        rows += batch.num_rows
    if writer is not None:
        writer.close()
    seconds = time.perf_counter() - started
    print(
        f"device stream: {rows:,} readings in {seconds:.1f} s "
        f"({rows / seconds:,.0f} readings/s, incl. writing) -> {target}"
    )


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "simulate",
        help="simulate a hospital network into the landing zone",
        description="Simulate a seeded hospital network and write its feeds as Parquet "
        "to the landing zone (partitioned by feed and day), a time-ordered replay, and "
        "the ground truth beside it.",
    )
    network_options(parser, days=30)
    parser.add_argument("--out", help="landing folder (default $VIGIL_HOME/landing)")
    parser.add_argument(
        "--scenario",
        default="",
        help="scenarios, NAME[@YYYY-MM-DD][:DAYS] comma-separated: baseline, surge, "
        "case_mix_drift, device_drift, interface_outage (default start: mid-window)",
    )
    parser.add_argument(
        "--device-stream-beds",
        type=int,
        default=0,
        help="also write the bedside-monitor device stream for this many beds",
    )
    parser.add_argument(
        "--device-stream-minutes",
        type=int,
        default=0,
        help="device-stream window in minutes (default: the whole simulated window)",
    )
    parser.add_argument(
        "--device-stream-interval",
        type=int,
        default=60,
        help="seconds between readings of a parameter (default 60; 1 for load tests)",
    )
    parser.set_defaults(handler=run)
