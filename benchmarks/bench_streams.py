"""Throughput and latency of the NEWS2 early-warning flow, next to the numpy kernel.

    .venv/bin/python benchmarks/bench_streams.py [--readings 20000000] [--repeats 3]

Input: the simulator's bedside-monitor stream (:func:`simulator.devices.device_stream`,
1 s interval), one row per (time, monitor, parameter), reshaped by
:func:`streams.devices.batch_from_device_table` into observation sets of the five
monitored parameters (ACVPU and oxygen carried from one charted set per monitor). Rates
are given in monitor *readings* (one parameter value, the simulator's unit) and in
observation *sets* (5 readings). Prints, as medians over ``--repeats`` runs (each flow
run paired with a kernel run just before it; "paired" is the median of the per-pair
kernel/flow ratios, robust to the load of a shared machine changing between runs; for
one process also the ratio of CPU times, which other processes do not inflate):

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
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bytewax.outputs import DynamicSink, StatelessSinkPartition  # noqa: E402
from bytewax.run import cli_main  # noqa: E402

from clinical.news2 import score_arrays  # noqa: E402
from simulator.devices import StreamConfig, device_stream  # noqa: E402
from streams.connectors import BatchSource, ParquetSink  # noqa: E402
from streams.devices import MONITOR_PARAMETERS, batch_from_device_table, charted_baseline  # noqa: E402
from streams.news2_flow import News2FlowConfig, build_flow  # noqa: E402

PARTITIONS = 4


def make_input(sets: int, batch_rows: int, monitors: int) -> list[list[dict]]:
    """Batches for PARTITIONS source partitions, monitors split between them; each
    partition starts with one charted set per monitor (ACVPU, oxygen)."""
    per_part = monitors // PARTITIONS
    seconds = max(1, sets // monitors)
    window = max(1, batch_rows // per_part)  # seconds of readings per batch
    parts = []
    for p in range(PARTITIONS):
        config = StreamConfig(
            beds=per_part, minutes=-(-seconds // 60), interval_seconds=1, seed=100 + p
        )
        table = device_stream(config).slice(0, seconds * per_part * len(MONITOR_PARAMETERS))
        step = window * per_part * len(MONITOR_PARAMETERS)
        batches = [
            batch_from_device_table(table.slice(i, step)) for i in range(0, table.num_rows, step)
        ]
        first = int(batches[0]["observed_at"].min()) - 1
        batches.insert(0, charted_baseline(np.arange(per_part), first))
        for batch in batches:
            batch["patient_id"] = batch["patient_id"] * PARTITIONS + p
        parts.append(batches)
    return parts


def count(parts: list[list[dict]]) -> int:
    """Observation sets from the monitors (the charted baseline sets not counted)."""
    return sum(len(b["observed_at"]) for batches in parts for b in batches[1:])


def kernel(parts: list[list[dict]]) -> float:
    started = time.perf_counter()
    for batches in parts:
        for b in batches[1:]:
            score_arrays(
                b["respiration_rate"],
                b["spo2"],
                np.zeros(len(b["spo2"]), dtype=bool),  # on air, as charted
                b["systolic_bp"],
                b["pulse"],
                np.ones(len(b["spo2"]), dtype=bool),  # alert (A), as charted
                b["temperature"],
                b["spo2_scale"] == 2,
            )
    return time.perf_counter() - started


def _flow_config(emit_scores: bool, workers: int = 1) -> News2FlowConfig:
    return News2FlowConfig(partitions=PARTITIONS, emit_scores=emit_scores, workers=workers)


def first_emitted_s(out: Path) -> float:
    """When the first batch left a source: the earliest alert's ``emitted_ns`` (alerts
    fire within the first batches), so cluster connection set-up is not counted."""
    alerts = pq.read_table(sorted((out / "alerts").glob("*.parquet")), columns=["emitted_ns"])
    return pc.min(alerts["emitted_ns"]).as_py() / 1e9


def run_flow(parts, out: Path, emit_scores: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    flow = build_flow(BatchSource(parts), ParquetSink(out), _flow_config(emit_scores))
    cli_main(flow, workers_per_process=1)
    return time.time() - first_emitted_s(out)


def _cluster_process(parts, out: str, index: int, addresses: list[str], emit_scores: bool):
    config = _flow_config(emit_scores, workers=len(addresses))
    sink = ParquetSink(Path(out), writers=len(addresses))
    flow = build_flow(BatchSource(parts), sink, config)
    cli_main(flow, workers_per_process=1, process_id=index, addresses=addresses)
    Path(out, f"finished-{index}.json").write_text(json.dumps(time.time()))


def run_cluster(parts, out: Path, emit_scores: bool) -> float:
    """Two processes on localhost; wall time from the first batch to the last finish."""
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
    finished = max(json.loads((out / f"finished-{i}.json").read_text()) for i in range(2))
    return finished - first_emitted_s(out)


class _LatencyPartition(StatelessSinkPartition):
    def __init__(self, latencies: list[float]):
        self._latencies = latencies

    def write_batch(self, items) -> None:
        now = time.time_ns()
        for kind, table in items:
            if kind.split(":")[0] == "alerts":
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
    parser.add_argument("--sets", type=int, default=4_000_000, help="observation sets")
    parser.add_argument("--monitors", type=int, default=8_000)
    parser.add_argument("--batch-rows", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1_000_000, help="readings/s")
    parser.add_argument("--latency-seconds", type=float, default=10)
    args = parser.parse_args()

    parts = make_input(args.sets, args.batch_rows, args.monitors)
    n = count(parts)
    work = Path(tempfile.mkdtemp(prefix="vigil-bench-streams-"))
    print(
        f"input: {n:,} observation sets = {n * 5:,} monitor readings from {args.monitors:,} "
        f"monitors, batches of about {args.batch_rows:,} sets"
    )

    def rate(seconds: list[float]) -> float:
        return n / statistics.median(seconds) / 1e6

    # Each flow run is paired with a kernel run just before it, so a change in the
    # machine's load (shared cores) hits both sides of a ratio alike; per path, the
    # ratio reported is the median of the per-pair ratios (kernel time / flow time).
    paths = {
        "flow, 1 process, alerts only": lambda: run_flow(parts, work / "a", False),
        "flow, 1 process, alerts + scores": lambda: run_flow(parts, work / "b", True),
        "flow, 2 processes, alerts only": lambda: run_cluster(parts, work / "c", False),
        "flow, 2 processes, alerts + scores": lambda: run_cluster(parts, work / "d", True),
    }
    kernels: list[float] = []
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    ratios: dict[str, list[float]] = {name: [] for name in paths}
    # CPU time of this process (1-process paths; Bytewax's worker runs in it): what the
    # other processes on the machine take does not count, unlike wall time.
    cpu_ratios: dict[str, list[float]] = {name: [] for name in paths if "1 process" in name}
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for _ in range(args.repeats):
        for name, run in paths.items():
            cpu = time.process_time()
            kernels.append(kernel(parts))
            kernel_cpu, cpu = time.process_time() - cpu, time.process_time()
            seconds[name].append(run())
            if name in cpu_ratios:
                cpu_ratios[name].append(kernel_cpu / (time.process_time() - cpu))
            ratios[name].append(kernels[-1] / seconds[name][-1])
    results = {"kernel (numpy, 1 core)": rate(kernels)} | {
        name: rate(values) for name, values in seconds.items()
    }
    base = results["kernel (numpy, 1 core)"]
    print(
        f"\n{'path':<38}{'M sets/s':>10}{'M readings/s':>14}{'vs kernel':>11}"
        f"{'paired':>9}  per-pair ratios"
    )
    for name, value in results.items():
        paired = statistics.median(ratios[name]) if name in ratios else 1.0
        pairs = " / ".join(f"{r:.2f}" for r in ratios.get(name, []))
        row = f"{name:<38}{value:>10.2f}{value * 5:>14.2f}{value / base:>11.2f}"
        print(f"{row}{paired:>9.2f}  {pairs}")
    for name, values in cpu_ratios.items():
        pairs = " / ".join(f"{r:.2f}" for r in values)
        print(f"{name}: CPU-time ratio to the kernel {statistics.median(values):.2f} ({pairs})")
    for mode in ("alerts only", "alerts + scores"):
        one, two = results[f"flow, 1 process, {mode}"], results[f"flow, 2 processes, {mode}"]
        print(
            f"scaling 1 -> 2 processes ({mode}): x{two / one:.2f}, efficiency {two / one / 2:.0%}"
        )
    print(f"load average after the throughput runs: {os.getloadavg()[0]:.1f}")

    sets_per_s = args.rate / 5
    paced = make_input(int(sets_per_s * args.latency_seconds), int(sets_per_s / 100), args.monitors)
    lat = np.array(latency(paced, sets_per_s))
    print(
        f"\nevent-to-alert latency at {args.rate / 1e6:.1f} M readings/s "
        f"({len(lat):,} alerts over {args.latency_seconds:.0f} s): "
        f"p50 {np.percentile(lat, 50):.1f} ms, p99 {np.percentile(lat, 99):.1f} ms"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
