"""Inpatient flow: a discrete-event simulation of beds, stays and readmissions.

Admission requests (ED admit decisions, scheduled electives, transfers in, labour and
delivery, and readmissions) are processed in time order against finite beds per unit:

* a free bed is taken at once; when the unit is full, an ED patient boards in the ED
  until the earliest bed frees, an elective admission is cancelled (and recorded), a
  transfer in is declined;
* length of stay is lognormal around the MS-DRG's geometric mean LOS, longer with
  comorbidity; discharges cluster late morning to afternoon; under ``case_mix_drift``
  Medicaid patients admitted from its start wait for post-acute placement
  (:data:`PLACEMENT_DELAY_FACTOR`);
* a latent deterioration process gives some stays an onset hours before an adverse
  event (rapid-response call, unplanned ICU transfer, cardiac arrest, death), and
  sepsis has an onset (present on admission for septicaemia DRGs);
* each live discharge has a true 30-day readmission risk from a known LACE-like
  logistic function (:func:`readmission_logit`) and is readmitted with that chance.

Random draws are taken per request from pre-drawn arrays, in a fixed order, so one
seed gives one history.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from simulator.reference import DRGS, drg_probabilities

HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
READMISSION_WINDOW_DAYS = 30
ELECTIVE_CANCEL_OCCUPANCY = 0.93
# Request kinds.
ED, ELECTIVE, TRANSFER, MATERNITY, READMIT, MOVE = range(6)
SOURCE_NAMES = ("ed", "elective", "transfer", "direct", "ed")
UNIT_TYPES = ("icu", "stepdown", "medsurg", "maternity")
ACUITY = {"icu": 2, "stepdown": 1, "medsurg": 0, "maternity": 0}
WARD_EVENTS = ("rapid_response", "unplanned_icu_transfer", "cardiac_arrest", "death")
WARD_EVENT_CUMULATIVE = np.cumsum([0.50, 0.27, 0.08, 0.15])
ICU_EVENT_CUMULATIVE = np.cumsum([0.0, 0.0, 0.50, 0.50])
DISPOSITIONS = ("home", "home_health", "snf", "against_medical_advice", "transfer")
DISPOSITION_CUMULATIVE_YOUNG = np.cumsum([0.80, 0.09, 0.06, 0.025, 0.025])
DISPOSITION_CUMULATIVE_OLD = np.cumsum([0.46, 0.22, 0.27, 0.01, 0.04])
# case_mix_drift's change of outcome (concept drift), beside its change of who arrives:
# the closure that sends the older, sicker, more often Medicaid patients also saturates
# the region's post-acute care, and nursing facilities and home-care agencies take
# Medicaid patients last (Medicaid-pending placements are a leading cause of delayed
# discharge), so from the scenario's start a Medicaid patient's stay (births excepted)
# lasts this many times as long as the same patient's would have. The model's features (payer among
# them) are unchanged, so only a model refitted on post-start stays can learn it.
PLACEMENT_DELAY_FACTOR = 2.0


def readmission_logit(
    age: np.ndarray | float,
    charlson: np.ndarray | float,
    los_days: np.ndarray | float,
    acuity: np.ndarray | float,
    prior: np.ndarray | float,
    ed_visits: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The simulator's true 30-day readmission log-odds (LACE-like: van Walraven 2010).

    Length of stay, acuity of admission, comorbidity (Charlson) and ED visits in the
    prior six months, plus age and prior admissions in the year.
    """
    return (
        -2.72
        + 0.010 * (np.asarray(age) - 65)
        + 0.20 * np.asarray(charlson)
        + 0.05 * np.minimum(los_days, 14)
        + 0.30 * np.asarray(acuity)
        + 0.12 * np.minimum(prior, 4)
        + 0.10 * np.minimum(ed_visits, 4)
    )


@dataclass
class Requests:
    """Admission requests of one hospital, sorted by time."""

    at_ns: np.ndarray
    kind: np.ndarray
    patient: np.ndarray  # index into the population arrays
    ed_visit: np.ndarray  # row of the ED visit (ED admits), else -1
    drg: np.ndarray  # index into DRGS


@dataclass
class Outcome:
    encounters: list[tuple] = field(default_factory=list)
    segments: list[tuple] = field(default_factory=list)  # enc, unit, bed, from, to
    adt: list[tuple] = field(default_factory=list)  # enc, unit, bed, code, at
    deterioration: list[tuple] = field(default_factory=list)  # enc, onset, event, type
    sepsis: list[tuple] = field(default_factory=list)  # enc, onset, present_on_admission
    readmission_truth: list[tuple] = field(default_factory=list)  # enc, risk, drawn
    cancellations: list[tuple] = field(default_factory=list)  # patient, drg, at, unit
    ed_boarding: dict[int, int] = field(default_factory=dict)  # ED row -> bedded at
    readmit_visits: list[tuple] = field(default_factory=list)  # patient, arrival, decision
    patient_swaps: dict[int, int] = field(default_factory=dict)  # ED row -> new patient


class _Unit:
    """Beds of one unit: busy beds by the time they free, free beds by number."""

    def __init__(self, beds: int):
        self.beds = beds
        self.free = list(range(beds))
        self.busy: list[tuple[int, int]] = []
        self.overflow = 0

    def release_until(self, t: int) -> None:
        while self.busy and self.busy[0][0] <= t:
            heapq.heappush(self.free, heapq.heappop(self.busy)[1])

    def occupied(self, t: int) -> int:
        self.release_until(t)
        return len(self.busy)

    def take(self, t: int, wait: bool) -> tuple[int, int]:
        """A bed at or after ``t``: (bed, time taken). Without ``wait``, overflow."""
        self.release_until(t)
        if self.free:
            return heapq.heappop(self.free), t
        if wait:
            free_at, bed = heapq.heappop(self.busy)
            return bed, free_at
        self.overflow += 1
        return self.beds + self.overflow, t

    def hold(self, bed: int, until: int) -> None:
        if bed < self.beds:
            heapq.heappush(self.busy, (until, bed))


def _pick(cumulative: np.ndarray, u: float) -> int:
    return min(
        int(np.searchsorted(cumulative, u * cumulative[-1], side="right")), len(cumulative) - 1
    )


def simulate_hospital(
    rng: np.random.Generator,
    requests: Requests,
    beds: dict[str, int],
    end_ns: int,
    age: np.ndarray,
    charlson: np.ndarray,
    ed_history: dict[int, list[int]],
    fresh_patients: list[int],
    first_encounter: int,
    medicaid: np.ndarray | None = None,
    placement_delay_from_ns: int = -1,
) -> Outcome:
    """Run the admissions of one hospital; encounters are numbered from ``first_encounter``.

    ``medicaid`` (per patient) and ``placement_delay_from_ns`` (>= 0: case_mix_drift's
    start) lengthen the stays of Medicaid patients admitted from then on (births
    excepted) by :data:`PLACEMENT_DELAY_FACTOR`; no random draw depends on them.
    """
    units = {name: _Unit(beds[name]) for name in UNIT_TYPES}
    out = Outcome()
    n_draws = len(requests.at_ns) * 2 + 1000
    draws = rng.random((n_draws, 17))
    lognormal = rng.normal(0, 1, n_draws)
    ed_drg_idx, ed_drg_p = drg_probabilities("ed")
    ed_drg_cumulative = np.cumsum(ed_drg_p)
    last_discharge: dict[int, int] = {}
    in_house_until: dict[int, int] = {}
    admissions: dict[int, list[int]] = {}
    queue: list[tuple[int, int, int, int, int, int]] = [
        (int(t), i, int(k), int(p), int(e), int(d))
        for i, (t, k, p, e, d) in enumerate(
            zip(
                requests.at_ns,
                requests.kind,
                requests.patient,
                requests.ed_visit,
                requests.drg,
                strict=True,
            )
        )
    ]
    heapq.heapify(queue)
    seq = len(queue)
    draw_row = 0
    encounter_no = first_encounter
    fresh = iter(fresh_patients)
    moves: dict[int, list[str]] = {}
    ends: dict[int, list[int]] = {}
    while queue:
        t, _, kind, patient, ed_row, drg_index = heapq.heappop(queue)
        if kind == MOVE:
            # A transfer, processed at its own time so beds free and fill in order.
            enc, step = patient, ed_row
            target, until, last_bed = moves[enc][step], ends[enc][step], None
            last_bed, _ = units[target].take(t, wait=False)
            units[target].hold(last_bed, until)
            out.segments.append((enc, target, last_bed, t, until))
            out.adt.append((enc, target, last_bed, "A02", t))
            if step == len(moves[enc]) - 1:
                out.adt.append((enc, target, last_bed, "A03", until))
            continue
        if t >= end_ns:
            continue
        if draw_row >= n_draws:
            draws = rng.random((n_draws, 17))
            lognormal = rng.normal(0, 1, n_draws)
            draw_row = 0
        u = draws[draw_row]
        z = lognormal[draw_row]
        draw_row += 1
        recently = last_discharge.get(patient, -(10**19)) > t - READMISSION_WINDOW_DAYS * DAY_NS
        if kind != READMIT and (in_house_until.get(patient, -1) > t or recently):
            # Only the known risk function makes 30-day readmissions: someone else comes.
            patient = next(fresh)
            if ed_row >= 0:
                out.patient_swaps[ed_row] = patient
        if drg_index < 0:
            drg_index = int(ed_drg_idx[_pick(ed_drg_cumulative, u[0])])
        drg = DRGS[drg_index]
        if drg.source == "maternity":
            unit_type = "maternity"
        elif u[1] < drg.icu_share:
            unit_type = "icu"
        elif u[1] < drg.icu_share + drg.stepdown_share:
            unit_type = "stepdown"
        else:
            unit_type = "medsurg"
        unit = units[unit_type]
        if kind == ELECTIVE and unit.occupied(t) >= ELECTIVE_CANCEL_OCCUPANCY * unit.beds:
            out.cancellations.append((patient, drg_index, t, unit_type))
            continue
        if kind == TRANSFER and unit.occupied(t) >= unit.beds:
            continue
        bed, admit_t = unit.take(t, wait=kind in (ED, READMIT))
        if admit_t >= end_ns:
            unit.hold(bed, admit_t)
            continue
        if ed_row != -1:
            out.ed_boarding[ed_row] = admit_t
        enc = encounter_no
        encounter_no += 1
        a, c = float(age[patient]), float(charlson[patient])
        los_days = drg.gmlos_days * np.exp(0.62 * z) * 1.08 * (1 + 0.04 * c)
        if (
            0 <= placement_delay_from_ns <= admit_t
            and medicaid is not None
            and medicaid[patient]
            and unit_type != "maternity"
        ):
            los_days *= PLACEMENT_DELAY_FACTOR
        nominal = admit_t + int(los_days * DAY_NS)
        hour = min(max(13.2 + 2.4 * (u[2] + u[3] + u[4] - 1.5) * 2, 8.0), 21.0)
        discharge_t = nominal - nominal % DAY_NS + int(hour * HOUR_NS)
        if discharge_t < admit_t + 4 * HOUR_NS:
            discharge_t += DAY_NS
        disposition = DISPOSITIONS[
            _pick(DISPOSITION_CUMULATIVE_OLD if a >= 75 else DISPOSITION_CUMULATIVE_YOUNG, u[5])
        ]
        stay = discharge_t - admit_t
        # Sepsis: present on admission for septicaemia DRGs, else a hospital-onset risk.
        sepsis_onset = -1
        if drg.is_sepsis:
            sepsis_onset = admit_t - int((1 + 5 * u[6]) * HOUR_NS)
            out.sepsis.append((enc, sepsis_onset, True))
        elif u[6] < 0.005 * (1 + 0.15 * c):
            sepsis_onset = admit_t + int(stay * 0.7 * u[7])
            out.sepsis.append((enc, sepsis_onset, False))
        # Deterioration: onset some hours before the event, within the stay.
        p_det = 0.045 * drg.mortality_factor * (1 + 0.025 * max(a - 55, 0)) * (1 + 0.08 * c)
        if sepsis_onset > admit_t:
            p_det = max(p_det, 0.35)
        transfers: list[tuple[int, str]] = []
        if u[8] < min(p_det, 0.7):
            onset = admit_t + int(stay * (0.05 + 0.8 * u[9]))
            if sepsis_onset > admit_t:
                onset = sepsis_onset + int(HOUR_NS * (1 + 4 * u[9]))
            lead = int(HOUR_NS * (2 + 10 * u[10]))
            event_t = onset + lead
            cumulative = ICU_EVENT_CUMULATIVE if unit_type == "icu" else WARD_EVENT_CUMULATIVE
            event = WARD_EVENTS[_pick(cumulative, u[11])]
            if event_t < discharge_t - HOUR_NS:
                out.deterioration.append((enc, onset, event_t, event))
                if event == "cardiac_arrest" and u[12] < 0.5:
                    out.deterioration.append(
                        (enc, event_t, event_t + int(HOUR_NS * u[13]), "death")
                    )
                    event, event_t = "death", event_t + int(HOUR_NS * u[13])
                if event == "death":
                    discharge_t, disposition = event_t, "expired"
                elif event == "unplanned_icu_transfer":
                    transfers.append((event_t, "icu"))
                    if discharge_t - event_t > 2 * DAY_NS:
                        transfers.append((event_t + int(0.5 * (discharge_t - event_t)), "medsurg"))
        if (
            unit_type == "icu"
            and not transfers
            and stay > 1.5 * DAY_NS
            and disposition != "expired"
        ):
            step_to = "stepdown" if u[12] < 0.4 else "medsurg"
            transfers.append((admit_t + int(stay * (0.3 + 0.3 * u[13])), step_to))
        # Beds along the stay: the first bed is held until the first move; each move is
        # an event of its own that takes a bed on the target unit at its time.
        first_until = transfers[0][0] if transfers else discharge_t
        unit.hold(bed, first_until)
        out.segments.append((enc, unit_type, bed, admit_t, first_until))
        out.adt.append((enc, unit_type, bed, "A01", admit_t))
        if transfers:
            moves[enc] = [target for _, target in transfers]
            ends[enc] = [m for m, _ in transfers[1:]] + [discharge_t]
            for step, (move_t, _) in enumerate(transfers):
                heapq.heappush(queue, (move_t, seq, MOVE, enc, step, -1))
                seq += 1
        else:
            out.adt.append((enc, unit_type, bed, "A03", discharge_t))
        in_house_until[patient] = discharge_t
        prior = [x for x in admissions.get(patient, []) if x >= admit_t - 365 * DAY_NS]
        admissions.setdefault(patient, []).append(admit_t)
        ed_visits = sum(
            1 for x in ed_history.get(patient, []) if admit_t - 182 * DAY_NS <= x < admit_t
        )
        out.encounters.append(
            (enc, patient, kind, drg_index, unit_type, admit_t, discharge_t, disposition, ed_row)
        )
        if disposition == "expired":
            continue
        last_discharge[patient] = discharge_t
        logit = readmission_logit(
            a,
            c,
            (discharge_t - admit_t) / DAY_NS,
            ACUITY[unit_type] + (kind != ELECTIVE),
            len(prior),
            ed_visits,
        )
        risk = float(1 / (1 + np.exp(-logit)))
        readmitted = bool(u[14] < risk)
        if discharge_t < end_ns:
            out.readmission_truth.append((enc, risk, readmitted))
        if readmitted:
            gap = min(0.5 - 9.0 * np.log1p(-u[15]), READMISSION_WINDOW_DAYS - 0.1)
            arrival = discharge_t + int(gap * DAY_NS)
            decision = arrival + int(HOUR_NS * (1.5 + 3 * u[16]))
            out.readmit_visits.append((patient, arrival, decision))
            heapq.heappush(
                queue, (decision, seq, READMIT, patient, -1 - len(out.readmit_visits), -1)
            )
            seq += 1
    return out
