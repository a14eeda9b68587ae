"""Cost per point of the operational-anomaly (AIOps) flow: per point vs columnar batches.

    .venv/bin/python benchmarks/bench_ops_stream.py --home $VIGIL_HOME [--points 100000]
        [--repeats 3] [--batch-rows 100000]

Input: the landed ``interface_metrics`` and ``device_heartbeats`` of ``--home`` (e.g.
``vigil simulate --days 90``), as the time-ordered points of every series
(:func:`streams.ops_batch.metric_frame`). On the first ``--points`` of them, in the same
run, medians over ``--repeats``:

1. the per-point flow (:func:`streams.ops_flow.build_point_flow`, one point per item,
   replayed 5,000 items per source read, as ``run_ops`` did before);
2. the batched flow (:func:`streams.ops_flow.build_flow`, columnar micro-batches of
   ``--batch-rows`` points, one run per series per batch);

both into a Parquet sink, and checks that their outputs are identical. Then the batched
flow over every point (what ``vigil demo`` runs). Input preparation (reading Parquet,
building records or batches) is outside the timed part.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bytewax.run import cli_main  # noqa: E402

from streams.census_flow import RecordReplaySource  # noqa: E402
from streams.connectors import ParquetSink  # noqa: E402
from streams.ops_batch import metric_batches, metric_frame  # noqa: E402
from streams.ops_flow import OPS_KINDS, build_flow, build_point_flow  # noqa: E402


def point_records(frame: pd.DataFrame) -> list[dict]:
    records = frame.to_dict("records")
    for record in records:
        record["at"] = record["at"].to_pydatetime()
        record["value"] = None if pd.isna(record["value"]) else record["value"]
    ends = frame[["series", "metric"]].drop_duplicates().itertuples(index=False)
    return records + [{"series": s, "metric": m, "is_end": True} for s, m in ends]


def timed(build, out: Path) -> float:
    started = time.perf_counter()
    cli_main(build(ParquetSink(out, kinds=OPS_KINDS)))
    return time.perf_counter() - started


def landed(out: Path) -> dict[str, pd.DataFrame]:
    found = {}
    for kind in OPS_KINDS:
        if (out / kind).exists():
            frame = pd.read_parquet(out / kind)
            keys = [c for c in ("series", "at", "started_at", "reason") if c in frame]
            found[kind] = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", required=True, help="VIGIL_HOME with a simulated landing")
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    args = parser.parse_args()
    landing = Path(args.home) / "landing"
    every = metric_frame(
        pd.read_parquet(landing / "interface_metrics"),
        pd.read_parquet(landing / "device_heartbeats"),
    )
    frame = every.iloc[: args.points]
    records = point_records(frame)
    batches = metric_batches(frame, args.batch_rows)
    print(f"{len(frame):,} of {len(every):,} points, {frame['series'].nunique()} series")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    per_point, batched = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            one, many = Path(tmp) / f"point-{repeat}", Path(tmp) / f"batch-{repeat}"
            per_point.append(
                timed(lambda sink: build_point_flow(RecordReplaySource(records, 5000), sink), one)
            )
            batched.append(
                timed(lambda sink: build_flow(RecordReplaySource(batches, 1), sink), many)
            )
            a, b = landed(one), landed(many)
            assert a.keys() == b.keys()
            for kind in a:
                pd.testing.assert_frame_equal(a[kind], b[kind])
        all_batches = metric_batches(every, args.batch_rows)
        full = [
            timed(
                lambda sink: build_flow(RecordReplaySource(all_batches, 1), sink),
                Path(tmp) / f"all-{r}",
            )
            for r in range(args.repeats)
        ]
    p, b = statistics.median(per_point), statistics.median(batched)
    n = len(frame)
    print(f"per-point flow: {p:.2f} s = {p / n * 1e6:.1f} us/point (runs {_runs(per_point)})")
    print(f"batched flow:   {b:.2f} s = {b / n * 1e6:.2f} us/point (runs {_runs(batched)})")
    print(f"speed-up x{p / b:.1f}; outputs identical in every repeat")
    f = statistics.median(full)
    print(
        f"batched flow, all {len(every):,} points: {f:.2f} s = "
        f"{f / len(every) * 1e6:.2f} us/point (runs {_runs(full)})"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


def _runs(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
