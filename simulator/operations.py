"""Staffing and unit costs, from each unit's census.

Nurses are rostered in two 12-hour shifts (07:00 day, 19:00 night) at unit
patient-to-nurse ratios (ICU 2, step-down 3, medical-surgical 5, maternity 4, as in
California's Title 22 minimum ratios). A unit's core roster covers its typical
census; extra demand and sick calls are filled with overtime first, then agency
nurses. Costs per unit and day: nursing (regular, overtime at 1.5x, agency at a
premium; BLS median RN wage plus benefits) and supplies per patient day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
SHIFTS = (("day", 7), ("night", 19))
SHIFT_HOURS = 12.0
PATIENTS_PER_NURSE = {"icu": 2, "stepdown": 3, "medsurg": 5, "maternity": 4}
REGULAR_RATE_USD, OVERTIME_RATE_USD, AGENCY_RATE_USD = 58.0, 87.0, 110.0
SUPPLIES_PER_PATIENT_DAY_USD = {
    "icu": 420.0,
    "stepdown": 210.0,
    "medsurg": 120.0,
    "maternity": 150.0,
}
SICK_CALL_RATE = 0.04


def census_at(segments: pd.DataFrame, unit_ids: np.ndarray, instants_ns: np.ndarray) -> np.ndarray:
    """Patients on each unit at each instant: array (units, instants)."""
    out = np.zeros((len(unit_ids), len(instants_ns)), dtype=np.int64)
    for u, unit_id in enumerate(unit_ids):
        rows = segments[segments["unit_id"] == unit_id]
        starts = np.sort(rows["from_ns"].to_numpy())
        ends = np.sort(rows["to_ns"].to_numpy())
        out[u] = np.searchsorted(starts, instants_ns, side="right") - np.searchsorted(
            ends, instants_ns, side="right"
        )
    return out


def staffing_and_costs(
    rng: np.random.Generator, segments: pd.DataFrame, units: pd.DataFrame, start_ns: int, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nurse shifts (one row per unit, day and shift) and unit costs (per unit and day)."""
    unit_ids = units["unit_id"].to_numpy()
    unit_type = units["unit_type"].to_numpy()
    ratio = np.array([PATIENTS_PER_NURSE[t] for t in unit_type])[:, None]
    shift_rows = []
    for shift, hour in SHIFTS:
        instants = start_ns + np.arange(days) * DAY_NS + (hour + 2) * HOUR_NS
        census = census_at(segments, unit_ids, instants)
        required = np.ceil(census / ratio).astype(np.int64)
        core = np.ceil(units["staffed_beds"].to_numpy()[:, None] * 0.72 / ratio).astype(np.int64)
        sick = rng.binomial(core, SICK_CALL_RATE)
        on_shift = core - sick
        gap = np.maximum(required - on_shift, 0)
        overtime = np.minimum(gap, rng.binomial(gap, 0.6))
        agency = gap - overtime
        worked = np.minimum(on_shift, np.maximum(required, 1))
        for u in range(len(unit_ids)):
            shift_rows.append(
                pd.DataFrame(
                    {
                        "unit_id": unit_ids[u],
                        "hospital_id": units["hospital_id"].iat[u],
                        "shift_date": pd.date_range(pd.Timestamp(start_ns), periods=days).date,
                        "shift_name": shift,
                        "patient_census": census[u],
                        "nurses_required": required[u],
                        "regular_hours": worked[u] * SHIFT_HOURS,
                        "overtime_hours": overtime[u] * SHIFT_HOURS,
                        "agency_hours": agency[u] * SHIFT_HOURS,
                    }
                )
            )
    shifts = pd.concat(shift_rows, ignore_index=True).sort_values(
        ["shift_date", "unit_id", "shift_name"], kind="stable"
    )
    shifts.insert(0, "nurse_shift_id", [f"NS{i + 1:07d}" for i in range(len(shifts))])

    midnights = start_ns + (np.arange(days) + 1) * DAY_NS
    patient_days = census_at(segments, unit_ids, midnights)
    daily = shifts.groupby(["unit_id", "shift_date"], sort=True)[
        ["regular_hours", "overtime_hours", "agency_hours"]
    ].sum()
    costs = daily.reset_index()
    by_unit = dict(zip(unit_ids, range(len(unit_ids)), strict=True))
    day_index = (pd.to_datetime(costs["shift_date"]) - pd.Timestamp(start_ns)).dt.days.to_numpy()
    unit_index = costs["unit_id"].map(by_unit).to_numpy()
    pd_count = patient_days[unit_index, day_index]
    supplies = np.array([SUPPLIES_PER_PATIENT_DAY_USD[unit_type[u]] for u in unit_index])
    costs = pd.DataFrame(
        {
            "unit_id": costs["unit_id"],
            "hospital_id": units["hospital_id"].to_numpy()[unit_index],
            "cost_date": costs["shift_date"],
            "patient_days": pd_count,
            "nursing_cost_usd": np.round(
                costs["regular_hours"] * REGULAR_RATE_USD
                + costs["overtime_hours"] * OVERTIME_RATE_USD
                + costs["agency_hours"] * AGENCY_RATE_USD,
                2,
            ),
            "supplies_cost_usd": np.round(
                pd_count * supplies * rng.lognormal(0, 0.15, len(costs)), 2
            ),
        }
    )
    return shifts.reset_index(drop=True), costs.sort_values(["cost_date", "unit_id"]).reset_index(
        drop=True
    )
