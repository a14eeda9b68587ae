"""The ED arrivals' case mix: a shift like case_mix_drift's is seen on its first day,
and ordinary days are not flagged."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from monitoring.config import IntakeThresholds
from monitoring.intake import (
    intake_drift,
    standardized_mean_difference,
    total_variation,
)

START = datetime(2025, 1, 1)
PAYERS = ["medicare", "medicaid", "commercial", "self_pay"]


def arrivals(days: int, per_day: int, drift_share: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """ED arrivals; a ``drift_share`` of them from a pool 12 years older with Charlson + 1
    and more Medicaid (the simulator's case_mix_drift)."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    drifted = rng.random(n) < drift_share
    age = np.clip(rng.normal(52, 19, n) + 12 * drifted, 18, 90).round()
    charlson = rng.poisson(0.6 + age / 60) + drifted
    payer_p = np.where(drifted[:, None], [0.45, 0.3, 0.2, 0.05], [0.35, 0.18, 0.4, 0.07])
    payer = [PAYERS[rng.choice(4, p=p)] for p in payer_p]
    return pd.DataFrame(
        {
            "arrived_at": [
                START + timedelta(days=i // per_day, minutes=i % 1440) for i in range(n)
            ],
            "age_years": age,
            "charlson_index": charlson.astype(float),
            "esi_level": rng.integers(1, 6, n).astype(float),
            "sex": rng.choice(["female", "male"], n),
            "primary_payer": payer,
            "arrival_mode": rng.choice(["walk_in", "ambulance"], n, p=[0.8, 0.2]),
        }
    )


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return arrivals(60, 150, seed=1)


def test_effect_sizes() -> None:
    assert standardized_mean_difference(pd.Series([0.0, 2.0]), pd.Series([1.0, 3.0])) == (
        pytest.approx(1 / np.std([0.0, 2.0], ddof=1))
    )
    assert total_variation(pd.Series(list("aabb")), pd.Series(list("aaab"))) == pytest.approx(0.25)
    assert total_variation(pd.Series(list("ab")), pd.Series(list("ab"))) == 0.0


def test_first_day_of_a_case_mix_shift_drifts(reference: pd.DataFrame) -> None:
    _, verdict = intake_drift(reference, arrivals(1, 150, drift_share=0.45, seed=2))
    assert verdict.is_drift
    assert "charlson_index" in verdict.drifted_columns
    charlson = next(c for c in verdict.columns if c.column == "charlson_index")
    assert charlson.effect > 0.3 and charlson.p_value < 1e-4


def test_ordinary_days_do_not_drift(reference: pd.DataFrame) -> None:
    flagged = [
        seed
        for seed in range(10, 22)
        if intake_drift(reference, arrivals(1, 150, seed=seed))[1].is_drift
    ]
    assert flagged == []


def test_tiny_but_significant_difference_is_not_drift(reference: pd.DataFrame) -> None:
    """A large day and a tiny shift: the p-value alone would flag it, the effect size not."""
    current = arrivals(1, 20_000, seed=3)
    current["age_years"] += 1.5  # 0.08 standard deviations
    _, verdict = intake_drift(reference, current)
    age = next(c for c in verdict.columns if c.column == "age_years")
    assert age.p_value < 1e-4 and not verdict.is_drift


def test_too_few_arrivals_are_not_judged(reference: pd.DataFrame) -> None:
    _, verdict = intake_drift(reference, arrivals(1, 30, drift_share=0.9, seed=4))
    assert verdict.drifted_columns and not verdict.is_drift


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError):
        IntakeThresholds(p_value=0)
    with pytest.raises(ValueError):
        IntakeThresholds(min_effect=0)
