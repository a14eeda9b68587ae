"""Bytewax connectors over the Parquet landing zone.

``ParquetReplaySource`` replays a landed feed in event-time order (the simulator
writes each day file sorted by event time, and day folders sort by name), resuming
from (file, row) after a restart. ``ParquetSink`` receives ``(kind, record)`` pairs
and writes one folder of Parquet files per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from bytewax.outputs import DynamicSink, StatelessSinkPartition


@dataclass(frozen=True)
class ReplayPosition:
    file_index: int = 0
    row: int = 0


class _ReplayPartition(StatefulSourcePartition[dict[str, Any], ReplayPosition]):
    def __init__(self, files: list[Path], batch_size: int, resume: ReplayPosition | None):
        self._files = files
        self._batch_size = batch_size
        self._pos = resume or ReplayPosition()
        self._rows: list[dict[str, Any]] | None = None

    def next_batch(self) -> list[dict[str, Any]]:
        if self._pos.file_index >= len(self._files):
            raise StopIteration
        if self._rows is None:
            self._rows = pq.read_table(self._files[self._pos.file_index]).to_pylist()
        start = self._pos.row
        batch = self._rows[start : start + self._batch_size]
        if start + len(batch) >= len(self._rows):
            self._pos = ReplayPosition(self._pos.file_index + 1, 0)
            self._rows = None
        else:
            self._pos = ReplayPosition(self._pos.file_index, start + len(batch))
        return batch

    def snapshot(self) -> ReplayPosition:
        return self._pos


class ParquetReplaySource(FixedPartitionedSource[dict[str, Any], ReplayPosition]):
    """Replays every ``*.parquet`` under ``feed_dir`` in path order, as one partition."""

    def __init__(self, feed_dir: Path, batch_size: int = 1000):
        self.feed_dir = Path(feed_dir)
        self.batch_size = batch_size

    def list_parts(self) -> list[str]:
        return ["replay"]

    def build_part(self, step_id: str, for_part: str, resume_state: ReplayPosition | None):
        files = sorted(self.feed_dir.rglob("*.parquet"))
        if not files:
            raise FileNotFoundError(
                f"no Parquet files under {self.feed_dir}: run `vigil simulate` first"
            )
        return _ReplayPartition(files, self.batch_size, resume_state)


class _ParquetSinkPartition(StatelessSinkPartition[tuple[str, dict[str, Any]]]):
    def __init__(self, out_dir: Path, worker_index: int, flush_rows: int):
        self._out_dir = out_dir
        self._worker = worker_index
        self._flush_rows = flush_rows
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._seq: dict[str, int] = {}

    def write_batch(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        for kind, record in items:
            buffer = self._buffers.setdefault(kind, [])
            buffer.append(record)
            if len(buffer) >= self._flush_rows:
                self._flush(kind)

    def _flush(self, kind: str) -> None:
        rows = self._buffers.get(kind)
        if not rows:
            return
        seq = self._seq.get(kind, 0)
        path = self._out_dir / kind / f"part-w{self._worker}-{seq:05d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), path, compression="zstd")
        self._seq[kind] = seq + 1
        self._buffers[kind] = []

    def close(self) -> None:
        for kind in list(self._buffers):
            self._flush(kind)


class ParquetSink(DynamicSink[tuple[str, dict[str, Any]]]):
    """Writes ``(kind, record)`` items to ``out_dir/<kind>/part-w<worker>-<seq>.parquet``."""

    def __init__(self, out_dir: Path, flush_rows: int = 50_000):
        self.out_dir = Path(out_dir)
        self.flush_rows = flush_rows

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _ParquetSinkPartition:
        return _ParquetSinkPartition(self.out_dir, worker_index, self.flush_rows)
