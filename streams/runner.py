"""Run the NEWS2 dataflow over the landed vitals feed, writing to the landing zone."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow.dataset as ds
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main

from streams.connectors import OUTPUT_KINDS, ParquetReplaySource, ParquetSink
from streams.news2_flow import News2FlowConfig, build_flow


@dataclass(frozen=True)
class StreamResult:
    records_in: int
    counts: dict[str, int]

    @property
    def processed(self) -> int:
        return self.counts["scores"]


def count_rows(folder: Path) -> int:
    files = sorted(folder.rglob("*.parquet")) if folder.exists() else []
    return ds.dataset(files, format="parquet").count_rows() if files else 0


def recovery_config(recovery_dir: Path, partitions: int = 1) -> RecoveryConfig:
    """Bytewax recovery in ``recovery_dir``, initialised on first use."""
    if not recovery_dir.exists():
        recovery_dir.mkdir(parents=True)
        init_db_dir(recovery_dir, partitions)
    return RecoveryConfig(str(recovery_dir))


def run_news2(
    vitals_dir: Path,
    out_dir: Path,
    workers: int = 1,
    config: News2FlowConfig | None = None,
    speed: float | None = None,
) -> StreamResult:
    """Replay ``vitals_dir`` through the flow into ``out_dir/news2/<kind>/`` (replaced)."""
    target = out_dir / "news2"
    shutil.rmtree(target, ignore_errors=True)
    flow = build_flow(ParquetReplaySource(vitals_dir, speed=speed), ParquetSink(target), config)
    cli_main(flow, workers_per_process=workers)
    counts = {kind: count_rows(target / kind) for kind in OUTPUT_KINDS}
    return StreamResult(records_in=count_rows(vitals_dir), counts=counts)
