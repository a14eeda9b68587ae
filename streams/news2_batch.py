"""Columnar early-warning state: NEWS2 over micro-batches for a partition of patients.

The per-record path (:mod:`streams.news2_state`) tops out near 0.3 M readings/s per core,
so the dataflow moves *columnar micro-batches* (numpy columns) keyed by patient
partition, and :class:`PartitionState` folds a whole batch into the state of its
patients with array operations; only alert candidates (rare) take a Python loop.

Semantics are those of :class:`streams.news2_state.PatientState`, row for row:
per patient, the latest value of each parameter is carried forward for at most
``max_age``; a row is scored when all seven are fresh; the RCP band sequence drives
:class:`clinical.alert_policy.AlertBook`. The sepsis screen (:mod:`clinical.sepsis`)
runs on the same carried-forward values.

Event-time rule: rows of one batch are ordered by (patient, ``observed_at``) before
folding, so out-of-order rows inside a micro-batch are reordered (counted as
``reordered``). A row older than its patient's latest processed observation from an
earlier batch is *late*: it is dead-lettered with reason ``late`` and counted, never
allowed to rewind the state. The partition's watermark is the largest event time seen;
acknowledgement deadlines are checked against it.

Batches are laid out, converted and validated by :mod:`streams.news2_columns`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from clinical.alert_policy import AlertBook, AlertPolicy, alert_id_of, unsuppressed
from clinical.news2 import (
    BAND_LABELS,
    PARAMETERS,
    Band,
    score_arrays,
)
from clinical.sepsis import (
    LACTATE_MAX_AGE,
    LACTATE_PLAUSIBLE_MAX,
    LACTATE_UNIT,
    qsofa_arrays,
    screen_arrays,
)
from streams.news2_columns import (
    EPOCH,
    REASONS,
    Batch,
    batch_len,
    invalid_reasons,
    take,
    to_datetime,
)

NEVER = -(2**62)  # "never seen" event time; far enough from int64 min not to overflow
SEPSIS_COLUMN = 4  # of PartitionState.raised_ns
BAND_DICTIONARY = pa.array([BAND_LABELS[b] for b in Band])
BANDS = tuple(Band)  # by value
LACTATE_MAX_AGE_NS = LACTATE_MAX_AGE // timedelta(microseconds=1) * 1000


def record_time(record: dict[str, Any]) -> datetime:
    """Event time of a side record: ``acknowledged_at`` or ``resulted_at``."""
    return record.get("acknowledged_at", record.get("resulted_at"))


def _lab_arguments(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient_id": record["patient_id"],
        "resulted_at": record["resulted_at"],
        "lactate": record["lactate_mmol_l"],
        "unit": record.get("unit", LACTATE_UNIT),
    }


@dataclass
class BatchOutput:
    """What one batch produced: a scores table and alert / escalation / dead-letter rows."""

    scores: pa.Table | None
    alerts: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    dead_letters: list[dict[str, Any]]
    reordered: int = 0
    acknowledgements: list[dict[str, Any]] = field(default_factory=list)
    lactate_results: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PartitionState:
    """Latest fresh values, band and sepsis screen of every patient seen in a partition."""

    max_age: timedelta = timedelta(hours=12)
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    emit_scores: bool = True
    # Patient ids the hospital knows (from ADT); None accepts any id. A reading for an
    # id outside the set is dead-lettered as an unknown patient.
    known_patients: frozenset | None = None
    slot_of: dict[Any, int] = field(default_factory=dict)
    values: np.ndarray = field(default_factory=lambda: np.full((0, len(PARAMETERS)), np.nan))
    seen: np.ndarray = field(default_factory=lambda: np.full((0, len(PARAMETERS)), NEVER))
    band: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    sepsis: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # Per slot, the latest lactate results as (resulted_at ns, mmol/L), oldest first.
    lactates: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    last_at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # Per slot, event time of the last alert raised per NEWS2 band (columns 0-3) and for
    # the sepsis screen (column 4): mirrors AlertBook.last_raised for vectorized suppression.
    raised_ns: np.ndarray = field(default_factory=lambda: np.zeros((0, 5), np.int64))
    book: AlertBook = field(default_factory=AlertBook)
    # The last batch's distinct patient ids (in order) and their slots, reused when the
    # next batch of the partition holds the same patients (replaced, never mutated).
    last_slots: tuple = field(default=(None, None), init=False, repr=False)
    watermark: int = NEVER
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("records_in", "processed", "dead_letters", "late", "reordered"), 0
        )
    )

    def __post_init__(self) -> None:
        self.book.policy = self.policy

    def __deepcopy__(self, memo: dict) -> PartitionState:
        """An independent copy, made cheaply: Bytewax deep-copies the state at every
        epoch's snapshot, and the generic deep copy of the id maps and the alert book
        took ~1/3 of the benchmark flow's time. Arrays and containers are copied; the
        keys and values they hold are immutable; settings are shared."""
        copied = copy.copy(self)
        for name in ("values", "seen", "band", "sepsis", "last_at", "raised_ns"):
            setattr(copied, name, getattr(self, name).copy())
        copied.slot_of = dict(self.slot_of)
        copied.counts = dict(self.counts)
        copied.lactates = {slot: list(history) for slot, history in self.lactates.items()}
        copied.book = copy.deepcopy(self.book, memo)
        return copied

    def _slots(self, ids: np.ndarray) -> np.ndarray:
        """Slot of each id, growing the state arrays for new patients."""
        slots = np.empty(len(ids), dtype=np.int64)
        for i, patient in enumerate(ids.tolist()):
            slot = self.slot_of.get(patient)
            if slot is None:
                slot = self.slot_of[patient] = len(self.slot_of)
            slots[i] = slot
        grow = len(self.slot_of) - len(self.band)
        if grow > 0:
            self.values = np.vstack([self.values, np.full((grow, len(PARAMETERS)), np.nan)])
            self.seen = np.vstack([self.seen, np.full((grow, len(PARAMETERS)), NEVER)])
            self.band = np.concatenate([self.band, np.zeros(grow, np.int8)])
            self.sepsis = np.concatenate([self.sepsis, np.zeros(grow, bool)])
            self.last_at = np.concatenate([self.last_at, np.full(grow, NEVER, np.int64)])
            self.raised_ns = np.vstack([self.raised_ns, np.full((grow, 5), NEVER, np.int64)])
        return slots

    def process(self, batch: Batch) -> BatchOutput:
        """Fold one micro-batch into the state; see the module docstring for the rules.

        Side records riding on the batch (``_records``, see :mod:`streams.side_inputs`)
        are applied in event-time order: lactate results before the readings (each
        reading uses the latest result at or before its own time), acknowledgements
        after them and before the escalation check, so an acknowledgement in time
        always closes its alert whatever the batch boundaries.
        """
        records = sorted(batch.get("_records") or (), key=record_time)
        labs = [r for r in records if "lactate_mmol_l" in r]
        joined = [self.lab_result(**_lab_arguments(r)) for r in labs]
        out = self._process_rows(batch)
        acknowledged = [
            self.acknowledge(r["alert_id"], r["acknowledged_at"], r)
            for r in records
            if "alert_id" in r
        ]
        out.lactate_results = [row for row, _ in joined if row]
        out.acknowledgements = [row for row, _ in acknowledged if row]
        out.dead_letters += [dead for _, dead in (*joined, *acknowledged) if dead]
        self.counts["records_in"] += len(batch.get("_rejects") or ())
        out.dead_letters += [  # broker messages the source could not parse (e.g. HL7 v2)
            self._reject(None, None, r["reason"], {"hl7": r["hl7"]})
            for r in batch.get("_rejects") or ()
        ]
        out.escalations = self.due_escalations()
        return out

    def _process_rows(self, batch: Batch) -> BatchOutput:
        n = batch_len(batch)
        self.counts["records_in"] += n
        original = batch
        coverage: dict[str, str] = {}  # parameter -> complete / absent / gaps
        reasons = invalid_reasons(batch, coverage)
        if reasons is None:  # every row valid
            dead, index = [], np.arange(n)
        else:
            dead = [(i, REASONS[reasons[i] - 1]) for i in np.flatnonzero(reasons)]
            index = np.flatnonzero(reasons == 0)  # original row of each remaining row
            batch = take(batch, index)
        if self.known_patients is not None:
            known = self._known(batch["patient_id"])
            if not known.all():
                ids = batch["patient_id"]
                dead += [
                    (index[i], f"unknown patient {str(ids[i])!r}") for i in np.flatnonzero(~known)
                ]
                index = index[known]
                batch = take(batch, np.flatnonzero(known))
        slots = self._slots_of(batch["patient_id"])
        t = batch["observed_at"]
        late = t < self.last_at[slots]
        if late.any():
            dead += [
                (index[i], f"late: older than {to_datetime(self.last_at[slots[i]]).isoformat()}")
                for i in np.flatnonzero(late)
            ]
            on_time = np.flatnonzero(~late)
            batch, slots, t = take(batch, on_time), slots[on_time], t[on_time]
        dead_letters = [self._dead_letter(original, row, reason) for row, reason in sorted(dead)]
        return self._fold(batch, slots, t, dead_letters, coverage)

    def _known(self, patients: np.ndarray) -> np.ndarray:
        """Per row, whether the patient is in ``known_patients`` (checked once per run)."""
        if len(patients) == 0:
            return np.zeros(0, dtype=bool)
        run_start = np.flatnonzero(np.concatenate([[True], patients[1:] != patients[:-1]]))
        known = np.fromiter(
            (patient in self.known_patients for patient in patients[run_start].tolist()),
            dtype=bool,
            count=len(run_start),
        )
        return np.repeat(known, np.diff(np.append(run_start, len(patients))))

    def _slots_of(self, patients: np.ndarray) -> np.ndarray:
        """Slot per row, hashing only one id per run of equal ids (device streams come in
        per-patient runs, so this is cheap where volume is high)."""
        if len(patients) == 0:
            return np.zeros(0, dtype=np.int64)
        run_start = np.flatnonzero(np.concatenate([[True], patients[1:] != patients[:-1]]))
        codes, uniques = pd.factorize(patients[run_start], sort=False)
        uniques = np.asarray(uniques)
        # A partition's batches usually hold the same patients in the same order: reuse
        # the previous batch's slots then (slots never change once given).
        cached_ids, cached_slots = self.last_slots
        if cached_ids is not None and np.array_equal(uniques, cached_ids):
            unique_slots = cached_slots
        else:
            unique_slots = self._slots(uniques)
            self.last_slots = (uniques, unique_slots)
        run_slots = unique_slots[codes]
        return np.repeat(run_slots, np.diff(np.append(run_start, len(patients))))

    def _dead_letter(self, batch: Batch, row: int, reason: str) -> dict[str, Any]:
        self.counts["dead_letters"] += 1
        if reason.startswith("late"):
            self.counts["late"] += 1
        record = {
            name: column[row]
            for name, column in batch.items()
            if not name.startswith("_") and np.ndim(column)
        }
        observed = batch["observed_at"][row]
        return {
            "patient_id": None if pd.isna(record["patient_id"]) else str(record["patient_id"]),
            "observed_at": None if observed == np.iinfo(np.int64).min else to_datetime(observed),
            "reason": reason,
            "record": repr(
                {k: v.item() if isinstance(v, np.generic) else v for k, v in record.items()}
            ),
        }

    def _fold(
        self,
        batch: Batch,
        slots: np.ndarray,
        t: np.ndarray,
        dead_letters: list[dict[str, Any]],
        coverage: dict[str, str] | None = None,
    ) -> BatchOutput:
        """Fold valid, on-time rows; ``coverage`` (see
        :func:`streams.news2_columns.invalid_reasons`) spares looking for gaps again."""
        coverage = coverage or {}
        m = len(t)
        if m == 0:
            return BatchOutput(None, [], [], dead_letters)
        # Order rows by (patient, event time); count rows that arrived out of order.
        same = slots[1:] == slots[:-1]
        reordered = int(np.count_nonzero(same & (t[1:] < t[:-1])))
        is_start = np.concatenate([[True], ~same])
        starts = np.flatnonzero(is_start)
        ordered_runs = np.sort(slots[starts])
        grouped = not (ordered_runs[1:] == ordered_runs[:-1]).any()  # one run per patient
        if not grouped or reordered:
            order = np.lexsort((t, slots))
            batch, slots, t = take(batch, order), slots[order], t[order]
            is_start = np.concatenate([[True], slots[1:] != slots[:-1]])
            starts = np.flatnonzero(is_start)
        self.counts["reordered"] += reordered
        row_start = None  # first row of each row's run: only needed for gaps, built then
        ends = np.concatenate([starts[1:] - 1, [m - 1]])
        max_age_ns = self.max_age // timedelta(microseconds=1) * 1000
        values: dict[str, np.ndarray] = {}
        fresh = np.ones(m, dtype=bool)
        run_lengths = ends - starts + 1
        carried_until = np.full(len(starts), np.iinfo(np.int64).max)
        for j, name in enumerate(PARAMETERS):
            column = batch[name].astype(float, copy=False)
            known = coverage.get(name)
            if known == "complete" or (known is None and not np.isnan(column.sum())):
                values[name], seen_at = column, t
            elif known == "absent" or (known is None and np.isnan(np.fmax.reduce(column))):
                # in no row (ACVPU on a monitor feed), so carried: constant per patient
                # run; the freshness test is folded into one per-run deadline over all
                # carried parameters, checked once below
                run_slots = slots[starts]
                values[name] = np.repeat(self.values[run_slots, j], run_lengths)
                seen_at = self.seen[run_slots, j]
                carried_until = np.minimum(carried_until, seen_at + max_age_ns)
                continue
            else:
                if row_start is None:
                    row_start = starts[np.cumsum(is_start) - 1]
                valid = ~np.isnan(column)
                last = np.maximum.accumulate(np.where(valid, np.arange(m), -1))
                has = last >= row_start
                at = np.where(has, last, 0)
                values[name] = np.where(has, column[at], self.values[slots, j])
                seen_at = np.where(has, t[at], self.seen[slots, j])
                fresh &= (t - seen_at) <= max_age_ns
            self.values[slots[ends], j] = values[name][ends]
            self.seen[slots[ends], j] = seen_at[ends]
        if (carried_until < t[ends]).any():  # some run outlives a carried value
            fresh &= t <= np.repeat(carried_until, run_lengths)
        # Codes are validated (>= 0) and fresh where scored: NaN (never charted) -> A, air
        alert_level = ~(values["consciousness"] > 0)
        scored = score_arrays(
            values["respiration_rate"],
            values["spo2"],
            values["on_supplemental_oxygen"] > 0,
            values["systolic_bp"],
            values["pulse"],
            alert_level,
            values["temperature"],
            batch["spo2_scale"] == 2,
        )
        band = np.where(fresh, scored["band"], -1).astype(np.int8)
        qsofa = qsofa_arrays(values["respiration_rate"], values["systolic_bp"], alert_level)
        lactate = self._lactate(slots, t, starts, ends)
        positive = fresh & screen_arrays(qsofa, lactate)
        before, from_state = self._previous_row(fresh, row_start, is_start, starts)
        previous_band = _previous(band, before, from_state, self.band[slots[from_state]])
        previous_sepsis = _previous(positive, before, from_state, self.sepsis[slots[from_state]])
        self.band[slots[ends]] = np.where(fresh[ends], band[ends], previous_band[ends])
        self.sepsis[slots[ends]] = np.where(fresh[ends], positive[ends], previous_sepsis[ends])
        self.last_at[slots[ends]] = t[ends]
        self.watermark = max(self.watermark, int(t.max()))
        self.counts["processed"] += m
        news2 = fresh & (band >= int(self.policy.min_band)) & (band > previous_band)
        sepsis = positive & ~previous_sepsis
        # Suppression (clinical.alert_policy.unsuppressed) over all candidates at once;
        # only the entries that raise go through the AlertBook, which records them.
        rows = np.concatenate([np.flatnonzero(news2), np.flatnonzero(sepsis)])
        column = np.concatenate([band[news2], np.full(int(sepsis.sum()), SEPSIS_COLUMN)])
        keys, compact = np.unique(slots[rows] * 5 + column, return_inverse=True)
        last = self.raised_ns.flat[keys]
        window_ns = self.policy.suppress_window // timedelta(microseconds=1) * 1000
        raises = unsuppressed(compact.ravel(), t[rows], last, window_ns)
        self.raised_ns.flat[keys] = last
        self.book.suppressed += len(rows) - int(raises.sum())
        news2_raise = np.zeros(m, dtype=bool)
        sepsis_raise = np.zeros(m, dtype=bool)
        n_news2 = int(news2.sum())
        news2_raise[rows[:n_news2][raises[:n_news2]]] = True
        sepsis_raise[rows[n_news2:][raises[n_news2:]]] = True
        alerts = self._alerts(
            batch,
            np.flatnonzero(news2_raise | sepsis_raise),
            t,
            band,
            news2_raise,
            sepsis_raise,
            scored["total"],
        )
        scores = _scores_table(batch, t, fresh, scored) if self.emit_scores else None
        return BatchOutput(scores, alerts, [], dead_letters, reordered)

    @staticmethod
    def _previous_row(
        fresh: np.ndarray,
        row_start: np.ndarray | None,
        is_start: np.ndarray,
        starts: np.ndarray,
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """Per row, the batch row of the patient's previous scored row (None: the row
        just before, for every row), and the rows whose previous scored row is before
        this batch (the state holds its level)."""
        if fresh.all():  # every row scored: the previous row of the patient's run
            return None, starts
        if row_start is None:
            row_start = starts[np.cumsum(is_start) - 1]
        index = np.arange(len(fresh))
        last = np.maximum.accumulate(np.where(fresh, index, -1))
        before = np.concatenate([[-1], last[:-1]])
        before = np.where((before >= row_start) & ~is_start, before, -1)
        return before, np.flatnonzero(before < 0)

    def _alerts(self, batch, rows, t, band, news2, sepsis, total):
        """Alert rows of the entries that raise (``rows`` in batch order, NEWS2 before
        sepsis on one row), recorded in the alert book; columns are converted once."""
        if len(rows) == 0:
            return []
        k = len(rows)
        none = [None] * k
        stamps = (t[rows] // 1000).astype("datetime64[us]")
        moments = stamps.tolist()  # naive UTC datetimes, as to_datetime
        if (stamps.astype(np.int64) % 1_000_000 == 0).all():  # whole seconds, as isoformat
            isos = np.datetime_as_string(stamps, unit="s").tolist()
        else:
            isos = [moment.isoformat() for moment in moments]
        columns = zip(
            batch["patient_id"][rows],
            moments,
            isos,
            band[rows].tolist(),
            news2[rows].tolist(),
            sepsis[rows].tolist(),
            total[rows].tolist(),
            batch["encounter_id"][rows] if "encounter_id" in batch else none,
            batch["unit_id"][rows] if "unit_id" in batch else none,
            strict=True,
        )
        alerts = []
        record = self.book.record
        for patient, at, iso, level, is_news2, is_sepsis, score, encounter, unit in columns:
            news2_band = BANDS[level]
            patient_id = str(patient)
            for alert_type, raises in (("news2", is_news2), ("sepsis", is_sepsis)):
                if raises:
                    new_id = alert_id_of(patient_id, iso, news2_band.label, alert_type)
                    alerts.append(
                        {
                            "alert_id": record(patient_id, at, news2_band, alert_type, new_id),
                            "alert_type": alert_type,
                            "patient_id": patient,
                            "encounter_id": encounter,
                            "unit_id": unit,
                            "raised_at": at,
                            "news2_score": score,
                            "news2_band": news2_band.label,
                        }
                    )
        return alerts

    def _advance(self, at: datetime) -> int:
        ns = int((at - EPOCH) / timedelta(microseconds=1)) * 1000
        self.watermark = max(self.watermark, ns)
        return ns

    def _reject(self, patient_id: Any, at: datetime, reason: str, record: dict) -> dict:
        self.counts["dead_letters"] += 1
        return {
            "patient_id": None if patient_id is None else str(patient_id),
            "observed_at": at,
            "reason": reason,
            "record": repr({k: v for k, v in record.items() if not k.startswith("_")}),
        }

    def acknowledge(
        self, alert_id: str, at: datetime, record: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """One record of the acknowledgement stream: (acknowledgement row, dead letter).

        Advances the watermark to ``at``. An acknowledgement matching no alert the
        partition holds (see :meth:`clinical.alert_policy.AlertBook.acknowledge`) is
        dead-lettered, so records in = processed + dead-lettered holds for it too.
        """
        record = record or {"alert_id": alert_id, "acknowledged_at": at}
        self.counts["records_in"] += 1
        self._advance(at)
        acknowledged = self.book.acknowledge(alert_id, at)
        if acknowledged is None:
            reason = f"acknowledgement of unknown or closed alert {alert_id!r}"
            return None, self._reject(record.get("patient_id"), at, reason, record)
        self.counts["processed"] += 1
        return acknowledged, None

    def lab_result(
        self, patient_id: Any, resulted_at: datetime, lactate: float, unit: str = LACTATE_UNIT
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """One lactate result joined into the patient's state: (joined row, dead letter).

        It counts for the sepsis screen of the patient's observations from ``resulted_at``
        for :data:`clinical.sepsis.LACTATE_MAX_AGE`, whatever the order results and
        readings arrive in within a batch. Wrong units, impossible values and
        unknown patients are dead-lettered with the reason.
        """
        record = {"patient_id": patient_id, "resulted_at": resulted_at, "lactate": lactate}
        self.counts["records_in"] += 1
        ns = self._advance(resulted_at)
        reason = None
        if unit != LACTATE_UNIT:
            reason = f"lactate unit {unit!r} is not {LACTATE_UNIT}"
        elif not (0.0 <= lactate <= LACTATE_PLAUSIBLE_MAX):
            reason = f"lactate is outside the plausible range 0-{LACTATE_PLAUSIBLE_MAX:g}"
        elif self.known_patients is not None and patient_id not in self.known_patients:
            reason = f"unknown patient {str(patient_id)!r}"
        if reason is None:
            slot = int(self._slots(np.array([patient_id], dtype=object))[0])
            history = self.lactates.setdefault(slot, [])
            history.append((ns, lactate))
            history.sort()
            # Readings older than the patient's latest are late (rejected), so a result
            # older than latest - LACTATE_MAX_AGE can never count again: drop it.
            horizon = self.last_at[slot] - LACTATE_MAX_AGE_NS
            history[:] = [entry for entry in history if entry[0] >= horizon]
            self.counts["processed"] += 1
            row = {"patient_id": str(patient_id), "resulted_at": resulted_at}
            return {**row, "lactate_mmol_l": lactate}, None
        return None, self._reject(patient_id, resulted_at, reason, record)

    def _lactate(
        self, slots: np.ndarray, t: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray | None:
        """Per row (grouped by patient), the latest lactate resulted at or before the
        row's time and at most LACTATE_MAX_AGE old; NaN where none; None if no patient
        of the batch has one."""
        if not self.lactates:
            return None
        runs = [k for k, slot in enumerate(slots[starts].tolist()) if slot in self.lactates]
        if not runs:
            return None
        lactate = np.full(len(t), np.nan)
        for k in runs:
            rows = slice(starts[k], ends[k] + 1)
            times, values = map(np.array, zip(*self.lactates[int(slots[starts[k]])], strict=True))
            at = np.searchsorted(times, t[rows], "right") - 1
            valid = (at >= 0) & (t[rows] - times[np.maximum(at, 0)] <= LACTATE_MAX_AGE_NS)
            lactate[rows] = np.where(valid, values[np.maximum(at, 0)], np.nan)
        return lactate

    def due_escalations(self) -> list[dict[str, Any]]:
        """Escalations whose deadline the partition's watermark has passed (each once)."""
        if self.watermark == NEVER:
            return []
        return self.book.escalations(to_datetime(self.watermark))


def _previous(
    level: np.ndarray, before: np.ndarray | None, from_state: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """Per row, ``level`` at the previous scored row ``before`` (None: the row just
    before); rows ``from_state`` take ``initial`` (the state's level) instead."""
    if before is None:
        previous = np.empty_like(level)
        previous[1:] = level[:-1]
    else:
        previous = level[before]
    previous[from_state] = initial
    return previous


def _scores_table(batch: Batch, t: np.ndarray, fresh: np.ndarray, scored: dict) -> pa.Table:
    missing = ~fresh
    columns: dict[str, pa.Array] = {
        "patient_id": pa.array(batch["patient_id"]),
        "encounter_id": pa.array(
            batch.get("encounter_id", np.full(len(t), None, object)), pa.string()
        ),
        "unit_id": pa.array(batch.get("unit_id", np.full(len(t), None, object)), pa.string()),
        "observed_at": pa.array(t.view("datetime64[ns]"), pa.timestamp("ns")),
        "news2_score": pa.array(scored["total"].astype(np.int32), mask=missing),
        "news2_band": pa.DictionaryArray.from_arrays(
            pa.array(scored["band"], mask=missing), BAND_DICTIONARY
        ),
    }
    for name in PARAMETERS:
        columns[f"{name}_score"] = pa.array(scored[name].astype(np.int32), mask=missing)
    return pa.table(columns)
