"""The NEWS2 early-warning dataflow over columnar micro-batches.

source of vitals batches (and acknowledgement and lactate records) -> split by patient
partition -> per-partition early-warning state (:class:`streams.news2_batch.PartitionState`)
-> sink of ``(kind, table)`` where kind is ``scores``, ``alerts`` (NEWS2), ``sepsis_alerts``,
``escalations``, ``acknowledgements``, ``lactate_results`` or ``dead_letters``.

Event time is each reading's ``observed_at`` (UTC). Within a micro-batch, rows are
ordered by (patient, event time); a row older than its patient's latest processed
reading from an earlier batch is dead-lettered as ``late`` (see
:mod:`streams.news2_batch`). Acknowledgements travel in the same source, in event-time
order with the vitals: a dict ``{"alert_id", "patient_id", "acknowledged_at"}``; so do
lactate results, ``{"patient_id", "resulted_at", "lactate_mmol_l", "unit"}`` (joined into
the patient's state for the sepsis screen). Every record in is processed (a score, a
landed acknowledgement, a joined lactate result) or dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import bytewax.operators as op
import numpy as np
import pandas as pd
import pyarrow as pa
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.outputs import Sink

from clinical.alert_policy import AlertPolicy
from clinical.sepsis import LACTATE_UNIT
from streams.news2_batch import PartitionState
from streams.news2_columns import Batch, batch_len, take
from streams.routing import colocated_key

Item = Batch | dict[str, Any]  # a vitals batch, one acknowledgement or one lactate result
Tagged = tuple[str, pa.Table]

ALERT_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("alert_type", pa.string()),
        ("patient_id", pa.string()),
        ("encounter_id", pa.string()),
        ("unit_id", pa.string()),
        ("raised_at", pa.timestamp("us")),
        ("news2_score", pa.int32()),
        ("news2_band", pa.string()),
        ("emitted_ns", pa.int64()),
    ]
)
ESCALATION_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("alert_type", pa.string()),
        ("patient_id", pa.string()),
        ("news2_band", pa.string()),
        ("raised_at", pa.timestamp("us")),
        ("escalated_at", pa.timestamp("us")),
        ("reason", pa.string()),
    ]
)
ACKNOWLEDGEMENT_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("alert_type", pa.string()),
        ("patient_id", pa.string()),
        ("news2_band", pa.string()),
        ("raised_at", pa.timestamp("us")),
        ("acknowledged_at", pa.timestamp("us")),
    ]
)
LACTATE_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("resulted_at", pa.timestamp("us")),
        ("lactate_mmol_l", pa.float64()),
    ]
)
DEAD_LETTER_SCHEMA = pa.schema(
    [
        ("patient_id", pa.string()),
        ("observed_at", pa.timestamp("us")),
        ("reason", pa.string()),
        ("record", pa.string()),
    ]
)


@dataclass(frozen=True)
class News2FlowConfig:
    """Typed settings of the early-warning flow."""

    max_age: timedelta = timedelta(hours=12)
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    partitions: int = 8  # patient partitions: the unit of state and of parallelism
    emit_scores: bool = True
    # Total Bytewax workers (all processes): names state keys so that partition i's state
    # sits on the worker that reads source partition i (see streams.routing).
    workers: int = 1
    # Patient ids known to the hospital (from ADT); None accepts any id.
    known_patients: frozenset | None = None


def is_acknowledgement(item: Item) -> bool:
    return "alert_id" in item


def is_lab_result(item: Item) -> bool:
    return "lactate_mmol_l" in item


def partition_of(patient_ids: np.ndarray, partitions: int) -> np.ndarray:
    """Stable patient partition, the same in every process (Python's hash() is not).

    Integer ids (device streams) partition by modulo; other ids by a stable hash.
    """
    ids = np.asarray(patient_ids)
    if np.issubdtype(ids.dtype, np.integer):
        return (ids % partitions).astype(np.int64)
    hashed = pd.util.hash_array(ids.astype(str).astype(object))
    return (hashed % np.uint64(partitions)).astype(np.int64)


def split(item: Item, partitions: int, keys: list[str] | None = None) -> list[tuple[str, Item]]:
    """Key an item by patient partition; a batch is cut into one sub-batch per partition.

    ``keys[p]`` names partition p's state key (default ``part-<p>``). Only the first row
    of each run of equal patient ids is hashed.
    """
    keys = keys or [f"part-{p}" for p in range(partitions)]
    if is_acknowledgement(item) or is_lab_result(item):
        part = int(partition_of(np.array([item["patient_id"]]), partitions)[0])
        return [(keys[part], {**item, "_partition": part})]
    if "_stream_partition" in item:  # a broker batch: state sits with its stream key
        part = item["_stream_partition"]
        return [(keys[part], {**item, "_partition": part})]
    n = batch_len(item)
    records = item.get("_records") or []
    if records:
        return _split_with_records(item, records, partitions, keys)
    if n == 0:
        return []
    parts = _row_partitions(item, partitions)
    if isinstance(parts, int):
        return [(keys[parts], {**item, "_partition": parts})]
    row_part = parts
    order = np.argsort(row_part, kind="stable")
    bounds = np.searchsorted(row_part[order], np.arange(partitions + 1))
    return [
        (keys[p], {**take(item, order[bounds[p] : bounds[p + 1]]), "_partition": p})
        for p in range(partitions)
        if bounds[p + 1] > bounds[p]
    ]


def _row_partitions(item: Batch, partitions: int) -> int | np.ndarray:
    """The partition of every row, or the one partition of all of them."""
    n = batch_len(item)
    ids = item["patient_id"]
    run_start = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    run_part = partition_of(ids[run_start], partitions)
    if (run_part == run_part[0]).all():
        return int(run_part[0])
    if "_source_ids" in item:
        raise ValueError("a broker message batch must hold one patient partition only")
    return np.repeat(run_part, np.diff(np.append(run_start, n)))


def _split_with_records(
    item: Batch, records: list[dict[str, Any]], partitions: int, keys: list[str]
) -> list[tuple[str, Item]]:
    """Cut a batch carrying side records: each partition's rows with its own records."""
    n = batch_len(item)
    row_part = np.zeros(0, np.int64) if n == 0 else _row_partitions(item, partitions)
    if isinstance(row_part, int):
        row_part = np.full(n, row_part)
    record_part = partition_of(np.array([r["patient_id"] for r in records]), partitions)
    out = []
    for p in range(partitions):
        mine = [r for r, q in zip(records, record_part.tolist(), strict=True) if q == p]
        rows = np.flatnonzero(row_part == p)
        if len(rows) or mine:
            out.append((keys[p], {**take(item, rows), "_records": mine, "_partition": p}))
    return out


def _table(rows: list[dict[str, Any]], schema: pa.Schema, **constants: Any) -> pa.Table:
    """Rows as a table of ``schema`` (missing keys null, extra keys dropped), by column;
    ``constants`` give a column one value for every row."""
    columns = {
        name: [constants[name]] * len(rows)
        if name in constants
        else [row.get(name) for row in rows]
        for name in schema.names
    }
    if "patient_id" in columns:
        columns["patient_id"] = [None if v is None else str(v) for v in columns["patient_id"]]
    return pa.Table.from_pydict(columns, schema=schema)


def _step(config: News2FlowConfig):
    def step(state: PartitionState | None, item: Item) -> tuple[PartitionState, list[Tagged]]:
        if state is None:
            state = PartitionState(
                config.max_age,
                config.policy,
                config.emit_scores,
                known_patients=config.known_patients,
            )
        # With several workers, outputs are keyed kind:worker so that each worker writes
        # its own sink partition and no table crosses processes (see ParquetSink).
        worker = f":{item.get('_partition', 0) % config.workers}" if config.workers > 1 else ""
        if is_acknowledgement(item) or is_lab_result(item):
            if is_acknowledgement(item):
                row, dead = state.acknowledge(item["alert_id"], item["acknowledged_at"], item)
                kind, schema = "acknowledgements", ACKNOWLEDGEMENT_SCHEMA
            else:
                row, dead = state.lab_result(
                    item["patient_id"],
                    item["resulted_at"],
                    item["lactate_mmol_l"],
                    item.get("unit", LACTATE_UNIT),
                )
                kind, schema = "lactate_results", LACTATE_SCHEMA
            tagged = [(f"{kind}{worker}", _table([row], schema))] if row else []
            if dead:
                tagged.append((f"dead_letters{worker}", _table([dead], DEAD_LETTER_SCHEMA)))
            escalations = state.due_escalations()
            if escalations:
                tagged.append((f"escalations{worker}", _table(escalations, ESCALATION_SCHEMA)))
            return state, tagged
        out = state.process(item)
        emitted = int(item["emitted_ns"]) if "emitted_ns" in item else None
        tagged: list[Tagged] = []
        if out.scores is not None:
            tagged.append((f"scores{worker}", out.scores))
        for kind, alert_type in (("alerts", "news2"), ("sepsis_alerts", "sepsis")):
            alerts = [a for a in out.alerts if a["alert_type"] == alert_type]
            if alerts:
                table = _table(alerts, ALERT_SCHEMA, emitted_ns=emitted)
                tagged.append((f"{kind}{worker}", table))
        if out.escalations:
            tagged.append((f"escalations{worker}", _table(out.escalations, ESCALATION_SCHEMA)))
        if out.acknowledgements:
            rows = _table(out.acknowledgements, ACKNOWLEDGEMENT_SCHEMA)
            tagged.append((f"acknowledgements{worker}", rows))
        if out.lactate_results:
            tagged.append((f"lactate_results{worker}", _table(out.lactate_results, LACTATE_SCHEMA)))
        if out.dead_letters:
            tagged.append((f"dead_letters{worker}", _table(out.dead_letters, DEAD_LETTER_SCHEMA)))
        if "_source_ids" in item:  # broker messages to acknowledge once the above is written
            tagged.append(("source_ack", item["_source_ids"]))
        return state, tagged

    return step


def build_flow(
    source: Source[Item], sink: Sink[Tagged], config: News2FlowConfig | None = None
) -> Dataflow:
    """Build the early-warning dataflow over ``source`` writing to ``sink``."""
    config = config or News2FlowConfig()
    flow = Dataflow("news2_early_warning")
    items = op.input("vitals", flow, source)
    # Batch of readings, or one acknowledgement or lactate record
    keys = [colocated_key(p, config.workers) for p in range(config.partitions)]
    keyed = op.flat_map(
        "by_patient_partition", items, lambda item: split(item, config.partitions, keys)
    )
    # (partition key, Batch | acknowledgement | lactate result)
    tagged = op.stateful_flat_map("news2_state", keyed, _step(config))
    # (partition key, (kind, pa.Table))
    outputs = op.key_rm("drop_partition", tagged)
    # (kind, pa.Table)
    op.output("sink", outputs, sink)
    return flow
