"""Data quality: missing and out-of-range values read from Evidently by metric type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.config import ColumnRange
from monitoring.quality import quality_report, summarize_quality

RANGES = (ColumnRange("age_years", 0, 120, "lifespan"),)


def frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age_years": rng.normal(65, 12, n).clip(18, 100),
            "charlson_index": rng.poisson(2, n).astype(float),
            "sex": rng.choice(["F", "M"], n),
        }
    )


def test_clean_window_has_no_quality_increase() -> None:
    _, summary = quality_report(
        frame(400, 0), frame(100, 1), ["age_years", "charlson_index"], ["sex"], RANGES
    )
    assert summary.max_missing_increase == 0.0
    assert summary.max_out_of_range_increase == 0.0


def test_missing_and_out_of_range_values_are_measured_against_reference() -> None:
    current = frame(100, 1)
    current.loc[:9, "charlson_index"] = np.nan  # 10% missing
    current.loc[10:29, "age_years"] = 250.0  # 20% impossible ages
    _, summary = quality_report(
        frame(400, 0), current, ["age_years", "charlson_index"], ["sex"], RANGES
    )
    by_column = {c.column: c for c in summary.columns}
    assert by_column["charlson_index"].missing_increase == pytest.approx(0.10)
    assert by_column["age_years"].out_of_range_increase == pytest.approx(0.20)
    assert summary.max_missing_increase == pytest.approx(0.10)
    assert by_column["sex"].out_of_range_share is None  # no range for categories


def test_summary_refuses_reports_without_the_columns() -> None:
    with pytest.raises(ValueError, match="no MissingValueCount"):
        summarize_quality({"metrics": []}, {"metrics": []}, ["age_years"])
