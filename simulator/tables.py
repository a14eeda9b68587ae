"""Assemble the simulation's outcomes into the landed feeds and the ground truth.

Only what the hospital's systems would know by the end of the window is landed:
times at or after the end are unknown (null), and events after it are absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import vitals
from simulator.config import NetworkConfig
from simulator.feeds import derived_feeds, received_at
from simulator.inpatient import ACUITY, DAY_NS, SOURCE_NAMES, Outcome
from simulator.reference import DRG_CODES, DRGS

NS = "datetime64[ns]"


def _ts(ns: np.ndarray, end_ns: int) -> np.ndarray:
    """Nanoseconds to timestamps; negative (absent) or at/after the end -> NaT."""
    ns = np.asarray(ns, dtype=np.int64)
    out = ns.astype(NS)
    out[(ns < 0) | (ns >= end_ns)] = np.datetime64("NaT")
    return out


def _ed_visits(ed_frames: list, outcomes: list[Outcome], end_ns: int) -> pd.DataFrame:
    frames = []
    for (hospital_id, chosen, esi, arrival, visit), outcome in zip(
        ed_frames, outcomes, strict=True
    ):
        patient = chosen.copy()
        for row, swapped in outcome.patient_swaps.items():
            patient[row] = swapped
        departure = visit["departure_ns"].copy()
        admitted = np.flatnonzero(visit["is_admitted"])
        departure[admitted] = [outcome.ed_boarding.get(int(r), -1) for r in admitted]
        frame = pd.DataFrame(
            {
                "hospital_id": hospital_id,
                "row_code": np.arange(len(arrival)),
                "patient": patient,
                "arrival_ns": arrival,
                "arrival_mode": visit["arrival_mode"],
                "esi_level": esi,
                "provider_seen_ns": visit["provider_seen_ns"],
                "decision_ns": visit["decision_ns"],
                "departure_ns": departure,
                "disposition": visit["disposition"],
            }
        )
        if outcome.readmit_visits:
            readmit = np.array(outcome.readmit_visits, dtype=np.int64)
            codes = -2 - np.arange(len(readmit))
            frames.append(
                pd.DataFrame(
                    {
                        "hospital_id": hospital_id,
                        "row_code": codes,
                        "patient": readmit[:, 0],
                        "arrival_ns": readmit[:, 1],
                        "arrival_mode": np.where(codes % 3 == 0, "ambulance", "walk_in"),
                        "esi_level": np.where(codes % 2 == 0, 2, 3),
                        "provider_seen_ns": readmit[:, 1] + (readmit[:, 2] - readmit[:, 1]) // 4,
                        "decision_ns": readmit[:, 2],
                        "departure_ns": [outcome.ed_boarding.get(int(c), -1) for c in codes],
                        "disposition": "admitted",
                    }
                )
            )
        frames.append(frame)
    visits = pd.concat(frames, ignore_index=True)
    visits = visits[visits["arrival_ns"] < end_ns]
    visits = visits.sort_values(["arrival_ns", "hospital_id", "row_code"], kind="stable")
    visits["ed_visit_id"] = [f"V{i + 1:08d}" for i in range(len(visits))]
    return visits.reset_index(drop=True)


def coded_stays(encounters: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Principal diagnosis and procedure of every coded (discharged) stay, by its MS-DRG.

    Coded on admission day; stays still in house have no DRG and no codes yet.
    """
    coded = encounters[encounters["ms_drg_code"].notna()]
    codes = coded["ms_drg_code"].map(DRG_CODES)
    diagnoses = pd.DataFrame(
        {
            "diagnosis_id": "D" + coded["encounter_id"].str[1:],
            "patient_id": coded["patient_id"],
            "encounter_id": coded["encounter_id"],
            "code_system": "ICD-10-CM",
            "diagnosis_code": [code[0] for code in codes],
            "diagnosis_rank": 1,
            "diagnosed_at": coded["admitted_at"],
        }
    ).reset_index(drop=True)
    with_procedure = np.array([code[1] is not None for code in codes], dtype=bool)
    operated = coded.loc[with_procedure]
    procedures = pd.DataFrame(
        {
            "procedure_id": "R" + operated["encounter_id"].str[1:],
            "patient_id": operated["patient_id"],
            "encounter_id": operated["encounter_id"],
            "code_system": "ICD-10-PCS",
            "procedure_code": [code[1] for code in codes[with_procedure]],
            "performed_at": operated["admitted_at"],
        }
    ).reset_index(drop=True)
    return diagnoses, procedures


def build_tables(
    rng: np.random.Generator,
    config: NetworkConfig,
    hospitals: pd.DataFrame,
    units: pd.DataFrame,
    patients: pd.DataFrame,
    weather: pd.DataFrame,
    ed_frames: list,
    outcomes: list[Outcome],
    drgs: pd.DataFrame,
    payers: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    start_ns = pd.Timestamp(config.start).value
    end_ns = start_ns + config.days * DAY_NS
    hospital_ids = list(hospitals["hospital_id"])
    visits = _ed_visits(ed_frames, outcomes, end_ns)
    visit_id = {
        (h, int(c)): v
        for h, c, v in zip(
            visits["hospital_id"], visits["row_code"], visits["ed_visit_id"], strict=True
        )
    }

    enc_rows, seg_rows, adt_rows, det_rows, sep_rows, truth_rows, cancel_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for hospital_id, outcome in zip(hospital_ids, outcomes, strict=True):
        for (
            enc,
            patient,
            kind,
            drg,
            unit_type,
            admit,
            discharge,
            disposition,
            ed_row,
        ) in outcome.encounters:
            enc_rows.append(
                (
                    enc,
                    hospital_id,
                    patient,
                    kind,
                    drg,
                    unit_type,
                    admit,
                    discharge,
                    disposition,
                    visit_id.get((hospital_id, ed_row)) if ed_row != -1 else None,
                )
            )
        seg_rows += [(hospital_id, *s) for s in outcome.segments]
        adt_rows += [(hospital_id, *a) for a in outcome.adt]
        det_rows += outcome.deterioration
        sep_rows += outcome.sepsis
        truth_rows += outcome.readmission_truth
        cancel_rows += [(hospital_id, *c) for c in outcome.cancellations]

    enc = pd.DataFrame(
        enc_rows,
        columns=[
            "encounter",
            "hospital_id",
            "patient",
            "kind",
            "drg",
            "unit_type",
            "admit_ns",
            "discharge_ns",
            "disposition",
            "ed_visit_id",
        ],
    ).sort_values("encounter", kind="stable")
    enc["encounter_id"] = [f"E{e:07d}" for e in enc["encounter"]]
    enc["patient_id"] = patients["patient_id"].to_numpy()[enc["patient"].to_numpy()]
    in_house = enc["discharge_ns"].to_numpy() >= end_ns
    encounters = pd.DataFrame(
        {
            "encounter_id": enc["encounter_id"],
            "patient_id": enc["patient_id"],
            "hospital_id": enc["hospital_id"],
            "encounter_type": "inpatient",
            "admission_source": [SOURCE_NAMES[k] for k in enc["kind"]],
            "acuity_level": [ACUITY[u] for u in enc["unit_type"]],
            "admitted_at": _ts(enc["admit_ns"], end_ns),
            "discharged_at": _ts(enc["discharge_ns"], end_ns),
            "discharge_disposition": np.where(in_house, None, enc["disposition"]),
            "ed_visit_id": enc["ed_visit_id"],
            "admitting_unit_id": enc["hospital_id"] + "-" + enc["unit_type"].str.upper(),
            "ms_drg_code": [DRGS[d].code for d in enc["drg"]],
            "ms_drg_weight": [DRGS[d].weight for d in enc["drg"]],
        }
    )
    # The DRG is assigned by coding after discharge: unknown while in house.
    encounters.loc[in_house, ["ms_drg_code", "ms_drg_weight"]] = None
    encounters = encounters.sort_values(["admitted_at", "encounter_id"], kind="stable").reset_index(
        drop=True
    )

    enc_index = enc.set_index("encounter")
    adt = pd.DataFrame(
        adt_rows, columns=["hospital_id", "encounter", "unit_type", "bed", "code", "at_ns"]
    )
    adt = adt[adt["at_ns"] < end_ns].sort_values(["at_ns", "encounter"], kind="stable")
    adt_events = pd.DataFrame(
        {
            "adt_event_id": [f"A{i + 1:08d}" for i in range(len(adt))],
            "encounter_id": enc_index.loc[adt["encounter"], "encounter_id"].to_numpy(),
            "patient_id": enc_index.loc[adt["encounter"], "patient_id"].to_numpy(),
            "hospital_id": adt["hospital_id"].to_numpy(),
            "unit_id": (adt["hospital_id"] + "-" + adt["unit_type"].str.upper()).to_numpy(),
            "bed_id": (
                adt["hospital_id"]
                + "-"
                + adt["unit_type"].str.upper()
                + "-"
                + (adt["bed"] + 1).astype(str).str.zfill(3)
            ).to_numpy(),
            "event_type": adt["code"].to_numpy(),
            "event_at": _ts(adt["at_ns"].to_numpy(), end_ns),
        }
    )

    seg = pd.DataFrame(
        seg_rows, columns=["hospital_id", "encounter", "unit_type", "bed", "from_ns", "to_ns"]
    )
    det = pd.DataFrame(det_rows, columns=["encounter", "onset_ns", "event_ns", "event_type"])
    first_det = det.drop_duplicates("encounter").set_index("encounter")
    sep = pd.DataFrame(
        sep_rows, columns=["encounter", "onset_ns", "present_on_admission"]
    ).set_index("encounter")
    state = enc_index.assign(
        onset_ns=first_det["onset_ns"], event_ns=first_det["event_ns"], sepsis_ns=sep["onset_ns"]
    ).fillna({"onset_ns": -1, "event_ns": -1, "sepsis_ns": -1})
    state["sick"] = 0.5 * np.array([ACUITY[u] for u in state["unit_type"]]) + rng.normal(
        0, 0.5, len(state)
    )
    spo2_scale = patients["spo2_scale"].to_numpy()
    unit_ids = (seg["hospital_id"] + "-" + seg["unit_type"].str.upper()).to_numpy()
    monitor = units.set_index("unit_id")["monitor_model"]
    device_drift = config.scenario("device_drift")
    drift_ns = pd.Timestamp(device_drift.start).value if device_drift else -1
    seg_state = state.loc[seg["encounter"]]
    stays = vitals.Stays(
        encounter=seg["encounter"].to_numpy(),
        unit_type=seg["unit_type"].to_numpy(),
        unit_id=unit_ids,
        start_ns=seg["from_ns"].to_numpy(),
        end_ns=seg["to_ns"].to_numpy(),
        sick=seg_state["sick"].to_numpy(),
        onset_ns=seg_state["onset_ns"].to_numpy().astype(np.int64),
        event_ns=seg_state["event_ns"].to_numpy().astype(np.int64),
        sepsis_ns=seg_state["sepsis_ns"].to_numpy().astype(np.int64),
        spo2_scale=spo2_scale[seg_state["patient"].to_numpy()],
        drift_from_ns=np.where(monitor.loc[unit_ids].to_numpy() == "VM-200", drift_ns, -1),
    )
    charted = vitals.charted_vitals(rng, stays, end_ns)
    charted.insert(0, "patient_id", enc_index.loc[charted["encounter"], "patient_id"].to_numpy())
    charted.insert(
        1, "encounter_id", enc_index.loc[charted["encounter"], "encounter_id"].to_numpy()
    )
    charted["observed_at"] = charted["observed_ns"].to_numpy().astype(NS)
    charted = charted.sort_values(["observed_ns", "patient_id"], kind="stable")
    vitals_df = charted[
        [
            "patient_id",
            "encounter_id",
            "unit_id",
            "observed_at",
            "respiration_rate",
            "spo2",
            "on_supplemental_oxygen",
            "systolic_bp",
            "pulse",
            "consciousness",
            "temperature",
            "spo2_scale",
        ]
    ].reset_index(drop=True)
    vitals_df.insert(0, "observation_id", [f"O{i + 1:09d}" for i in range(len(vitals_df))])
    vitals_df["received_at"] = received_at(
        rng,
        charted["observed_ns"].to_numpy(),
        enc_index.loc[charted["encounter"], "hospital_id"].to_numpy(),
        config,
        hospital_ids[0],
    ).astype(NS)

    seen = set(visits["patient"]).union(enc["patient"]).union(c[1] for c in cancel_rows)
    keep = np.array(sorted(seen), dtype=np.int64)
    patients_df = patients.iloc[keep].drop(columns="visit_propensity").reset_index(drop=True)

    ed_visits = pd.DataFrame(
        {
            "ed_visit_id": visits["ed_visit_id"],
            "patient_id": patients["patient_id"].to_numpy()[visits["patient"].to_numpy()],
            "hospital_id": visits["hospital_id"],
            "arrived_at": _ts(visits["arrival_ns"], end_ns),
            "arrival_mode": visits["arrival_mode"],
            "esi_level": visits["esi_level"].astype(np.int64),
            "provider_seen_at": _ts(visits["provider_seen_ns"], end_ns),
            "disposition_decided_at": _ts(visits["decision_ns"], end_ns),
            "departed_at": _ts(visits["departure_ns"], end_ns),
            "disposition": visits["disposition"],
        }
    )
    # The disposition is only known once decided (LWBS: once the patient is gone).
    undecided = ed_visits["disposition_decided_at"].isna() & ed_visits["departed_at"].isna()
    ed_visits.loc[undecided, "disposition"] = None

    cancel = pd.DataFrame(
        cancel_rows, columns=["hospital_id", "patient", "drg", "at_ns", "unit_type"]
    ).sort_values(["at_ns", "hospital_id"], kind="stable")
    elective_cancellations = pd.DataFrame(
        {
            "cancellation_id": [f"X{i + 1:07d}" for i in range(len(cancel))],
            "patient_id": patients["patient_id"].to_numpy()[
                cancel["patient"].to_numpy(dtype=np.int64)
            ],
            "hospital_id": cancel["hospital_id"].to_numpy(),
            "unit_id": (cancel["hospital_id"] + "-" + cancel["unit_type"].str.upper()).to_numpy(),
            "ms_drg_code": [DRGS[d].code for d in cancel["drg"]],
            "scheduled_at": cancel["at_ns"].to_numpy(dtype=np.int64).astype(NS),
            "cancellation_reason": "no_bed",
        }
    )
    diagnoses, procedures = coded_stays(encounters)
    tables = {
        "hospitals": hospitals,
        "units": units,
        "payers": payers,
        "ms_drgs": drgs,
        "patients": patients_df,
        "ed_visits": ed_visits,
        "encounters": encounters,
        "elective_cancellations": elective_cancellations,
        "adt_events": adt_events,
        "vitals": vitals_df,
        "weather_daily": weather,
        "diagnoses": diagnoses,
        "procedures": procedures,
    }
    truth = {
        "ground_truth_readmission": pd.DataFrame(
            {
                "encounter_id": [f"E{e:07d}" for e, _, _ in truth_rows],
                "true_readmission_risk_30d": [r for _, r, _ in truth_rows],
                "is_readmission_drawn": [d for _, _, d in truth_rows],
            }
        )
        .sort_values("encounter_id", kind="stable")
        .reset_index(drop=True),
        "ground_truth_deterioration": det[det["onset_ns"] < end_ns]
        .assign(
            encounter_id=lambda d: [f"E{e:07d}" for e in d["encounter"]],
            onset_at=lambda d: d["onset_ns"].to_numpy().astype(NS),
            event_at=lambda d: _ts(d["event_ns"].to_numpy(), end_ns),
        )[["encounter_id", "onset_at", "event_at", "event_type"]]
        .reset_index(drop=True),
        "ground_truth_sepsis": sep[sep["onset_ns"] < end_ns]
        .reset_index()
        .assign(
            encounter_id=lambda d: [f"E{e:07d}" for e in d["encounter"]],
            onset_at=lambda d: d["onset_ns"].to_numpy().astype(NS),
            is_present_on_admission=lambda d: d["present_on_admission"].astype(bool),
        )[["encounter_id", "onset_at", "is_present_on_admission"]],
    }
    derived_state = state.assign(
        payer_class=patients["primary_payer"].to_numpy()[state["patient"].to_numpy()],
        charlson=patients["charlson_index"].to_numpy()[state["patient"].to_numpy()],
        ms_drg_code=[DRGS[d].code for d in state["drg"]],
        ms_drg_weight=[DRGS[d].weight for d in state["drg"]],
    ).rename(columns={"admit_ns": "admit_ns"})
    seg["unit_id"] = unit_ids
    derived = derived_feeds(rng, config, hospitals, units, derived_state, seg, det, end_ns)
    landed = {k: v for k, v in derived.items() if not k.startswith("ground_truth_")}
    truth.update({k: v for k, v in derived.items() if k.startswith("ground_truth_")})
    return {**tables, **landed, **truth}
