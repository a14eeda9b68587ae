"""Throughput and latency of the NEWS2 early-warning flow, next to the numpy kernel.

    .venv/bin/python benchmarks/bench_streams.py [--readings 20000000] [--repeats 3]

Input: synthetic bedside-monitor readings from ``benchmarks/device_stream.py`` (the
simulator's device stream had not landed when this was written), one complete
observation set per reading, in columnar batches of ``--batch-rows`` per patient
partition. Prints, as medians over ``--repeats`` runs in this one process tree:

1. the pure-numpy NEWS2 kernel (:func:`clinical.news2.score_arrays`) on the same batches;
2. the flow in one process (memory source -> split by partition -> per-partition
   NEWS2 state and alert policy -> Parquet sink), with and without the per-reading
   scores table written, and its ratio to the kernel;
3. the flow on a 2-process local cluster (``-i``/``-a``), and the scaling efficiency;
4. event-to-alert latency (p50, p99) with the source paced at ``--rate`` readings/s,
   measured from the source emitting a batch to the alert reaching the sink.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bytewax.outputs import DynamicSink, StatelessSinkPartition  # noqa: E402
from bytewax.run import cli_main  # noqa: E402

from benchmarks.device_stream import device_batches  # noqa: E402
from clinical.news2 import score_arrays  # noqa: E402
from streams.connectors import BatchSource, ParquetSink  # noqa: E402
from streams.news2_flow import News2FlowConfig, build_flow  # noqa: E402

PARTITIONS = 4


def make_input(readings: int, batch_rows: int, patients: int) -> list[list[dict]]:
    """Batches for PARTITIONS source partitions, patients split between them."""
    per_partition = []
    for p in range(PARTITIONS):
        batches = device_batches(
            patients // PARTITIONS, readings // patients, batch_rows, seed=100 + p
        )
        for batch in batches:
            batch["patient_id"] = batch["patient_id"] * PARTITIONS + p
        per_partition.append(batches)
    return per_partition


def count(parts: list[list[dict]]) -> int:
    return sum(len(b["observed_at"]) for batches in parts for b in batches)


def kernel(parts: list[list[dict]]) -> float:
    started = time.perf_counter()
    for batches in parts:
        for b in batches:
            score_arrays(
                b["respiration_rate"],
                b["spo2"],
                b["on_supplemental_oxygen"] > 0,
                b["systolic_bp"],
                b["pulse"],
                b["consciousness"] == 0,
                b["temperature"],
                b["spo2_scale"] == 2,
            )
    return time.perf_counter() - started


def _flow_config(emit_scores: bool) -> News2FlowConfig:
    return News2FlowConfig(partitions=PARTITIONS, emit_scores=emit_scores)


def run_flow(parts, out: Path, emit_scores: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    flow = build_flow(BatchSource(parts), ParquetSink(out), _flow_config(emit_scores))
    started = time.perf_counter()
    cli_main(flow, workers_per_process=1)
    return time.perf_counter() - started


def _cluster_process(parts, out: str, index: int, addresses: list[str], emit_scores: bool):
    flow = build_flow(BatchSource(parts), ParquetSink(Path(out)), _flow_config(emit_scores))
    started = time.time()
    cli_main(flow, workers_per_process=1, process_id=index, addresses=addresses)
    Path(out, f"timing-{index}.json").write_text(json.dumps([started, time.time()]))


def run_cluster(parts, out: Path, emit_scores: bool) -> float:
    """Two processes on localhost; wall time from the first start to the last finish."""
    from tests.conftest import free_port

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    addresses = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    context = multiprocessing.get_context("fork")  # the input is shared, not pickled
    processes = [
        context.Process(target=_cluster_process, args=(parts, str(out), i, addresses, emit_scores))
        for i in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"cluster process failed with exit code {process.exitcode}")
    spans = [json.loads((out / f"timing-{i}.json").read_text()) for i in range(2)]
    return max(end for _, end in spans) - min(start for start, _ in spans)


class _LatencyPartition(StatelessSinkPartition):
    def __init__(self, latencies: list[float]):
        self._latencies = latencies

    def write_batch(self, items) -> None:
        now = time.time_ns()
        for kind, table in items:
            if kind == "alerts":
                emitted = table.column("emitted_ns").to_numpy()
                self._latencies.extend(((now - emitted) / 1e6).tolist())


class LatencySink(DynamicSink):
    """Records, for every alert, the ms from its batch leaving the source to this sink."""

    def __init__(self):
        self.latencies: list[float] = []

    def build(self, step_id, worker_index, worker_count):
        return _LatencyPartition(self.latencies)


class PacedSource(BatchSource):
    """Emits each partition's batches at ``rate`` readings/s in total (wall clock)."""

    def __init__(self, partitions, rate: float):
        super().__init__(partitions)
        self.rate = rate

    def build_part(self, step_id, for_part, resume_state):
        inner = super().build_part(step_id, for_part, resume_state)
        rate = self.rate / len(self.partitions)
        origin = time.monotonic()
        emitted = 0

        class Paced(type(inner)):
            def next_batch(self_inner):
                nonlocal emitted
                due = origin + emitted / rate
                time.sleep(max(0.0, due - time.monotonic()))
                batch = type(inner).next_batch(self_inner)
                emitted += len(batch[0]["observed_at"])
                return batch

        paced = Paced.__new__(Paced)
        paced.__dict__.update(inner.__dict__)
        return paced


def latency(parts, rate: float) -> list[float]:
    sink = LatencySink()
    flow = build_flow(PacedSource(parts, rate), sink, _flow_config(emit_scores=False))
    cli_main(flow, workers_per_process=1, epoch_interval=timedelta(seconds=10))
    return sink.latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=8_000_000)
    parser.add_argument("--patients", type=int, default=8_000)
    parser.add_argument("--batch-rows", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1_000_000)
    parser.add_argument("--latency-seconds", type=float, default=10)
    args = parser.parse_args()

    parts = make_input(args.readings, args.batch_rows, args.patients)
    n = count(parts)
    work = Path(tempfile.mkdtemp(prefix="vigil-bench-streams-"))
    print(f"input: {n:,} readings, {args.patients:,} patients, batches of {args.batch_rows:,}")

    def rate(seconds: list[float]) -> float:
        return n / statistics.median(seconds) / 1e6

    results = {
        "kernel (numpy, 1 core)": rate([kernel(parts) for _ in range(args.repeats)]),
        "flow, 1 process, alerts only": rate(
            [run_flow(parts, work / "a", False) for _ in range(args.repeats)]
        ),
        "flow, 1 process, alerts + scores": rate(
            [run_flow(parts, work / "b", True) for _ in range(args.repeats)]
        ),
        "flow, 2 processes, alerts only": rate(
            [run_cluster(parts, work / "c", False) for _ in range(args.repeats)]
        ),
        "flow, 2 processes, alerts + scores": rate(
            [run_cluster(parts, work / "d", True) for _ in range(args.repeats)]
        ),
    }
    base = results["kernel (numpy, 1 core)"]
    print(f"\n{'path':<38}{'M readings/s':>14}{'vs kernel':>11}")
    for name, value in results.items():
        print(f"{name:<38}{value:>14.2f}{value / base:>11.2f}")
    for mode in ("alerts only", "alerts + scores"):
        one, two = results[f"flow, 1 process, {mode}"], results[f"flow, 2 processes, {mode}"]
        print(
            f"scaling 1 -> 2 processes ({mode}): x{two / one:.2f}, efficiency {two / one / 2:.0%}"
        )

    paced_rows = int(args.rate * args.latency_seconds)
    paced = make_input(paced_rows, max(1, int(args.rate / 100)), args.patients)
    lat = np.array(latency(paced, args.rate))
    print(
        f"\nevent-to-alert latency at {args.rate / 1e6:.1f} M readings/s "
        f"({len(lat):,} alerts over {args.latency_seconds:.0f} s): "
        f"p50 {np.percentile(lat, 50):.1f} ms, p99 {np.percentile(lat, 99):.1f} ms"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
