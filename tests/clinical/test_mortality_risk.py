"""The case-mix mortality model behind expected deaths (SHMI / HSMR design)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clinical.mortality_risk import (
    age_band,
    charlson_band,
    expected_death_probability,
)


def population(seed: int = 3, size: int = 4000) -> tuple[pd.DataFrame, pd.Series]:
    """Discharges whose death risk rises with age, comorbidity and emergency admission."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 100, size)
    charlson = rng.integers(0, 8, size)
    emergency = rng.random(size) < 0.7
    drg = rng.choice(["291", "470", "871"], size)
    logit = -7 + 0.05 * age + 0.3 * charlson + 1.0 * emergency + 1.5 * (drg == "871")
    died = pd.Series(rng.random(size) < 1 / (1 + np.exp(-logit)))
    frame = pd.DataFrame(
        {
            "age_band": [age_band(a) for a in age],
            "sex": rng.choice(["F", "M"], size),
            "is_emergency_admission": emergency,
            "charlson_band": [charlson_band(c) for c in charlson],
            "diagnosis_group": drg,
        }
    )
    return frame, died


def test_expected_deaths_sum_to_observed_on_the_fitting_population() -> None:
    frame, died = population()
    expected = expected_death_probability(frame, died)
    assert expected.sum() == pytest.approx(died.sum(), rel=1e-8)
    # ... within every level of a risk factor too (its indicator's score equation,
    # up to the mild penalty): the model is calibrated by age band.
    by_band = pd.DataFrame({"band": frame["age_band"], "o": died, "e": expected}).groupby("band")
    sums = by_band.sum()
    np.testing.assert_allclose(sums["e"], sums["o"], rtol=0.05, atol=0.5)


def test_risk_rises_with_the_factors_that_raise_it() -> None:
    frame, died = population()
    expected = pd.Series(expected_death_probability(frame, died))
    by_age = expected.groupby(frame["age_band"]).mean()
    assert by_age["85+"] > by_age["65-74"] > by_age["<45"]
    assert (
        expected[frame["is_emergency_admission"]].mean()
        > expected[~frame["is_emergency_admission"]].mean()
    )
    assert (
        expected[frame["diagnosis_group"] == "871"].mean()
        > expected[frame["diagnosis_group"] == "470"].mean()
    )


def test_no_deaths_means_no_expected_deaths_and_missing_factors_are_a_level() -> None:
    frame, _ = population(size=50)
    assert (expected_death_probability(frame, pd.Series([False] * 50)) == 0).all()
    frame.loc[0, ["age_band", "sex", "charlson_band", "diagnosis_group"]] = None
    died = pd.Series([True] + [False] * 49)
    expected = expected_death_probability(frame, died)
    assert np.isfinite(expected).all() and expected.sum() == pytest.approx(1.0, rel=1e-8)


@pytest.mark.parametrize(
    ("age", "band"), [(44, "<45"), (45, "45-54"), (84, "75-84"), (85, "85+"), (None, "unknown")]
)
def test_age_bands(age, band) -> None:
    assert age_band(age) == band


@pytest.mark.parametrize(("index", "band"), [(0, "0"), (2, "2"), (3, "3-4"), (5, "5+")])
def test_charlson_bands(index, band) -> None:
    assert charlson_band(index) == band
