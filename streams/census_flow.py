"""The live census dataflow: ADT and ED events -> occupancy, capacity and boarding alerts.

events (time-ordered records) -> key by hospital -> per-hospital census state
(:class:`clinical.census.HospitalCensus`) -> sink of ``(kind, table)`` where kind is
``occupancy``, ``capacity_alerts``, ``boarding_alerts`` or ``dead_letters``.

Event time is each event's ``event_at`` (UTC). Per hospital, an event older than the
latest applied one is dead-lettered as ``late``; so are events for unknown units,
transfers or discharges of encounters not in the hospital, and malformed records.

A broker source (:class:`streams.redis_connectors.RedisAdtSource`) sends one item per
read instead: ``{"_records": [...], "_source_ack": ..., "_stream_partition": p}``. It is
keyed by its stream key (producers key messages by hospital, so a hospital always
arrives on the same key) and its outputs leave the state step as one ``source_batch``
item together with the messages to acknowledge, so the sink writes them and then
acknowledges, in one transaction: a crash before that write leaves the messages
pending (redelivered), never acknowledged without their outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import bytewax.operators as op
import pandas as pd
import pyarrow as pa
from bytewax.dataflow import Dataflow
from bytewax.inputs import FixedPartitionedSource, Source, StatefulSourcePartition
from bytewax.outputs import Sink

from clinical.census import ED_ADMIT_DECISION, ED_DEPARTURE, HospitalCensus, InvalidEvent

Record = dict[str, Any]
CENSUS_KINDS = ("occupancy", "capacity_alerts", "boarding_alerts", "dead_letters")
_OCCUPANCY_FIELDS = [
    ("hospital_id", pa.string()),
    ("unit_id", pa.string()),
    ("at", pa.timestamp("us")),
    ("census", pa.int64()),
    ("staffed_beds", pa.int64()),
    ("occupancy_pct", pa.float64()),
]
CENSUS_SCHEMAS = {
    "occupancy": pa.schema(_OCCUPANCY_FIELDS),
    "capacity_alerts": pa.schema([*_OCCUPANCY_FIELDS, ("alert_id", pa.string())]),
    "boarding_alerts": pa.schema(
        [
            ("hospital_id", pa.string()),
            ("alert_id", pa.string()),
            ("ed_visit_id", pa.string()),
            ("decided_at", pa.timestamp("us")),
            ("alerted_at", pa.timestamp("us")),
        ]
    ),
    "dead_letters": pa.schema(
        [
            ("hospital_id", pa.string()),
            ("event_type", pa.string()),
            ("event_at", pa.timestamp("us")),
            ("reason", pa.string()),
            ("record", pa.string()),
        ]
    ),
}


@dataclass(frozen=True)
class CensusFlowConfig:
    """Staffed beds per unit, and the alert thresholds."""

    staffed_beds: Mapping[str, int] = field(default_factory=dict)
    occupancy_threshold: float = 0.95
    boarding_limit: timedelta = timedelta(hours=4)


def _dead_letter(record: Record, reason: str) -> tuple[str, pa.Table]:
    row = {
        "hospital_id": str(record.get("hospital_id")),
        "event_type": str(record.get("event_type")),
        "event_at": record.get("event_at"),
        "reason": reason,
        "record": repr(record),
    }
    return "dead_letters", pa.Table.from_pylist([row], schema=CENSUS_SCHEMAS["dead_letters"])


def _unkeyed(record: Record) -> tuple[str, pa.Table]:
    """A record without a hospital: a message the source could not parse (``_reason``)
    or a malformed record."""
    return _dead_letter(record, record.get("_reason", "malformed: no hospital_id"))


def is_broker_batch(item: Record) -> bool:
    return "_source_ack" in item


def _key(item: Record) -> str:
    if is_broker_batch(item):
        return f"stream-{item['_stream_partition']}"
    return str(item["hospital_id"])


# Per state key: the census of each hospital seen on it (one hospital when keyed by
# hospital; those of a stream key for a broker batch).
CensusState = dict[str, HospitalCensus]


def _step(config: CensusFlowConfig):
    def apply(state: CensusState, record: Record) -> list[tuple[str, pa.Table]]:
        hospital = record.get("hospital_id")
        if hospital is None:
            return [_unkeyed(record)]
        census = state.get(str(hospital))
        if census is None:
            census = state[str(hospital)] = HospitalCensus(
                dict(config.staffed_beds), config.occupancy_threshold, config.boarding_limit
            )
        try:
            outputs = census.apply(record)
        except InvalidEvent as error:
            return [_dead_letter(record, str(error))]
        return [
            (kind, pa.Table.from_pylist([{"hospital_id": hospital, **row}], CENSUS_SCHEMAS[kind]))
            for kind, row in outputs
        ]

    def step(state: CensusState | None, item: Record):
        state = {} if state is None else state
        if not is_broker_batch(item):
            return state, apply(state, item)
        outputs = [out for record in item["_records"] for out in apply(state, record)]
        # one item: the sink writes the outputs, then acknowledges, in one transaction
        return state, [("source_batch", (outputs, item["_source_ack"]))]

    return step


def build_flow(
    source: Source[Record], sink: Sink[tuple[str, pa.Table]], config: CensusFlowConfig
) -> Dataflow:
    """Build the live census dataflow over ``source`` writing to ``sink``."""
    flow = Dataflow("live_census")
    events = op.input("adt_and_ed_events", flow, source)
    # Record: one ADT or ED event, or a broker batch of them
    split = op.branch(
        "has_hospital", events, lambda r: r.get("hospital_id") is not None or is_broker_batch(r)
    )
    # trues / falses: Record
    keyed = op.key_on("by_hospital", split.trues, _key)
    # (hospital_id or stream key, Record)
    tagged = op.stateful_flat_map("census_state", keyed, _step(config))
    # (key, (kind, pa.Table)), or (key, ("source_batch", (outputs, messages to ack)))
    outputs = op.key_rm("drop_hospital", tagged)
    # (kind, pa.Table | source_batch)
    rejected = op.map("reject_malformed", split.falses, _unkeyed)
    # (kind, pa.Table)
    op.output("sink", op.merge("all_outputs", outputs, rejected), sink)
    return flow


def census_events(adt: pd.DataFrame, ed_visits: pd.DataFrame) -> list[Record]:
    """ADT events and ED admit-decision / departure events of admitted visits, by time."""
    admitted = ed_visits[ed_visits["disposition"] == "admitted"]
    ed = pd.concat(
        [
            admitted.assign(
                event_type=ED_ADMIT_DECISION, event_at=admitted["disposition_decided_at"]
            ),
            admitted.assign(event_type=ED_DEPARTURE, event_at=admitted["departed_at"]),
        ]
    )[["ed_visit_id", "hospital_id", "event_type", "event_at"]]
    columns = ["encounter_id", "hospital_id", "unit_id", "event_type", "event_at"]
    events = pd.concat([adt[columns], ed.dropna(subset=["event_at"])], ignore_index=True)
    events["event_at"] = pd.to_datetime(events["event_at"]).dt.floor("us")
    events = events.sort_values("event_at", kind="stable")
    records = events.astype(object).where(events.notna(), None).to_dict("records")
    for record in records:
        record["event_at"] = pd.Timestamp(record["event_at"]).to_pydatetime()
    return records


class _ListPartition(StatefulSourcePartition[Record, int]):
    def __init__(self, records: list[Record], batch: int, resume: int | None):
        self._records, self._batch, self._next = records, batch, resume or 0

    def next_batch(self) -> list[Record]:
        if self._next >= len(self._records):
            raise StopIteration
        start, self._next = self._next, self._next + self._batch
        return self._records[start : self._next]

    def snapshot(self) -> int:
        return self._next


class RecordReplaySource(FixedPartitionedSource[Record, int]):
    """Replays time-ordered records (built from landed feeds) as one partition."""

    def __init__(self, records: list[Record], batch: int = 1000):
        self.records, self.batch = records, batch

    def list_parts(self) -> list[str]:
        return ["replay"]

    def build_part(self, step_id: str, for_part: str, resume_state: int | None):
        return _ListPartition(self.records, self.batch, resume_state)
