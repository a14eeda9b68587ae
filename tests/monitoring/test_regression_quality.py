"""Model quality of a regressor (length of stay): MAE on ended stays and its relative change."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from monitoring.config import ModelMonitor, Thresholds
from monitoring.evaluate import PREDICTION, Champion, evaluate_day, reference_window
from monitoring.performance import regression_quality
from monitoring.policy import ResultView, breaches

START = datetime(2025, 1, 1)
MONITOR = ModelMonitor(
    slug="toy_los",
    model_name="toy-los",
    features_table="ml.toy_los",
    time_column="admitted_at",
    numeric=("age_years",),
    categorical=("sex",),
    model_features=("age_years", "charlson_index"),
    retrain_job="toy_los_retrain_job",
    task="regression",
    label="length_of_stay_days",
    label_mature_column="is_target_mature",
    thresholds=Thresholds(min_current_rows=20, min_labelled_rows=100),
)


def scored(actual: list[float], predicted: list[float], mature: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {"length_of_stay_days": actual, PREDICTION: predicted, "is_target_mature": mature}
    )


def test_mae_counts_ended_stays_only_and_compares_with_the_holdout_mae() -> None:
    # Open stays have no length yet (null) and are not mature: they must not count.
    current = scored([2.0, 5.0, None, 9.0], [3.0, 3.0, 4.0, 1.0], [True, True, False, False])
    quality = regression_quality(
        current.iloc[:0], current, "length_of_stay_days", PREDICTION, "is_target_mature", 1.2, 2
    )
    assert quality.labelled_rows == 2
    assert quality.mae == pytest.approx(1.5)  # |2-3| and |5-3|
    assert quality.mae_increase == pytest.approx(0.25)  # (1.5 - 1.2) / 1.2
    assert quality.auroc is None and quality.auroc_drop is None


def test_mae_without_a_holdout_figure_uses_the_reference_window() -> None:
    reference = scored([2.0, 4.0], [2.5, 3.0], [True, True])  # MAE 0.75
    current = scored([2.0, 4.0], [3.0, 2.0], [True, True])  # MAE 1.5
    quality = regression_quality(
        reference, current, "length_of_stay_days", PREDICTION, "is_target_mature", None, 2
    )
    assert quality.reference_mae == pytest.approx(0.75)
    assert quality.mae_increase == pytest.approx(1.0)


def test_too_few_ended_stays_give_no_mae() -> None:
    current = scored([2.0, 5.0], [3.0, 3.0], [True, True])
    quality = regression_quality(
        current, current, "length_of_stay_days", PREDICTION, "is_target_mature", 1.0, 3
    )
    assert quality.mae is None and quality.mae_increase is None


def stays(days: int, per_day: int, longer_from: int, seed: int = 0) -> pd.DataFrame:
    """Admissions; from day ``longer_from`` on, every stay lasts 3 days longer."""
    rng = np.random.default_rng(seed)
    frames = []
    for day in range(days):
        age = rng.normal(60, 15, per_day)
        charlson = rng.poisson(2, per_day).astype(float)
        los = 1 + 0.04 * age + 0.5 * charlson + rng.exponential(1.0, per_day)
        los += 3.0 if day >= longer_from else 0.0
        frames.append(
            pd.DataFrame(
                {
                    "admitted_at": START + timedelta(days=day, hours=10),
                    "age_years": age,
                    "charlson_index": charlson,
                    "sex": rng.choice(["F", "M"], per_day),
                    "length_of_stay_days": los,
                    "is_target_mature": True,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def evaluate(data: pd.DataFrame, day: date, tmp_path: Path):
    train = data[data["admitted_at"] < START + timedelta(days=40)]
    columns = list(MONITOR.model_columns)
    model = LinearRegression().fit(train[columns], train["length_of_stay_days"])

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.predict(frame[columns])

    holdout = data[data["admitted_at"].between(START + timedelta(days=40), START + timedelta(50))]
    holdout_mae = float(np.abs(predict(holdout) - holdout["length_of_stay_days"]).mean())
    champion = Champion(
        "1", train["admitted_at"].min(), train["admitted_at"].max(), holdout_mae=holdout_mae
    )
    reference = reference_window(MONITOR, data, champion)
    reference = reference.assign(**{PREDICTION: predict(reference)})
    return evaluate_day(MONITOR, data, reference, predict, champion, day, tmp_path, datetime.now())


def view(row: dict) -> ResultView:
    return ResultView(**{k: row[k] for k in ResultView.__dataclass_fields__ if k in row})


def test_longer_stays_raise_the_mae_past_the_threshold_and_trigger(tmp_path: Path) -> None:
    data = stays(days=100, per_day=30, longer_from=70)
    steady = evaluate(data, date(2025, 3, 10), tmp_path)  # day 68: before the change
    longer = evaluate(data, date(2025, 4, 10), tmp_path)  # day 99: 28-day window all longer
    assert steady.performance.labelled_rows == 28 * 30
    assert abs(steady.row["mae_increase"]) < 0.2
    assert not breaches(view(steady.row), MONITOR.thresholds)
    # Same features, 3 more days each: the error grows by about 3 days on a ~0.8-day MAE.
    assert longer.row["mae"] > steady.row["mae"] + 2
    assert longer.row["mae_increase"] > MONITOR.thresholds.max_mae_increase
    assert any("MAE up" in reason for reason in breaches(view(longer.row), MONITOR.thresholds))
    assert longer.row["auroc"] is None
    # Drift looks only at the monitored columns, not at charlson_index the model also reads.
    assert {c.column for c in longer.drift.columns} == {"age_years", "sex"}


def test_an_unknown_task_is_refused() -> None:
    with pytest.raises(ValueError, match="task"):
        ModelMonitor(
            slug="x", model_name="x", features_table="t.x", time_column="t",
            numeric=("a",), categorical=(), retrain_job="j", task="ranking",
        )  # fmt: skip
