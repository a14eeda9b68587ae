"""The NEWS2 early-warning dataflow.

replay of charted vitals -> key by patient -> per-patient NEWS2 state -> sink of
``(kind, record)`` where kind is ``scores``, ``alerts`` or ``dead_letters``.

Event time is each record's ``observed_at`` (UTC). The replay source delivers a
feed in event-time order; per patient, the state assumes that order and a record
older than the patient's latest observation is dead-lettered as ``late`` rather
than allowed to rewind the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.outputs import Sink

from clinical.news2 import InvalidObservation
from streams.news2_state import DEFAULT_MAX_AGE, PatientState

Record = dict[str, Any]
Tagged = tuple[str, Record]


@dataclass(frozen=True)
class News2FlowConfig:
    max_age: timedelta = DEFAULT_MAX_AGE


def _dead_letter(record: Record, reason: str) -> Tagged:
    return "dead_letters", {
        "patient_id": str(record.get("patient_id")),
        "observed_at": record.get("observed_at"),
        "reason": reason,
        "record": repr(record),
    }


def _step(config: News2FlowConfig):
    def step(state: PatientState | None, record: Record) -> tuple[PatientState, list[Tagged]]:
        state = state or PatientState()
        latest = max((seen for _, seen in state.latest.values()), default=None)
        if latest is not None and record["observed_at"] < latest:
            return state, [_dead_letter(record, f"late: older than {latest.isoformat()}")]
        try:
            row, alert = state.observe(record, config.max_age)
        except InvalidObservation as error:
            return state, [_dead_letter(record, str(error))]
        return state, [("scores", row)] + ([("alerts", alert)] if alert else [])

    return step


def _has_keys(record: Record) -> bool:
    return record.get("patient_id") is not None and record.get("observed_at") is not None


def build_flow(
    source: Source[Record], sink: Sink[Tagged], config: News2FlowConfig | None = None
) -> Dataflow:
    """Build the early-warning dataflow over ``source`` writing to ``sink``."""
    config = config or News2FlowConfig()
    flow = Dataflow("news2_early_warning")
    observations = op.input("vitals", flow, source)
    # Record: one charted observation set
    split = op.branch("has_keys", observations, _has_keys)
    # trues / falses: Record
    keyed = op.key_on("by_patient", split.trues, lambda r: str(r["patient_id"]))
    # (patient_id, Record)
    tagged = op.stateful_flat_map("news2_state", keyed, _step(config))
    # (patient_id, (kind, Record))
    outputs = op.key_rm("drop_key", tagged)
    # (kind, Record)
    rejected = op.map(
        "reject_malformed",
        split.falses,
        lambda r: _dead_letter(r, "malformed: patient_id or observed_at missing"),
    )
    # (kind, Record)
    op.output("sink", op.merge("all_outputs", outputs, rejected), sink)
    return flow
