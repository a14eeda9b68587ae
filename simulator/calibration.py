"""Calibration metrics computed from the landed feeds, with their published US ranges.

Each metric is computed the way its source defines it, from the raw tables only (no
ground truth), so the same numbers come out of the warehouse. Occupancy skips the
first two weeks, while the empty network fills (the simulation starts with no one in
house).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

WARM_UP_DAYS = 14


@dataclass(frozen=True)
class Target:
    name: str
    low: float
    high: float
    unit: str
    source: str


TARGETS = (
    Target(
        "average_length_of_stay_days",
        4.0,
        6.0,
        "days",
        "AHA Hospital Statistics; HCUP NIS (mean LOS 4.6-5.5 d)",
    ),
    Target(
        "readmission_30d_pct",
        12.0,
        17.0,
        "%",
        "CMS Care Compare READM_30_HOSP_WIDE national 14.6 % (2024-07)",
    ),
    Target(
        "in_hospital_mortality_pct",
        1.5,
        3.0,
        "%",
        "HCUP NIS statistical briefs (about 2 % of stays)",
    ),
    Target(
        "occupancy_pct",
        60.0,
        85.0,
        "%",
        "AHA Hospital Statistics (staffed-bed occupancy about 65-75 %)",
    ),
    Target("ed_lwbs_pct", 1.0, 5.0, "%", "CMS Care Compare OP-22 national 3 % (2024-07)"),
    Target(
        "ed_median_minutes_discharged",
        120.0,
        250.0,
        "min",
        "CMS Care Compare OP-18b national median 163 min (2024-07)",
    ),
    Target(
        "ed_admission_rate_pct", 10.0, 20.0, "%", "CDC NHAMCS 2021 ED summary (about 14 % admitted)"
    ),
    Target(
        "medicare_share_of_discharges_pct",
        35.0,
        50.0,
        "%",
        "AHA / HCUP: Medicare is the expected payer of about 40-45 % of stays",
    ),
    Target(
        "initial_denial_rate_pct",
        5.0,
        15.0,
        "%",
        "HFMA / Change Healthcare Denials Index (initial denial rate 10-12 %)",
    ),
    Target("days_in_ar", 35.0, 60.0, "days", "HFMA MAP Keys: net days in A/R, typical 40-55 days"),
)


def _window(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    weather = tables["weather_daily"]
    start = pd.Timestamp(weather["weather_date"].min())
    return start, pd.Timestamp(weather["weather_date"].max()) + pd.Timedelta(days=1)


def inpatient_metrics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    start, end = _window(tables)
    enc = tables["encounters"]
    done = enc.dropna(subset=["discharged_at"])
    los = (done["discharged_at"] - done["admitted_at"]).dt.total_seconds() / 86_400
    expired = done["discharge_disposition"] == "expired"
    # CMS HWR-style all-cause: a live discharge is readmitted if the same patient has
    # an inpatient admission within 30 days; only discharges with 30 days observed.
    index = done[~expired & (done["discharged_at"] + pd.Timedelta(days=30) <= end)]
    admits = enc[["patient_id", "admitted_at"]].sort_values("admitted_at")
    merged = index[["encounter_id", "patient_id", "discharged_at"]].merge(admits, on="patient_id")
    later = merged[
        (merged["admitted_at"] > merged["discharged_at"])
        & (merged["admitted_at"] <= merged["discharged_at"] + pd.Timedelta(days=30))
    ]
    readmitted = index["encounter_id"].isin(later["encounter_id"])
    payer = done["patient_id"].map(tables["patients"].set_index("patient_id")["primary_payer"])
    return {
        "average_length_of_stay_days": float(los.mean()),
        "readmission_30d_pct": 100 * float(readmitted.mean()),
        "in_hospital_mortality_pct": 100 * float(expired.mean()),
        "occupancy_pct": occupancy_pct(tables, start + pd.Timedelta(days=WARM_UP_DAYS), end),
        "medicare_share_of_discharges_pct": 100 * float((payer == "medicare").mean()),
    }


def occupancy_pct(tables: dict[str, pd.DataFrame], first: pd.Timestamp, end: pd.Timestamp) -> float:
    """Mean midnight census over staffed beds (AHA), over the midnights in [first, end)."""
    enc = tables["encounters"]
    midnights = pd.date_range(first + pd.Timedelta(days=1), end, freq="D", inclusive="left")
    if len(midnights) == 0:
        return float("nan")
    admitted = enc["admitted_at"].to_numpy()
    discharged = enc["discharged_at"].fillna(end + pd.Timedelta(days=1)).to_numpy()
    beds = tables["hospitals"]["staffed_beds"].sum()
    census = [((admitted < m) & (discharged >= m)).sum() for m in midnights.to_numpy()]
    return 100 * float(np.mean(census)) / beds


def ed_metrics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    visits = tables["ed_visits"].dropna(subset=["disposition"])
    discharged = visits[visits["disposition"] == "discharged"]
    minutes = (discharged["departed_at"] - discharged["arrived_at"]).dt.total_seconds() / 60
    return {
        "ed_lwbs_pct": 100 * float((visits["disposition"] == "left_without_being_seen").mean()),
        "ed_median_minutes_discharged": float(minutes.median()),
        "ed_admission_rate_pct": 100 * float((visits["disposition"] == "admitted").mean()),
    }


def revenue_metrics(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Initial denial rate and net days in A/R (HFMA), from claims and remittances."""
    if "claims" not in tables:
        return {}
    _, end = _window(tables)
    claims, remits = tables["claims"], tables["remittances"]
    originals = claims[claims["claim_frequency_code"] == "1"]
    first = remits[remits["claim_id"].isin(originals["claim_id"])]
    denial_rate = 100 * float(first["is_denied"].mean())
    # Net A/R at the end of the window: expected payment of each billed encounter not yet
    # paid (replacement claims included), over the average daily expected net revenue
    # billed in the last 90 days.
    encounter_of = claims.set_index("claim_id")["encounter_id"]
    paid = remits.groupby(remits["claim_id"].map(encounter_of))["paid_amount_usd"].sum()
    expected = originals.set_index("encounter_id")["expected_reimbursement_usd"]
    open_ar = (expected - paid.reindex(expected.index).fillna(0)).clip(lower=0)
    recent = originals["submitted_at"] >= end - pd.Timedelta(days=90)
    daily_revenue = originals.loc[recent, "expected_reimbursement_usd"].sum() / 90
    return {
        "initial_denial_rate_pct": denial_rate,
        "days_in_ar": float(open_ar.sum() / daily_revenue) if daily_revenue else float("nan"),
    }


def calibration_report(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per target: value, published range, source, and whether it is within."""
    values = {**inpatient_metrics(tables), **ed_metrics(tables), **revenue_metrics(tables)}
    rows = [
        {
            "metric": t.name,
            "value": round(values.get(t.name, float("nan")), 2),
            "low": t.low,
            "high": t.high,
            "unit": t.unit,
            "source": t.source,
            "is_within": t.low <= values.get(t.name, float("nan")) <= t.high,
        }
        for t in TARGETS
    ]
    return pd.DataFrame(rows)
