"""Simulator speed: a year of a 5-hospital network, and the device stream's readings/s.

1. Wall time to simulate 5 hospitals x 365 days (all feeds, charted vitals) and write
   the landing zone (goal: 60 s or less on this machine), split into simulation and
   Parquet writing, with rows per second.
2. Device-stream readings generated per second on one core (goal: 5 M/s or more),
   median of several runs, against a baseline measured in the same run: the same
   readings produced by a Python loop, one reading at a time.

    .venv/bin/python benchmarks/bench_simulator.py [--hospitals 5 --days 365]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from simulator.config import NetworkConfig  # noqa: E402
from simulator.devices import BASELINE, NOISE, PARAMETERS, StreamConfig, device_stream  # noqa: E402
from simulator.landing import write_landing  # noqa: E402
from simulator.network import simulate  # noqa: E402


def bench_network(hospitals: int, days: int) -> None:
    config = NetworkConfig(hospitals=hospitals, days=days, seed=7)
    started = time.perf_counter()
    tables = simulate(config)
    simulated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        started = time.perf_counter()
        counts = write_landing(tables, Path(tmp) / "landing", Path(tmp) / "truth")
        written = time.perf_counter() - started
        files = sum(1 for _ in Path(tmp).rglob("*.parquet"))
    rows = sum(counts.values())
    total = simulated + written
    print(f"network {hospitals} hospitals x {days} days, all feeds, charted vitals")
    print(f"  simulate        {simulated:8.1f} s")
    print(f"  write Parquet   {written:8.1f} s   ({files:,} files)")
    print(f"  total           {total:8.1f} s   goal <= 60 s: {'met' if total <= 60 else 'NOT met'}")
    print(f"  rows            {rows:,} ({rows / total:,.0f} rows/s)")
    for feed in ("ed_visits", "encounters", "vitals", "lab_results", "claims", "device_heartbeats"):
        print(f"    {feed:<18} {counts[feed]:>12,}")


def python_loop_readings(n: int, seed: int = 7) -> list[tuple[int, int, int, float]]:
    """Baseline: one reading at a time in Python (what vectorization replaces)."""
    rnd = random.Random(seed)
    out = []
    beds = 100
    for i in range(n):
        step, rest = divmod(i, beds * len(PARAMETERS))
        bed, parameter = divmod(rest, len(PARAMETERS))
        value = float(BASELINE[parameter]) + rnd.gauss(0, float(NOISE[parameter]))
        out.append((step * 60, bed, parameter, value))
    return out


def bench_device_stream(repeats: int) -> None:
    config = StreamConfig(beds=1000, minutes=600, interval_seconds=10)
    n = (config.minutes * 60 // config.interval_seconds) * config.beds * len(PARAMETERS)
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        table = device_stream(config)
        rates.append(table.num_rows / (time.perf_counter() - started))
        del table
    baseline_n = 300_000
    started = time.perf_counter()
    python_loop_readings(baseline_n)
    baseline_rate = baseline_n / (time.perf_counter() - started)
    median = statistics.median(rates)
    print(
        f"device stream: {config.beds} beds x {config.minutes} min, "
        f"every {config.interval_seconds} s"
    )
    print(f"  readings per run          {n:,}")
    print(f"  vectorized (median of {repeats})  {median / 1e6:8.2f} M readings/s on one core")
    print(f"  Python loop baseline      {baseline_rate / 1e6:8.2f} M readings/s")
    print(f"  ratio                     {median / baseline_rate:8.1f}x")
    print(f"  goal >= 5 M/s: {'met' if median >= 5e6 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-network", action="store_true")
    args = parser.parse_args()
    bench_device_stream(args.repeats)
    if not args.skip_network:
        bench_network(args.hospitals, args.days)


if __name__ == "__main__":
    main()
