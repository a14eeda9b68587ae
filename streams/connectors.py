"""Bytewax connectors over the Parquet landing zone and in-memory columnar batches.

Items are columnar micro-batches (see :mod:`streams.news2_batch`), never single
records: Bytewax moves about 0.23 M items/s here, so each item carries thousands of
readings.

``ParquetReplaySource`` replays a landed feed in event-time order (the simulator writes
each day file sorted by event time, and day folders sort by name), as fast as possible
or paced to ``speed`` times real time, resuming from (file, row) after a restart.
``BatchSource`` serves prepared batches from memory, one partition per list (the
benchmarks' stand-in for broker partitions). ``ParquetSink`` writes ``(kind, table)``
items to ``out_dir/<kind>/`` and is transactional with respect to Bytewax epochs: it
flushes at every snapshot and, when resumed, deletes the files it wrote after the last
committed snapshot, so a replay after a crash neither loses nor duplicates rows.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition

from streams.news2_columns import EPOCH, Batch, batch_from_frame, batch_len

Item = Batch | dict  # a vitals batch, or one side record

OUTPUT_KINDS = (
    "scores",
    "alerts",
    "sepsis_alerts",
    "escalations",
    "acknowledgements",
    "lactate_results",
    "dead_letters",
)


@dataclass(frozen=True)
class ReplayPosition:
    file_index: int = 0
    row: int = 0
    record: int = 0  # side records (acknowledgements, lab results) emitted so far


def record_time_ns(record: dict) -> int:
    """Event time of a side record (``acknowledged_at`` or ``resulted_at``) in ns."""
    at = record.get("acknowledged_at", record.get("resulted_at"))
    return int((at - EPOCH) / timedelta(microseconds=1)) * 1000


class _ReplayPartition(StatefulSourcePartition[Item, ReplayPosition]):
    def __init__(
        self,
        files: list[Path],
        batch_rows: int,
        resume: ReplayPosition | None,
        speed: float | None,
        records: list[dict] | None = None,
    ):
        self._files = files
        self._batch_rows = batch_rows
        self._pos = resume or ReplayPosition()
        self._batch: Batch | None = None  # the current file, converted
        self._empty: Batch | None = None  # a batch of no rows, to carry trailing records
        self._speed = speed
        self._origin: tuple[float, int] | None = None  # (wall clock, event time ns)
        self._records = records or []
        self._record_ns = np.array([record_time_ns(r) for r in self._records], dtype=np.int64)

    def next_batch(self) -> list[Item]:
        """The next vitals rows, carrying the side records due by their latest time.

        Side records ride on the batch as ``_records`` (applied in event-time order by
        :meth:`streams.news2_batch.PartitionState.process`); those after the last
        reading come alone on an empty batch.
        """
        if self._pos.file_index >= len(self._files):
            if self._pos.record >= len(self._records):
                raise StopIteration
            if self._empty is None:  # resumed after the last file
                last = pq.read_table(self._files[-1]).slice(0, 0)
                self._empty = batch_from_frame(last.to_pandas())
            return [self._attach(self._empty, np.iinfo(np.int64).max)]
        if self._batch is None:
            # One conversion per file; micro-batches are views into it.
            table = pq.read_table(self._files[self._pos.file_index])
            self._batch = batch_from_frame(table.to_pandas())
            self._empty = {name: column[:0] for name, column in self._batch.items()}
        start = self._pos.row
        total = batch_len(self._batch)
        end = min(start + self._batch_rows, total)
        batch = {name: column[start:end] for name, column in self._batch.items()}
        if end >= total:
            self._pos = ReplayPosition(self._pos.file_index + 1, 0, self._pos.record)
            self._batch = None
        else:
            self._pos = ReplayPosition(self._pos.file_index, end, self._pos.record)
        if end > start:
            if self._speed:
                self._pace(int(batch["observed_at"].min()))
            batch = self._attach(batch, int(batch["observed_at"].max()))
        return [batch]

    def _attach(self, batch: Batch, until_ns: int) -> Item:
        """``batch`` with the side records due at or before ``until_ns``."""
        first = self._pos.record
        last = int(np.searchsorted(self._record_ns, until_ns, "right"))
        if last <= first:
            return batch
        self._pos = ReplayPosition(self._pos.file_index, self._pos.row, last)
        return {**batch, "_records": self._records[first:last]}

    def _pace(self, event_ns: int) -> None:
        """Sleep until ``event_ns`` is due at ``speed`` times real time."""
        if self._origin is None:
            self._origin = (time.monotonic(), event_ns)
        wall, event = self._origin
        due = wall + (event_ns - event) / 1e9 / self._speed
        time.sleep(max(0.0, due - time.monotonic()))

    def snapshot(self) -> ReplayPosition:
        return self._pos


class ParquetReplaySource(FixedPartitionedSource[Item, ReplayPosition]):
    """Replays every ``*.parquet`` under ``feed_dir`` in path order, as one partition.

    ``speed``: None replays as fast as possible; 60.0 replays an hour a minute.
    ``records``: side records (acknowledgements, lactate results; see
    :mod:`streams.news2_flow`) sorted by event time, merged into the replay in event-time
    order.
    """

    def __init__(
        self,
        feed_dir: Path,
        batch_rows: int = 50_000,
        speed: float | None = None,
        records: list[dict] | None = None,
    ):
        self.feed_dir = Path(feed_dir)
        self.batch_rows = batch_rows
        self.speed = speed
        self.records = records

    def list_parts(self) -> list[str]:
        return ["replay"]

    def build_part(self, step_id: str, for_part: str, resume_state: ReplayPosition | None):
        files = sorted(self.feed_dir.rglob("*.parquet"))
        if not files:
            raise FileNotFoundError(
                f"no Parquet files under {self.feed_dir}: run `vigil simulate` first"
            )
        return _ReplayPartition(files, self.batch_rows, resume_state, self.speed, self.records)


class _MemoryPartition(StatefulSourcePartition[Batch, int]):
    def __init__(self, batches: list[Batch], resume: int | None):
        self._batches = batches
        self._next = resume or 0

    def next_batch(self) -> list[Batch]:
        if self._next >= len(self._batches):
            raise StopIteration
        self._next += 1
        batch = self._batches[self._next - 1]
        return [{"emitted_ns": np.int64(time.time_ns()), **batch}]

    def snapshot(self) -> int:
        return self._next


class BatchSource(FixedPartitionedSource[Batch, int]):
    """Serves prepared batches, partition ``part-<i>`` from ``partitions[i]``.

    Each batch gets an ``emitted_ns`` stamp (wall clock when the source emitted it), so
    a sink can measure event-to-alert latency.
    """

    def __init__(self, partitions: list[list[Batch]]):
        self.partitions = partitions

    def list_parts(self) -> list[str]:
        # Named like the flow's state keys: when partition i holds the patients of state
        # key part-i, Bytewax places both on the same worker and no batch crosses processes.
        return [f"part-{i}" for i in range(len(self.partitions))]

    def build_part(self, step_id: str, for_part: str, resume_state: int | None):
        return _MemoryPartition(self.partitions[int(for_part.split("-")[1])], resume_state)


def _part_files(out_dir: Path, part: str) -> list[tuple[int, Path]]:
    found = []
    for path in out_dir.glob(f"*/part-{part}-*.parquet"):
        found.append((int(path.stem.rsplit("-", 1)[1]), path))
    return found


class _KindSinkPartition(StatefulSinkPartition[pa.Table, int]):
    def __init__(
        self, out_dir: Path, kind: str, part: str, resume_seq: int | None, flush_rows: int
    ):
        self._out_dir = out_dir
        self._kind = kind
        self._part = part
        self._seq = resume_seq or 0
        self._flush_rows = flush_rows
        self._buffer: list[pa.Table] = []
        # Files written after the last committed snapshot belong to epochs that will be
        # replayed: remove them so the replay writes each row exactly once.
        for seq, path in _part_files(out_dir, part):
            if seq >= self._seq:
                path.unlink()

    def write_batch(self, items: list[pa.Table]) -> None:
        self._buffer.extend(table for table in items if table.num_rows)
        if sum(table.num_rows for table in self._buffer) >= self._flush_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer, promote_options="default")
        path = self._out_dir / self._kind / f"part-{self._part}-{self._seq:06d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        pq.write_table(table, partial, compression="zstd")
        os.replace(partial, path)  # a reader never sees half a file
        self._seq += 1
        self._buffer = []

    def snapshot(self) -> int:
        self._flush()
        return self._seq

    def close(self) -> None:
        self._flush()


class ParquetSink(FixedPartitionedSink[pa.Table, int]):
    """Writes ``(kind, table)`` items to ``out_dir/<kind>/part-<part>-<seq>.parquet``.

    One sink partition per output kind and writer (``writers``, default 1), so each
    partition's files are numbered in one sequence that is part of the recovery
    snapshot. Items keyed ``kind:w`` go to writer ``w`` of that kind: Bytewax gives the
    i-th sink partition to worker ``i % workers``, so with ``writers`` equal to the
    worker count, writer ``w`` writes on worker ``w`` and no table crosses processes.
    """

    def __init__(
        self, out_dir: Path, flush_rows: int = 1_000_000, kinds=OUTPUT_KINDS, writers: int = 1
    ):
        self.out_dir = Path(out_dir)
        self.flush_rows = flush_rows
        self.kinds = tuple(sorted(kinds))
        self.writers = writers

    def list_parts(self) -> list[str]:
        if self.writers == 1:
            return list(self.kinds)
        return [f"{kind}-{w}" for kind in self.kinds for w in range(self.writers)]

    def part_fn(self, item_key: str) -> int:
        kind, _, writer = item_key.partition(":")
        return self.kinds.index(kind) * self.writers + int(writer or 0) % self.writers

    def build_part(self, step_id: str, for_part: str, resume_state: int | None):
        kind = for_part if self.writers == 1 else for_part.rsplit("-", 1)[0]
        return _KindSinkPartition(self.out_dir, kind, for_part, resume_state, self.flush_rows)
