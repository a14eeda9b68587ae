"""A seeded generator of a small hospital network's EHR feeds.

Produces reference tables (hospitals, units), patients, inpatient encounters with
their ADT events (HL7 A01 admit, A02 transfer, A03 discharge) and charted vital-sign
observation sets. Readmissions follow a known logistic risk function of age,
comorbidity, length of stay, acuity and prior admissions, and each discharge's true
risk is recorded in the ``ground_truth_readmission`` table, which only evaluation
code may read.

Every random draw comes from one ``numpy.random.Generator`` seeded by the config,
and events are processed in a fixed order, so the same config gives identical tables.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.config import NetworkConfig

UNIT_MIX = (("icu", 0.10), ("stepdown", 0.15), ("medsurg", 0.75))
PAYERS = (("medicare", 0.42), ("medicaid", 0.20), ("commercial", 0.32), ("self_pay", 0.06))
# Charting interval in hours (low, high) by unit type: ICU hourly, step-down 1-2 h,
# ward 4-8 h, as in typical nursing observation policies.
CHARTING_HOURS = {"icu": (1.0, 1.0), "stepdown": (1.0, 2.0), "medsurg": (4.0, 8.0)}
MEAN_LOS_DAYS = {"icu": 6.5, "stepdown": 5.0, "medsurg": 4.2}
READMISSION_WINDOW_DAYS = 30


def readmission_logit(
    age: np.ndarray,
    charlson: np.ndarray,
    los_days: np.ndarray,
    acuity: np.ndarray,
    prior: np.ndarray,
) -> np.ndarray:
    """The simulator's true 30-day readmission log-odds (LACE-like, documented)."""
    return (
        -2.75
        + 0.012 * (age - 65)
        + 0.22 * charlson
        + 0.06 * np.minimum(los_days, 14)
        + 0.35 * acuity
        + 0.30 * np.minimum(prior, 4)
    )


@dataclass
class _Admission:
    at: pd.Timestamp
    patient: int
    hospital: int
    prior: int


def _pick(
    rng: np.random.Generator, options: tuple[tuple[str, float], ...], size: int
) -> np.ndarray:
    names = np.array([name for name, _ in options])
    weights = np.array([weight for _, weight in options])
    return rng.choice(names, size=size, p=weights / weights.sum())


def reference_tables(config: NetworkConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    hospitals = pd.DataFrame(
        {
            "hospital_id": [f"H{h + 1:02d}" for h in range(config.hospitals)],
            "hospital_name": [f"Vigil General {h + 1}" for h in range(config.hospitals)],
            "staffed_beds": config.beds_per_hospital,
        }
    )
    units = []
    for hospital_id in hospitals["hospital_id"]:
        for unit_type, share in UNIT_MIX:
            units.append(
                {
                    "unit_id": f"{hospital_id}-{unit_type.upper()}",
                    "hospital_id": hospital_id,
                    "unit_type": unit_type,
                    "staffed_beds": max(2, round(config.beds_per_hospital * share)),
                }
            )
    return hospitals, pd.DataFrame(units)


def simulate(config: NetworkConfig) -> dict[str, pd.DataFrame]:
    """Simulate the network; returns one DataFrame per feed, keyed by feed name."""
    rng = np.random.default_rng(config.seed)
    hospitals, units = reference_tables(config)
    start = pd.Timestamp(config.start)
    end = start + pd.Timedelta(days=config.days)

    # New-patient admissions: Poisson per hospital-day at the rate that fills the
    # target occupancy (Little's law: arrivals = occupied beds / mean LOS).
    mean_los = sum(MEAN_LOS_DAYS[u] * s for u, s in UNIT_MIX)
    daily_rate = config.beds_per_hospital * config.target_occupancy / mean_los * 0.88
    queue: list[tuple[pd.Timestamp, int, _Admission]] = []
    patients: list[dict] = []
    counter = 0
    for hospital in range(config.hospitals):
        counts = rng.poisson(daily_rate, size=config.days)
        for day, count in enumerate(counts):
            hours = np.sort(rng.uniform(0, 24, size=count))
            for hour in hours:
                pid = len(patients)
                patients.append(_new_patient(rng, pid))
                at = start + pd.Timedelta(days=day, hours=float(hour))
                heapq.heappush(queue, (at, counter, _Admission(at, pid, hospital, 0)))
                counter += 1

    encounters, adt, truth = [], [], []
    while queue:
        at, _, adm = heapq.heappop(queue)
        if at >= end:
            continue
        patient = patients[adm.patient]
        enc_id = f"E{len(encounters) + 1:07d}"
        hospital_id = hospitals["hospital_id"].iat[adm.hospital]
        unit_type = _pick(rng, UNIT_MIX, 1)[0]
        acuity = {"icu": 2, "stepdown": 1, "medsurg": 0}[unit_type]
        los_days = float(
            rng.gamma(2.2, MEAN_LOS_DAYS[unit_type] / 2.2) * (1 + 0.05 * patient["charlson_index"])
        )
        los_days = max(los_days, 0.3)
        discharge_at = at + pd.Timedelta(hours=round(los_days * 24, 2))
        died = rng.random() < 0.004 + 0.006 * acuity + 0.002 * patient["charlson_index"]
        disposition = (
            "expired"
            if died
            else _pick(rng, (("home", 0.78), ("snf", 0.14), ("home_health", 0.08)), 1)[0]
        )
        # Still in house when the window ends: the EHR does not know the discharge yet.
        in_house = discharge_at >= end
        encounters.append(
            {
                "encounter_id": enc_id,
                "patient_id": patient["patient_id"],
                "hospital_id": hospital_id,
                "encounter_type": "inpatient",
                "admission_source": "readmission" if adm.prior else "ed",
                "acuity_level": acuity,
                "admitted_at": at,
                "discharged_at": None if in_house else discharge_at,
                "discharge_disposition": None if in_house else disposition,
            }
        )
        first_unit = f"{hospital_id}-{unit_type.upper()}"
        adt.append(_adt(enc_id, patient, hospital_id, first_unit, "A01", at))
        if unit_type == "icu" and los_days > 2:
            moved = at + pd.Timedelta(hours=round(los_days * 24 * rng.uniform(0.3, 0.6), 2))
            if moved < end:
                adt.append(
                    _adt(enc_id, patient, hospital_id, f"{hospital_id}-MEDSURG", "A02", moved)
                )
        if in_house:
            continue
        adt.append(_adt(enc_id, patient, hospital_id, adt[-1]["unit_id"], "A03", discharge_at))
        if died:
            continue
        logit = readmission_logit(
            np.array(patient["age_years"]),
            np.array(patient["charlson_index"]),
            np.array(los_days),
            np.array(acuity),
            np.array(adm.prior),
        )
        risk = float(1 / (1 + np.exp(-logit)))
        truth.append({"encounter_id": enc_id, "true_readmission_risk_30d": risk})
        if rng.random() < risk:
            gap = pd.Timedelta(days=float(rng.uniform(1, READMISSION_WINDOW_DAYS)))
            nxt = _Admission(discharge_at + gap, adm.patient, adm.hospital, adm.prior + 1)
            heapq.heappush(queue, (nxt.at, counter, nxt))
            counter += 1

    encounters_df = pd.DataFrame(encounters)
    adt_df = pd.DataFrame(adt)
    adt_df.insert(0, "adt_event_id", [f"A{i + 1:08d}" for i in range(len(adt_df))])
    patients_df = pd.DataFrame(patients)
    patients_df = patients_df[patients_df["patient_id"].isin(encounters_df["patient_id"])]
    return {
        "hospitals": hospitals,
        "units": units,
        "patients": patients_df.reset_index(drop=True),
        "encounters": encounters_df,
        "adt_events": adt_df,
        "vitals": _vitals(rng, encounters_df, adt_df, patients_df, end),
        "ground_truth_readmission": pd.DataFrame(truth),
    }


def _new_patient(rng: np.random.Generator, pid: int) -> dict:
    age = int(np.clip(rng.normal(62, 18), 18, 100))
    return {
        "patient_id": f"P{pid + 1:07d}",
        "age_years": age,
        "sex": "F" if rng.random() < 0.53 else "M",
        "charlson_index": int(min(rng.poisson(0.4 + age / 40), 12)),
        "primary_payer": "medicare"
        if age >= 65 and rng.random() < 0.9
        else _pick(rng, PAYERS, 1)[0],
        "zip3": f"{rng.integers(100, 999):03d}",
        "spo2_scale": 2 if rng.random() < 0.04 else 1,
    }


def _adt(enc_id: str, patient: dict, hospital_id: str, unit_id: str, event_type: str, at) -> dict:
    return {
        "encounter_id": enc_id,
        "patient_id": patient["patient_id"],
        "hospital_id": hospital_id,
        "unit_id": unit_id,
        "event_type": event_type,
        "event_at": at,
    }


def _vitals(
    rng: np.random.Generator,
    encounters: pd.DataFrame,
    adt: pd.DataFrame,
    patients: pd.DataFrame,
    end,
) -> pd.DataFrame:
    """Charted observation sets at unit-dependent intervals, sicker patients further from normal."""
    scale = patients.set_index("patient_id")["spo2_scale"]
    frames = []
    stays = adt[adt["event_type"] != "A03"].copy()
    stays["until"] = stays.groupby("encounter_id")["event_at"].shift(-1)
    discharged = stays["encounter_id"].map(encounters.set_index("encounter_id")["discharged_at"])
    stays["until"] = stays["until"].fillna(discharged).fillna(end)
    acuity = encounters.set_index("encounter_id")["acuity_level"]
    for row in stays.itertuples(index=False):
        unit_type = row.unit_id.rsplit("-", 1)[1].lower()
        low, high = CHARTING_HOURS[unit_type]
        until = min(row.until, end)
        span_h = (until - row.event_at).total_seconds() / 3600
        if span_h <= 0:
            continue
        steps = rng.uniform(low, high, size=int(span_h / low) + 2)
        offsets = np.cumsum(steps) - steps[0] * rng.random()
        offsets = offsets[(offsets >= 0) & (offsets < span_h)]
        n = len(offsets)
        if n == 0:
            continue
        sick = 0.5 * acuity[row.encounter_id] + rng.normal(0, 0.5)
        spo2_scale = int(scale[row.patient_id])
        oxygen = rng.random(n) < 0.04 + 0.1 * max(sick, 0)
        frame = pd.DataFrame(
            {
                "patient_id": row.patient_id,
                "encounter_id": row.encounter_id,
                "unit_id": row.unit_id,
                "observed_at": row.event_at + pd.to_timedelta(np.round(offsets * 3600), unit="s"),
                "respiration_rate": np.round(rng.normal(16 + 1.5 * sick, 2, n)).clip(4, 60),
                "spo2": np.round(rng.normal(97 - 1.2 * sick - 5 * (spo2_scale == 2), 1.3, n)).clip(
                    60, 100
                ),
                "on_supplemental_oxygen": oxygen,
                "systolic_bp": np.round(rng.normal(128 - 5 * sick, 13, n)).clip(50, 240),
                "pulse": np.round(rng.normal(78 + 6 * sick, 10, n)).clip(30, 200),
                "consciousness": np.where(rng.random(n) < 0.003 + 0.01 * max(sick, 0), "C", "A"),
                "temperature": np.round(rng.normal(36.8 + 0.2 * sick, 0.35, n), 1).clip(33, 42),
                "spo2_scale": spo2_scale,
            }
        )
        frames.append(frame)
    vitals = pd.concat(frames, ignore_index=True).sort_values(
        ["observed_at", "patient_id"], kind="stable"
    )
    # Missing readings: about 3 % of temperature values are not charted.
    vitals.loc[rng.random(len(vitals)) < 0.03, "temperature"] = np.nan
    vitals.insert(0, "observation_id", [f"O{i + 1:09d}" for i in range(len(vitals))])
    return vitals.reset_index(drop=True)
