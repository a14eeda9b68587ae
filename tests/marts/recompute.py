"""Headline metrics recomputed in plain pandas straight from the landed Parquet feeds.

Independent of dbt: nothing here reads the warehouse or the intermediate models; each
function restates a metric's published definition on the raw feeds, row by row where
that is the clearest way to say it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vigil.settings import DBT_PROJECT_DIR

PLANNED_SOURCES = {"elective", "planned"}
SEEDS = DBT_PROJECT_DIR / "seeds"
TRANSFER_DISPOSITIONS = {"transfer", "acute_transfer"}
AMA_DISPOSITIONS = {"against_medical_advice", "ama"}


def _median(values: pd.Series) -> float:
    values = values.dropna()
    return float(np.median(values)) if len(values) else np.nan


def kpi_daily(
    encounters: pd.DataFrame, hospitals: pd.DataFrame, adt: pd.DataFrame, ed: pd.DataFrame
) -> pd.DataFrame:
    """Census, occupancy, admissions, discharges, ALOS and the ED measures per hospital-day."""
    days = pd.date_range(adt["event_at"].min().normalize(), adt["event_at"].max().normalize())
    admitted = encounters["admitted_at"]
    discharged = encounters["discharged_at"]
    los = (discharged.dt.normalize() - admitted.dt.normalize()).dt.days.clip(lower=1)
    rows = []
    for hospital in hospitals.itertuples():
        mine = encounters["hospital_id"] == hospital.hospital_id
        ed_mine = ed[ed["hospital_id"] == hospital.hospital_id]
        for day in days:
            midnight = day + pd.Timedelta(days=1)
            in_bed = mine & (admitted < midnight) & (discharged.isna() | (discharged >= midnight))
            leaving = mine & (discharged.dt.normalize() == day)
            visits = ed_mine[ed_mine["arrived_at"].dt.normalize() == day]
            minutes = (visits["departed_at"] - visits["arrived_at"]).dt.total_seconds() / 60
            seen = (visits["provider_seen_at"] - visits["arrived_at"]).dt.total_seconds() / 60
            rows.append(
                {
                    "hospital_id": hospital.hospital_id,
                    "kpi_date": day,
                    "midnight_census": int(in_bed.sum()),
                    "occupancy_pct": 100.0 * in_bed.sum() / hospital.staffed_beds,
                    "admissions": int((mine & (admitted.dt.normalize() == day)).sum()),
                    "discharges": int(leaving.sum()),
                    "alos_days": float(los[leaving].mean()) if leaving.any() else np.nan,
                    "ed_arrivals": len(visits),
                    "median_door_to_provider_minutes": _median(seen),
                    "median_ed_length_of_stay_discharged_minutes": _median(
                        minutes[visits["disposition"] == "discharged"]
                    ),
                    "lwbs_pct": 100.0
                    * (visits["disposition"] == "left_without_being_seen").sum()
                    / len(visits)
                    if len(visits)
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def news2_responses(
    alerts: pd.DataFrame,
    acknowledgements: pd.DataFrame,
    escalations: pd.DataFrame,
    encounters: pd.DataFrame,
) -> pd.DataFrame:
    """NEWS2 alerts raised, acknowledged and escalated per hospital per day raised, and the
    median minutes to acknowledgement over the acknowledged ones (RCP 2017 response)."""
    news2 = alerts[alerts["alert_type"] == "news2"].merge(
        encounters[["encounter_id", "hospital_id"]], on="encounter_id"
    )
    acknowledged = acknowledgements[acknowledgements["alert_type"] == "news2"]
    escalated = escalations[escalations["alert_type"] == "news2"]
    news2 = news2.assign(
        kpi_date=news2["raised_at"].dt.normalize(),
        acknowledged_at=news2["alert_id"].map(
            acknowledged.set_index("alert_id")["acknowledged_at"]
        ),
        is_escalated=news2["alert_id"].isin(escalated["alert_id"]),
    )
    news2["minutes"] = (news2["acknowledged_at"] - news2["raised_at"]).dt.total_seconds() / 60
    return (
        news2.groupby(["hospital_id", "kpi_date"])
        .agg(
            news2_alerts_raised=("alert_id", "size"),
            news2_alerts_acknowledged=("acknowledged_at", "count"),
            news2_alerts_escalated=("is_escalated", "sum"),
            median_news2_minutes_to_acknowledgement=("minutes", _median),
        )
        .reset_index()
    )


def unit_hourly_census(adt: pd.DataFrame) -> pd.DataFrame:
    """Patients on each unit at the top of each hour, by brute force over the unit stays."""
    events = adt.sort_values(["encounter_id", "event_at", "adt_event_id"])
    events = events.assign(ended_at=events.groupby("encounter_id")["event_at"].shift(-1))
    stays = events[events["event_type"].isin(["A01", "A02"])]
    hours = pd.date_range(
        adt["event_at"].min().normalize(),
        adt["event_at"].max().normalize() + pd.Timedelta(hours=23),
        freq="h",
    )
    grid = hours.values[:, None]
    frames = []
    for unit_id, unit_stays in stays.groupby("unit_id"):
        start = unit_stays["event_at"].values[None, :]
        end = unit_stays["ended_at"].values[None, :]
        present = (start <= grid) & (np.isnat(end) | (end > grid))
        frames.append(
            pd.DataFrame({"unit_id": unit_id, "hour_start_at": hours, "census": present.sum(1)})
        )
    return pd.concat(frames, ignore_index=True)


def unit_hourly_boarders(
    ed: pd.DataFrame, encounters: pd.DataFrame, adt: pd.DataFrame
) -> pd.DataFrame:
    """Admitted ED patients waiting for a bed of each unit at the top of each hour.

    Boarding is the CMS ED-2 interval (admit decision to ED departure); the unit is the
    admitting unit of the encounter the visit led to. Brute force over every hour.
    """
    admitted = ed[(ed["disposition"] == "admitted") & ed["disposition_decided_at"].notna()]
    admitted = admitted.merge(
        encounters[["ed_visit_id", "admitting_unit_id"]], on="ed_visit_id", how="inner"
    )
    hours = pd.date_range(
        adt["event_at"].min().normalize(),
        adt["event_at"].max().normalize() + pd.Timedelta(hours=23),
        freq="h",
    )
    grid = hours.values[:, None]
    frames = []
    for unit_id in sorted(adt["unit_id"].unique()):
        mine = admitted[admitted["admitting_unit_id"] == unit_id]
        start = mine["disposition_decided_at"].values[None, :]
        end = mine["departed_at"].values[None, :]
        waiting = (start <= grid) & (np.isnat(end) | (end > grid))
        frames.append(
            pd.DataFrame({"unit_id": unit_id, "hour_start_at": hours, "boarders": waiting.sum(1)})
        )
    return pd.concat(frames, ignore_index=True)


def paa_planned_admissions(diagnoses: pd.DataFrame, procedures: pd.DataFrame) -> set[str]:
    """Encounters the CMS Planned Readmission Algorithm v4.0 calls planned, rule by rule,
    over the PAA tables and the CCS crosswalk (the reference seeds, read as CSV)."""
    dx_ccs = pd.read_csv(SEEDS / "ahrq/ahrq__ccs_icd10cm_diagnoses.csv", dtype=str)
    px_ccs = pd.read_csv(SEEDS / "ahrq/ahrq__ccs_icd10pcs_procedures.csv", dtype=str)
    dx_paa = pd.read_csv(SEEDS / "cms/cms__planned_readmission_diagnosis_categories.csv", dtype=str)
    px_paa = pd.read_csv(SEEDS / "cms/cms__planned_readmission_procedure_categories.csv", dtype=str)
    dx_category = dx_paa.set_index("ccs_diagnosis_category")["planned_status"]
    px_category = px_paa.set_index("ccs_procedure_category")["planned_status"]
    dx_status = dx_ccs.set_index("icd10cm_code")["ccs_diagnosis_category"].map(dx_category)
    px_status = px_ccs.set_index("icd10pcs_code")["ccs_procedure_category"].map(px_category)
    principal = diagnoses[
        (diagnoses["diagnosis_rank"] == 1) & (diagnoses["code_system"] == "ICD-10-CM")
    ]
    principal_status = dict(
        zip(
            principal["encounter_id"],
            principal["diagnosis_code"].str.replace(".", "").map(dx_status),
            strict=True,
        )
    )
    coded = procedures[procedures["code_system"] == "ICD-10-PCS"]
    procedure_status = (
        coded.assign(status=coded["procedure_code"].map(px_status))
        .groupby("encounter_id")["status"]
        .agg(set)
    )
    planned = set()
    for encounter in set(principal_status) | set(procedure_status.index):
        statuses = procedure_status.get(encounter, set())
        diagnosis = principal_status.get(encounter)
        if (
            "always_planned" in statuses
            or diagnosis == "always_planned"
            or ("potentially_planned" in statuses and diagnosis != "acute")
        ):
            planned.add(encounter)
    return planned


def hwr_readmissions(
    encounters: pd.DataFrame, data_end: pd.Timestamp, planned: set[str]
) -> pd.DataFrame:
    """CMS Hospital-Wide Readmission index admissions and unplanned readmissions per
    discharge; ``planned`` holds the admissions the Planned Readmission Algorithm calls
    planned."""
    ordered = encounters.sort_values(["patient_id", "admitted_at", "encounter_id"])
    rows = []
    for _, stays in ordered.groupby("patient_id", sort=False):
        stays = stays.to_dict("records")
        for position, stay in enumerate(stays):
            if pd.isna(stay["discharged_at"]):
                continue
            discharge_day = stay["discharged_at"].normalize()
            following = stays[position + 1] if position + 1 < len(stays) else None
            transferred = stay["discharge_disposition"] in TRANSFER_DISPOSITIONS or (
                following is not None
                and following["hospital_id"] != stay["hospital_id"]
                and 0 <= (following["admitted_at"].normalize() - discharge_day).days <= 1
            )
            eligible = not (
                stay["discharge_disposition"] == "expired"
                or stay["discharge_disposition"] in AMA_DISPOSITIONS
                or transferred
                or (data_end.normalize() - discharge_day).days < 30
            )
            readmitted = False
            if eligible:
                later = [
                    other
                    for other in stays
                    if other["encounter_id"] != stay["encounter_id"]
                    and other["admitted_at"] >= stay["discharged_at"]
                    and (other["admitted_at"].normalize() - discharge_day).days <= 30
                ]
                if later:
                    first = min(later, key=lambda other: other["admitted_at"])
                    readmitted = first["encounter_id"] not in planned
            rows.append(
                {
                    "hospital_id": stay["hospital_id"],
                    "quality_month": discharge_day.to_period("M").to_timestamp(),
                    "is_index": eligible,
                    "is_readmitted": readmitted,
                }
            )
    return pd.DataFrame(rows)


def _age_band(age: float) -> str:
    if pd.isna(age):
        return "unknown"
    edges = [(45, "<45"), (55, "45-54"), (65, "55-64"), (75, "65-74"), (85, "75-84")]
    return next((label for upper, label in edges if age < upper), "85+")


def _charlson_band(charlson: float) -> str:
    if pd.isna(charlson):
        return "unknown"
    return str(int(charlson)) if charlson <= 2 else "3-4" if charlson <= 4 else "5+"


def mortality(encounters: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """In-hospital deaths and expected deaths from a case-mix logistic regression
    (SHMI / HSMR design) fitted on every discharge, per hospital-month."""
    from sklearn.linear_model import LogisticRegression

    from clinical.mortality_risk import INVERSE_PENALTY, TOLERANCE

    done = encounters[encounters["discharged_at"].notna()].merge(
        patients[["patient_id", "age_years", "sex", "charlson_index"]], on="patient_id", how="left"
    )
    done = done.assign(
        died=done["discharge_disposition"] == "expired",
        quality_month=done["discharged_at"].dt.to_period("M").dt.to_timestamp(),
    )
    factors = pd.DataFrame(
        {
            "age": done["age_years"].map(_age_band),
            "sex": done["sex"].fillna("unknown"),
            "emergency": ~done["admission_source"].isin(PLANNED_SOURCES),
            "charlson": done["charlson_index"].map(_charlson_band),
            "drg": done["ms_drg_code"].fillna("unknown"),
        }
    ).astype(str)
    design = pd.get_dummies(factors, dtype=float).to_numpy()
    model = LogisticRegression(
        C=INVERSE_PENALTY, solver="newton-cholesky", tol=TOLERANCE, max_iter=1000
    ).fit(design, done["died"])
    done["expected"] = model.predict_proba(design)[:, 1]
    return (
        done.groupby(["hospital_id", "quality_month"])
        .agg(
            discharges=("died", "size"),
            in_hospital_deaths=("died", "sum"),
            expected_deaths=("expected", "sum"),
        )
        .reset_index()
    )


def finance(encounters: pd.DataFrame, claims: pd.DataFrame, remittances: pd.DataFrame):
    """CMI, initial denial rate (HFMA) and days in net A/R per hospital, discharge month, payer."""
    stays = encounters[["encounter_id", "hospital_id", "discharged_at", "ms_drg_weight"]]
    claims = claims.merge(stays, on="encounter_id")
    adjudication = remittances.set_index("claim_id")
    claims["adjudicated_at"] = claims["claim_id"].map(adjudication["adjudicated_at"])
    claims["is_denied"] = claims["claim_id"].map(adjudication["is_denied"])
    originals = claims[claims["claim_frequency_code"].astype(str) == "1"].copy()
    originals["finance_month"] = originals["discharged_at"].dt.to_period("M").dt.to_timestamp()
    rows = []
    for (hospital, month, payer), group in originals.groupby(
        ["hospital_id", "finance_month", "payer_id"]
    ):
        month_end = month + pd.offsets.MonthBegin(1)
        payer_claims = claims[(claims["hospital_id"] == hospital) & (claims["payer_id"] == payer)]
        open_claims = payer_claims[
            (payer_claims["submitted_at"] < month_end)
            & (
                payer_claims["adjudicated_at"].isna()
                | (payer_claims["adjudicated_at"] >= month_end)
            )
        ]
        billed = originals[
            (originals["hospital_id"] == hospital)
            & (originals["payer_id"] == payer)
            & (originals["submitted_at"].dt.to_period("M").dt.to_timestamp() == month)
        ]
        daily = billed["expected_reimbursement_usd"].sum() / month.days_in_month
        adjudicated = group["adjudicated_at"].notna().sum()
        rows.append(
            {
                "hospital_id": hospital,
                "finance_month": month,
                "payer_id": payer,
                "discharges": group["encounter_id"].nunique(),
                "case_mix_index": group["ms_drg_weight"].mean(),
                "denial_rate_pct": 100.0 * (group["is_denied"] == True).sum() / adjudicated  # noqa: E712
                if adjudicated
                else np.nan,
                "days_in_ar": open_claims["expected_reimbursement_usd"].sum() / daily
                if daily
                else np.nan,
            }
        )
    return pd.DataFrame(rows)
