"""A day's evaluation against the champion's training window, with a real fitted model."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from monitoring.config import ColumnRange, ModelMonitor, Thresholds
from monitoring.evaluate import PREDICTION, Champion, evaluate_day, reference_window

MONITOR = ModelMonitor(
    slug="toy",
    model_name="toy-model",
    features_table="ml.toy",
    time_column="discharged_at",
    numeric=("age_years", "charlson_index"),
    categorical=("sex",),
    retrain_job="toy_retrain_job",
    label="is_readmitted_30d",
    label_mature_column="is_label_mature",
    ranges=(ColumnRange("age_years", 0, 120, "lifespan"),),
    thresholds=Thresholds(min_current_rows=20),
)
START = datetime(2025, 1, 1)


def features(days: int, per_day: int, shift_from: int | None, seed: int = 0) -> pd.DataFrame:
    """Discharges over ``days``; from day ``shift_from`` on, an older, sicker case mix."""
    rng = np.random.default_rng(seed)
    frames = []
    for day in range(days):
        shifted = shift_from is not None and day >= shift_from
        age = rng.normal(80 if shifted else 60, 10, per_day)
        charlson = rng.poisson(5 if shifted else 2, per_day).astype(float)
        risk = 1 / (1 + np.exp(-(-4 + 0.03 * age + 0.3 * charlson)))
        frames.append(
            pd.DataFrame(
                {
                    "discharged_at": START + timedelta(days=day, hours=12),
                    "age_years": age,
                    "charlson_index": charlson,
                    "sex": rng.choice(["F", "M"], per_day),
                    "is_readmitted_30d": rng.random(per_day) < risk,
                    "is_label_mature": day < days - 30,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def setting():
    data = features(days=100, per_day=40, shift_from=80)
    train = data[data["discharged_at"] < START + timedelta(days=40)]
    model = LogisticRegression().fit(
        train[["age_years", "charlson_index"]], train["is_readmitted_30d"]
    )

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.predict_proba(frame[["age_years", "charlson_index"]])[:, 1]

    champion = Champion("1", train["discharged_at"].min(), train["discharged_at"].max(), 0.7, 0.2)
    reference = reference_window(MONITOR, data, champion)
    return data, reference.assign(**{PREDICTION: predict(reference)}), predict, champion


def run(setting, day: date, tmp_path: Path):
    data, reference, predict, champion = setting
    return evaluate_day(MONITOR, data, reference, predict, champion, day, tmp_path, datetime.now())


def test_first_day_of_the_new_case_mix_drifts(setting, tmp_path: Path) -> None:
    before = run(setting, date(2025, 3, 21), tmp_path)  # day 79
    after = run(setting, date(2025, 3, 22), tmp_path)  # day 80: the shift starts
    assert not before.row["is_dataset_drift"]
    assert after.row["is_dataset_drift"]
    assert set(after.drift.drifted_columns) >= {"age_years", "charlson_index"}
    assert after.row["is_prediction_drift"]  # older, sicker: higher predicted risk
    assert after.row["partition_date"] == date(2025, 3, 22)
    assert all(path.exists() and path.stat().st_size > 10_000 for path in after.reports)
    statistics = json.loads(after.row["column_statistics"])
    assert {s["column"] for s in statistics} == {"age_years", "charlson_index", "sex"}


def test_model_quality_only_on_matured_labels_over_its_longer_window(setting, tmp_path) -> None:
    matured = run(setting, date(2025, 3, 1), tmp_path)  # day 59: days 32-59 have matured
    partly = run(setting, date(2025, 4, 1), tmp_path)  # day 90: only days 63-69 matured
    immature = run(setting, date(2025, 4, 10), tmp_path)  # day 99: none matured
    assert matured.performance.labelled_rows == 28 * 40
    assert matured.row["auroc"] is not None
    assert matured.row["auroc_drop"] == pytest.approx(0.7 - matured.row["auroc"])
    assert partly.performance.labelled_rows == 7 * 40
    assert immature.performance.labelled_rows == 0
    assert immature.row["auroc"] is None


def test_too_few_matured_labels_give_no_auroc(setting, tmp_path: Path) -> None:
    data, reference, predict, champion = setting
    strict = replace(MONITOR, performance_window_days=3)  # 120 labels < 200
    result = evaluate_day(
        strict, data, reference, predict, champion, date(2025, 3, 1), tmp_path, datetime.now()
    )
    assert result.performance.labelled_rows == 120
    assert result.row["auroc"] is None and result.row["auroc_drop"] is None


def test_days_not_worth_evaluating_are_skipped_with_the_reason(setting, tmp_path: Path) -> None:
    inside = run(setting, date(2025, 1, 10), tmp_path)
    empty = run(setting, date(2025, 12, 1), tmp_path)
    assert inside.row is None and "training window" in inside.skipped
    assert empty.row is None and "0 rows" in empty.skipped
    assert not list(tmp_path.rglob("*.html"))


def test_a_day_with_few_model_rows_is_still_checked_on_its_arrivals(setting, tmp_path) -> None:
    # The last landed day holds a handful of discharges but a full day of ED arrivals: a
    # new case mix there is seen that day (the simulator's case_mix_drift, seed 23, had
    # 18 admissions on its first day against a minimum of 20).
    from monitoring.config import IntakeThresholds
    from tests.monitoring.test_intake import arrivals as ed_arrivals

    data, reference, predict, champion = setting
    day = date(2025, 3, 1)  # day 59: after the champion's window, before the shift
    few = data[data["discharged_at"].dt.date != day]
    few = pd.concat([few, data[data["discharged_at"].dt.date == day].head(5)])
    steady, shifted = ed_arrivals(60, 150, seed=1), ed_arrivals(60, 150, 0.45, seed=2)
    today = shifted["arrived_at"].dt.date == day
    arrivals = pd.concat([steady[steady["arrived_at"].dt.date != day], shifted[today]])
    monitor = replace(MONITOR, intake=IntakeThresholds())
    result = evaluate_day(
        monitor, few, reference, predict, champion, day, tmp_path, datetime.now(), arrivals
    )
    assert result.row is not None and result.drift is None
    assert result.skipped == "5 rows < 20 to evaluate: intake only"
    assert result.row["is_intake_drift"] is True and result.row["current_rows"] == 5
    assert result.row["drifted_share"] == 0.0 and result.row["max_missing_share_increase"] is None
    assert [p.name.split("-")[0] for p in result.reports] == ["intake"]
    steady_day = evaluate_day(
        monitor, few, reference, predict, champion, day, tmp_path, datetime.now(), steady
    )
    assert steady_day.row["is_intake_drift"] is False
    no_arrivals = evaluate_day(
        monitor, few, reference, predict, champion, day, tmp_path, datetime.now(), None
    )
    assert no_arrivals.row is None and no_arrivals.skipped == "5 rows < 20 to evaluate"
