"""Run the NEWS2 dataflow over the landed vitals feed, writing to the landing zone."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pyarrow.dataset as ds
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main

from streams.census_flow import CensusFlowConfig
from streams.connectors import OUTPUT_KINDS, ParquetReplaySource, ParquetSink
from streams.news2_flow import News2FlowConfig, build_flow
from streams.ops_flow import OpsFlowConfig


@dataclass(frozen=True)
class StreamResult:
    records_in: int
    counts: dict[str, int]

    @property
    def processed(self) -> int:
        """Scored readings, landed acknowledgements and joined lactate results."""
        return (
            self.counts["scores"]
            + self.counts.get("acknowledgements", 0)
            + self.counts.get("lactate_results", 0)
        )


def count_rows(folder: Path) -> int:
    files = sorted(folder.rglob("*.parquet")) if folder.exists() else []
    return ds.dataset(files, format="parquet").count_rows() if files else 0


def recovery_config(recovery_dir: Path, partitions: int = 1) -> RecoveryConfig:
    """Bytewax recovery in ``recovery_dir``, initialised on first use."""
    if not recovery_dir.exists():
        recovery_dir.mkdir(parents=True)
        init_db_dir(recovery_dir, partitions)
    return RecoveryConfig(str(recovery_dir))


def side_records(
    vitals_dir: Path,
    config: News2FlowConfig,
    lab_results_dir: Path | None = None,
    nurse_seed: int | None = None,
    batch_rows: int = 50_000,
) -> list[dict]:
    """Lactate results of ``lab_results_dir`` and, with ``nurse_seed``, the simulated
    nurse's acknowledgements of the alerts those vitals and labs raise, in time order."""
    import pandas as pd

    from simulator.nurse_response import acknowledgements
    from streams.news2_batch import PartitionState
    from streams.side_inputs import (
        acknowledgement_records,
        bedside_alerts,
        lactate_records,
        merge_records,
    )

    labs = []
    if lab_results_dir is not None and count_rows(lab_results_dir):
        labs = lactate_records(pd.read_parquet(lab_results_dir))
    if nurse_seed is None:
        return labs
    partition = ParquetReplaySource(vitals_dir, batch_rows, records=labs).build_part(
        "bedside", "replay", None
    )

    def items():
        while True:
            try:
                yield from partition.next_batch()
            except StopIteration:
                return

    state = PartitionState(
        config.max_age, config.policy, emit_scores=False, known_patients=config.known_patients
    )
    paged = bedside_alerts(items(), state)
    return merge_records(labs, acknowledgement_records(acknowledgements(paged, nurse_seed)))


def run_news2(
    vitals_dir: Path,
    out_dir: Path,
    workers: int = 1,
    config: News2FlowConfig | None = None,
    speed: float | None = None,
    recovery_dir: Path | None = None,
    epoch_interval: timedelta | None = None,
    batch_rows: int = 50_000,
    lab_results_dir: Path | None = None,
    nurse_seed: int | None = None,
) -> StreamResult:
    """Replay ``vitals_dir`` through the flow into ``out_dir/news2/<kind>/``.

    ``lab_results_dir``: join the lactate results of that landed feed (sepsis screen).
    ``nurse_seed``: simulate the nurse's acknowledgements (:mod:`simulator.nurse_response`)
    with that seed; for simulated data only. Records in counts readings, lactate results
    and acknowledgements.

    Without ``recovery_dir`` the outputs are replaced. With it, Bytewax recovery is on:
    a run resumes from the last committed epoch in ``recovery_dir`` and the sink drops
    files written after it, so a killed run restarted with the same arguments ends with
    every output row exactly once. (A finished run's recovery folder resumes at the end:
    delete it to replay from the start.)
    """
    config = config or News2FlowConfig()
    target = out_dir / "news2"
    recovery = None
    if recovery_dir is None:
        shutil.rmtree(target, ignore_errors=True)
    else:
        recovery = recovery_config(recovery_dir)
    records = side_records(vitals_dir, config, lab_results_dir, nurse_seed, batch_rows)
    source = ParquetReplaySource(vitals_dir, batch_rows=batch_rows, speed=speed, records=records)
    flow = build_flow(source, ParquetSink(target), config)
    cli_main(
        flow,
        workers_per_process=workers,
        epoch_interval=epoch_interval,
        recovery_config=recovery,
    )
    counts = {kind: count_rows(target / kind) for kind in OUTPUT_KINDS}
    return StreamResult(records_in=count_rows(vitals_dir) + len(records), counts=counts)


def run_census(
    landing_dir: Path, out_dir: Path, config: CensusFlowConfig | None = None
) -> StreamResult:
    """Replay the landed ADT and ED feeds through the census flow into ``out_dir/census/``."""
    import pandas as pd

    from streams.census_flow import CENSUS_KINDS, RecordReplaySource, census_events
    from streams.census_flow import build_flow as build_census_flow

    target = out_dir / "census"
    shutil.rmtree(target, ignore_errors=True)
    units = pd.read_parquet(landing_dir / "units")
    config = config or CensusFlowConfig(
        staffed_beds=dict(zip(units["unit_id"], units["staffed_beds"].astype(int), strict=True))
    )
    events = census_events(
        pd.read_parquet(landing_dir / "adt_events"), pd.read_parquet(landing_dir / "ed_visits")
    )
    sink = ParquetSink(target, kinds=CENSUS_KINDS)
    cli_main(build_census_flow(RecordReplaySource(events), sink, config))
    counts = {kind: count_rows(target / kind) for kind in CENSUS_KINDS}
    return StreamResult(records_in=len(events), counts=counts)


def run_ops(
    landing_dir: Path,
    out_dir: Path,
    config: OpsFlowConfig | None = None,
    batch_rows: int = 100_000,
) -> StreamResult:
    """Replay interface metrics and device heartbeats through the anomaly flow, in
    columnar micro-batches of ``batch_rows`` points."""
    import pandas as pd

    from streams.census_flow import RecordReplaySource
    from streams.ops_batch import metric_batches, metric_frame
    from streams.ops_flow import OPS_KINDS
    from streams.ops_flow import build_flow as build_ops_flow

    target = out_dir / "ops"
    shutil.rmtree(target, ignore_errors=True)
    points = metric_frame(
        pd.read_parquet(landing_dir / "interface_metrics"),
        pd.read_parquet(landing_dir / "device_heartbeats"),
    )
    source = RecordReplaySource(metric_batches(points, batch_rows), batch=1)
    sink = ParquetSink(target, kinds=OPS_KINDS)
    cli_main(build_ops_flow(source, sink, config))
    counts = {kind: count_rows(target / kind) for kind in OPS_KINDS}
    return StreamResult(records_in=len(points), counts=counts)
