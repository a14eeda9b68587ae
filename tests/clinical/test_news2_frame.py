"""`vigil news2`'s table scorer: same result as the scalar scorer, errors instead of drops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clinical.news2 import PARAMETERS, ObservationSet, score
from clinical.news2_frame import score_frame


def random_sets(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "respiration_rate": rng.integers(5, 35, rows).astype(float),
            "spo2": rng.integers(80, 101, rows).astype(float),
            "on_supplemental_oxygen": rng.random(rows) < 0.3,
            "systolic_bp": rng.integers(70, 240, rows).astype(float),
            "pulse": rng.integers(35, 150, rows).astype(float),
            "consciousness": rng.choice(list("ACVPU"), rows),
            "temperature": rng.normal(37.5, 1.5, rows).round(1),
            "spo2_scale": rng.choice([1, 2], rows),
            "bed": [f"B{i}" for i in range(rows)],
        }
    )


def test_matches_the_scalar_scorer_row_for_row() -> None:
    frame = random_sets(500)
    scored = score_frame(frame)
    for row, out in zip(frame.to_dict("records"), scored.to_dict("records"), strict=True):
        expected = score(ObservationSet(**{k: v for k, v in row.items() if k != "bed"}))
        assert out["news2_score"] == expected.total
        assert out["news2_band"] == expected.band.label
        assert all(out[f"{p}_score"] == s for p, s in expected.subscores.items())
        assert pd.isna(out["error"])
    assert scored["bed"].tolist() == frame["bed"].tolist()  # extra columns pass through


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("temperature", 98.6, "temperature=98.6 is outside the plausible range 25.0-45.0"),
        ("pulse", None, "pulse is missing"),
        ("pulse", "fast", "pulse='fast' is not a number"),
        ("on_supplemental_oxygen", "maybe", "on_supplemental_oxygen='maybe' is not true or false"),
        ("consciousness", "X", "consciousness='X' is not one of A, C, V, P, U"),
        ("spo2_scale", 3, "spo2_scale must be 1 or 2, got 3"),
    ],
)
def test_bad_row_gets_an_error_and_no_score_and_is_kept(column, value, error) -> None:
    frame = random_sets(3).astype(object)
    frame.loc[1, column] = value
    scored = score_frame(frame)
    assert len(scored) == 3
    assert scored.loc[1, "error"] == error
    assert pd.isna(scored.loc[1, "news2_score"]) and pd.isna(scored.loc[1, "news2_band"])
    assert scored.loc[[0, 2], "error"].isna().all()


def test_text_booleans_and_default_scale() -> None:
    frame = pd.DataFrame([dict(zip(PARAMETERS, (16, 97, "true", 120, 70, "A", 37.0), strict=True))])
    scored = score_frame(frame)
    assert scored.loc[0, "news2_score"] == 2  # supplemental oxygen scores 2
    assert scored.loc[0, "on_supplemental_oxygen_score"] == 2


def test_missing_input_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="missing input column"):
        score_frame(random_sets(2).drop(columns=["pulse"]))
