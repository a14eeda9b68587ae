"""Synthetic discharges with a known readmission risk, for tests that must not depend
on the simulator's current shape: the risk is a stated logistic function, so tests
know which direction every feature should push."""

from __future__ import annotations

import numpy as np
import pandas as pd


def true_logit(frame: pd.DataFrame) -> np.ndarray:
    return (
        -2.6
        + 0.015 * (frame["age_years"] - 65)
        + 0.25 * frame["charlson_index"]
        + 0.07 * np.minimum(frame["length_of_stay_days"], 14)
        + 0.3 * frame["acuity_level"]
        + 0.35 * np.minimum(frame["prior_admissions_365d"], 4)
        + 0.1 * np.minimum(frame["ed_visits_6_months"], 4)
        + 0.3 * frame["is_emergent_admission"]
    ).to_numpy()


def discharges(n: int = 2000, seed: int = 0, start: str = "2025-01-01") -> pd.DataFrame:
    """``n`` discharges over ~120 days, shaped like ``ml.readmission_features``."""
    rng = np.random.default_rng(seed)
    prior_365 = rng.poisson(0.5, n)
    frame = pd.DataFrame(
        {
            "encounter_id": [f"E{i:06d}" for i in range(n)],
            "patient_id": [f"P{i:06d}" for i in rng.permutation(n)],
            "hospital_id": rng.choice(["H1", "H2"], n),
            "discharged_at": pd.Timestamp(start)
            + pd.to_timedelta(np.sort(rng.uniform(0, 120 * 24, n)), unit="h"),
            "age_years": rng.integers(18, 95, n),
            "sex": rng.choice(["F", "M"], n),
            "primary_payer": rng.choice(
                ["medicare", "medicaid", "commercial"], n, p=[0.5, 0.2, 0.3]
            ),
            "charlson_index": np.minimum(rng.poisson(1.2, n), 12),
            "acuity_level": rng.choice([0, 1, 2], n, p=[0.7, 0.2, 0.1]),
            "is_emergent_admission": rng.random(n) < 0.85,
            "length_of_stay_days": np.round(rng.gamma(2.2, 2.0, n), 3),
            "prior_admissions_365d": prior_365,
            "ed_visits_6_months": rng.poisson(0.4, n),
        }
    )
    frame["discharge_date"] = frame["discharged_at"].dt.date
    frame["true_readmission_risk_30d"] = 1 / (1 + np.exp(-true_logit(frame)))
    frame["is_readmitted_30d"] = rng.random(n) < frame["true_readmission_risk_30d"]
    frame["is_label_mature"] = frame["discharged_at"] <= frame[
        "discharged_at"
    ].max() - pd.Timedelta(days=30)
    return frame


def features_and_truth(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The feature table (no true risk) and the ground-truth table, kept apart as in Vigil."""
    frame = discharges(n, seed)
    truth = frame[["encounter_id", "true_readmission_risk_30d"]]
    return frame.drop(columns="true_readmission_risk_30d"), truth


def stays(
    n: int = 3000, seed: int = 0, medicaid_longer_from: str | None = None, factor: float = 2.0
) -> pd.DataFrame:
    """Lognormal stays around a DRG's typical stay, 20% longer per Charlson point.

    ``medicaid_longer_from`` (a date): a quarter of the patients are Medicaid, and their
    stays admitted from that date on last ``factor`` times as long (a concept drift, as
    the simulator's case_mix_drift); the other columns are drawn as without it.
    """
    rng = np.random.default_rng(seed)
    drg = rng.choice(["871", "291", "470", "392"], n, p=[0.3, 0.3, 0.2, 0.2])
    typical = pd.Series(drg).map({"871": 4.5, "291": 3.4, "470": 2.1, "392": 2.8}).to_numpy()
    charlson = rng.poisson(1.5, n)
    frame = pd.DataFrame(
        {
            "encounter_id": [f"E{i}" for i in range(n)],
            "hospital_id": "H1",
            "admitted_at": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(np.sort(rng.uniform(0, 150, n)), unit="D"),
            "age_years": rng.integers(18, 95, n),
            "sex": rng.choice(["F", "M"], n),
            "primary_payer": rng.choice(["medicare", "commercial"], n),
            "charlson_index": charlson,
            "acuity_level": rng.choice([0, 1, 2], n),
            "admission_source": rng.choice(["ed", "elective"], n),
            "ms_drg_code": drg,
            "ms_drg_relative_weight": pd.Series(drg)
            .map({"871": 1.9, "291": 1.3, "470": 1.9, "392": 0.8})
            .to_numpy(),
            "prior_admissions_365d": rng.poisson(0.3, n),
        }
    )
    frame["length_of_stay_days"] = typical * np.exp(0.5 * rng.normal(size=n)) * 1.2**charlson
    frame["is_target_mature"] = True
    if medicaid_longer_from is not None:
        medicaid = rng.random(n) < 0.25
        frame.loc[medicaid, "primary_payer"] = "medicaid"
        shifted = medicaid & (frame["admitted_at"] >= pd.Timestamp(medicaid_longer_from))
        frame.loc[shifted, "length_of_stay_days"] *= factor
    return frame


def observation_sets(n: int = 4000, seed: int = 0, start: str = "2025-01-01") -> pd.DataFrame:
    """``n`` charted observation sets shaped like ``ml.deterioration_features``.

    A latent sickness moves every vital the way NEWS2 scores it and raises lactate; the
    24 h deterioration risk is a stated logistic function of that sickness and of a
    hypoperfusion seen only in lactate, so a model that reads vitals and lactate beats
    NEWS2, which reads vitals only.
    """
    rng = np.random.default_rng(seed)
    sick = rng.gamma(1.2, 0.8, n)
    hypoperfusion = rng.gamma(1.0, 0.8, n)  # seen in lactate only, not in the vitals
    previous_sick = np.maximum(sick - rng.normal(0.2, 0.4, n), 0)
    encounters = rng.integers(0, max(n // 10, 1), n)

    def vitals(level: np.ndarray, prefix: str) -> dict[str, object]:
        return {
            f"{prefix}respiration_rate_per_minute": np.round(
                15 + 3.5 * level + rng.normal(0, 1.5, n)
            ),
            f"{prefix}spo2_pct": np.clip(
                np.round(97.5 - 1.8 * level + rng.normal(0, 1, n)), 70, 100
            ),
            f"{prefix}is_on_supplemental_oxygen": rng.random(n) < 0.1 + 0.15 * level,
            f"{prefix}systolic_bp_mmhg": np.round(128 - 10 * level + rng.normal(0, 10, n)),
            f"{prefix}pulse_per_minute": np.round(78 + 10 * level + rng.normal(0, 8, n)),
            f"{prefix}acvpu_code": np.where(rng.random(n) < 0.02 + 0.05 * level, "C", "A"),
            f"{prefix}temperature_celsius": np.round(
                36.9 + 0.35 * level + rng.normal(0, 0.3, n), 1
            ),
        }

    frame = pd.DataFrame(
        {
            "observation_id": [f"O{i:07d}" for i in range(n)],
            "encounter_id": [f"E{e:05d}" for e in encounters],
            "patient_id": [f"P{e:05d}" for e in encounters],
            "hospital_id": np.where(encounters % 2 == 0, "H1", "H2"),
            "unit_id": "H1-MEDSURG",
            "unit_type": rng.choice(["medsurg", "stepdown", "icu"], n, p=[0.6, 0.25, 0.15]),
            "predicted_at": pd.Timestamp(start)
            + pd.to_timedelta(np.sort(rng.uniform(0, 60 * 24, n)), unit="h"),
            "age_years": rng.integers(18, 95, n),
            "sex": rng.choice(["F", "M"], n),
            "primary_payer": rng.choice(["medicare", "medicaid", "commercial"], n),
            "acuity_level": rng.choice([0, 1, 2], n),
            "hours_since_admission": rng.uniform(1, 200, n),
            **vitals(sick, ""),
            "spo2_scale": 1,
            "hours_since_previous_set": rng.uniform(1, 8, n),
            **vitals(previous_sick, "previous_"),
            "observation_sets_12h": rng.integers(1, 6, n),
            "lactate_mmol_per_l": np.where(
                rng.random(n) < 0.8,
                np.round(1.0 + 0.3 * sick + hypoperfusion + rng.normal(0, 0.2, n), 2),
                np.nan,
            ),
            "hours_since_lactate": rng.uniform(0, 24, n),
            "white_cell_count_10e3_per_ul": np.round(rng.normal(8, 2, n), 1),
            "creatinine_mg_per_dl": np.round(rng.gamma(4, 0.25, n), 2),
            "has_sepsis_recognised": rng.random(n) < 0.05,
        }
    )
    risk = 1 / (1 + np.exp(-(-5.5 + 1.1 * sick + 1.2 * hypoperfusion)))
    frame["is_deteriorated_24h"] = rng.random(n) < risk
    frame["hours_to_deterioration"] = np.where(
        frame["is_deteriorated_24h"], rng.uniform(0.5, 24, n), np.nan
    )
    frame["is_label_mature"] = True
    return frame
