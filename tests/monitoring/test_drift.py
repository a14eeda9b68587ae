"""Drift summaries read from Evidently's dictionary output by metric name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.drift import drift_report, summarize


def metric(kind: str, value, **config):
    return {
        "id": "x",
        "metric_name": kind,
        "config": {"type": f"evidently:metric_v2:{kind}", **config},
        "value": value,
    }


def test_summary_reads_metrics_by_name_not_position() -> None:
    report = {
        "metrics": [
            metric("ValueDrift", 0.01, column="age", method="K-S p_value", threshold=0.05),
            metric(
                "ValueDrift",
                0.2,
                column="los",
                method="Wasserstein distance (normed)",
                threshold=0.1,
            ),
            metric("DriftedColumnsCount", {"count": 2.0, "share": 2 / 3}, drift_share=0.5),
            metric("ValueDrift", 0.5, column="sex", method="Z-test p_value", threshold=0.05),
        ]
    }
    summary = summarize(report)
    assert summary.drifted_columns == ["age", "los"]
    assert summary.dataset_drift
    assert summary.drifted_columns_count == 2


def test_shifted_population_drifts_and_same_population_does_not() -> None:
    rng = np.random.default_rng(0)

    def population(n: int, age_mean: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(age_mean, 10, n),
                "charlson": rng.poisson(2, n).astype(float),
                "sex": rng.choice(["F", "M"], n),
            }
        )

    reference = population(800, 60)
    _, same = drift_report(reference, population(400, 60), ["age", "charlson"], ["sex"])
    _, shifted = drift_report(reference, population(400, 75), ["age", "charlson"], ["sex"])
    assert "age" not in same.drifted_columns
    assert "age" in shifted.drifted_columns


def test_prediction_drift_is_reported_apart_from_the_features() -> None:
    rng = np.random.default_rng(1)

    def population(n: int, risk_mean: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": rng.normal(60, 10, n),
                "charlson": rng.poisson(2, n).astype(float),
                "stay_days": rng.gamma(2, 2, n),
                "sex": rng.choice(["F", "M"], n),
                "risk": rng.beta(2, 2, n) * risk_mean * 2,
            }
        )

    numeric, categorical = ["age", "charlson", "stay_days"], ["sex"]
    reference = population(600, 0.2)
    _, stable = drift_report(reference, population(300, 0.2), numeric, categorical, "risk")
    _, shifted = drift_report(reference, population(300, 0.4), numeric, categorical, "risk")
    # The prediction is no feature: it neither appears among them nor counts toward the share.
    assert [c.column for c in shifted.columns] == numeric + categorical
    assert shifted.drifted_columns_count == len(shifted.drifted_columns)
    assert not stable.prediction_drift
    assert shifted.prediction_drift
    assert not shifted.dataset_drift  # the features did not move


def test_summary_requires_the_named_prediction() -> None:
    report = {"metrics": [metric("DriftedColumnsCount", {"count": 0.0, "share": 0.0})]}
    with pytest.raises(ValueError, match="prediction"):
        summarize(report, prediction_column="risk")


def test_a_feature_without_values_is_left_out_instead_of_failing() -> None:
    # e.g. the payer of an HL7 v2 load: an optional field the feed does not carry.
    rng = np.random.default_rng(1)
    reference = pd.DataFrame(
        {"age": rng.normal(60, 10, 300), "payer": pd.Series([None] * 300, dtype=object)}
    )
    current = reference.sample(150, random_state=1)
    _, summary = drift_report(reference, current, ["age"], ["payer"])
    assert [c.column for c in summary.columns] == ["age"]
    assert not summary.dataset_drift
