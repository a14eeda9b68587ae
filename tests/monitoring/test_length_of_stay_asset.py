"""One daily partition of `monitoring/length_of_stay_drift` on a tiny warehouse with a real
registered length-of-stay champion: a `monitoring.drift_results` row with drift and MAE."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

from assets.monitoring.assets import length_of_stay_drift
from assets.resources import MlflowResource, WarehouseResource
from ml import length_of_stay
from ml.registry import CHAMPION, Tracking, log_and_register
from monitoring.monitors import LENGTH_OF_STAY

START = datetime(2025, 1, 1)
DRGS = {"291": 1.3, "470": 1.9, "871": 1.8, "392": 0.8}


def admissions(days: int, per_day: int, older_from: int, seed: int = 3) -> pd.DataFrame:
    """Admissions; from day ``older_from`` on, older and sicker, on Medicaid (a case-mix shift)."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(days):
        shifted = day >= older_from
        drg = rng.choice(list(DRGS), per_day)
        age = rng.normal(78 if shifted else 58, 12, per_day).clip(18, 100).round()
        charlson = rng.poisson(4 if shifted else 1, per_day)
        stay = np.exp(np.log([3 * DRGS[d] for d in drg]) + 0.01 * (age - 60))
        stay = stay * rng.lognormal(0, 0.4, per_day)
        admitted = [START + timedelta(days=day, hours=int(h)) for h in rng.integers(0, 24, per_day)]
        ended = [a + timedelta(days=float(s)) < START + timedelta(days=days) for a, s in
                 zip(admitted, stay, strict=True)]  # fmt: skip
        rows.append(
            pd.DataFrame(
                {
                    "encounter_id": [f"E{day}-{i}" for i in range(per_day)],
                    "hospital_id": "H1",
                    "admitted_at": admitted,
                    "age_years": age.astype(int),
                    "sex": rng.choice(["female", "male"], per_day),
                    "primary_payer": rng.choice(
                        ["medicaid", "medicare", "commercial"],
                        per_day,
                        p=[0.8, 0.1, 0.1] if shifted else [0.2, 0.4, 0.4],
                    ),
                    "charlson_index": charlson,
                    "acuity_level": rng.integers(0, 3, per_day),
                    "admission_source": rng.choice(["ed", "elective"], per_day),
                    "ms_drg_code": drg,
                    "ms_drg_relative_weight": [DRGS[d] for d in drg],
                    "prior_admissions_365d": rng.poisson(0.2 * day / 10, per_day),
                    "length_of_stay_days": np.where(ended, stay, np.nan),
                    "is_target_mature": ended,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def register_champion(features: pd.DataFrame, tracking: Tracking) -> None:
    split = length_of_stay.time_split(features[features["admitted_at"] < START + timedelta(40)])
    model = length_of_stay.build_model({}).fit(
        length_of_stay.model_input(split.train), split.train[length_of_stay.TARGET]
    )
    tracking.activate("length_of_stay")
    with mlflow.start_run():
        metrics = length_of_stay.evaluate(
            model, split.holdout, length_of_stay.DrgMedianBaseline.fit(split.train)
        )
        version = log_and_register(
            model,
            LENGTH_OF_STAY.model_name,
            length_of_stay.model_input(split.train),
            {"mae": metrics["mae"]},
            predict=lambda frame: length_of_stay.predict_days(model, frame),
        )
    client = MlflowClient(tracking.tracking_uri)
    train_start, train_end = split.train_window
    client.set_model_version_tag(LENGTH_OF_STAY.model_name, version, "train_start", train_start)
    client.set_model_version_tag(LENGTH_OF_STAY.model_name, version, "train_end", train_end)
    client.set_registered_model_alias(LENGTH_OF_STAY.model_name, CHAMPION, version)


def test_one_partition_lands_a_result_with_drift_and_mae(tmp_path: Path) -> None:
    features = admissions(days=70, per_day=40, older_from=60)
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema ml")
        connection.execute("create table ml.length_of_stay_features as select * from features")
    tracking = Tracking(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "artifacts")
    register_champion(features, tracking)
    resources = {
        "warehouse": WarehouseResource(path=str(warehouse)),
        "mlflow_store": MlflowResource(
            tracking_uri=tracking.tracking_uri, artifact_dir=str(tracking.artifact_dir)
        ),
        "reports_dir": str(tmp_path / "reports"),
    }
    for day in ("2025-02-25", "2025-03-02"):  # day 55 (steady), day 60 (first shifted day)
        result = dg.materialize([length_of_stay_drift], resources=resources, partition_key=day)
        assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select partition_date, model_name, current_rows, is_dataset_drift, drifted_columns, "
            "column_statistics, labelled_rows, mae, reference_mae, mae_increase, auroc "
            "from monitoring.drift_results order by partition_date"
        ).df()
    steady, shifted = rows.iloc[0], rows.iloc[1]
    assert list(rows["model_name"]) == [LENGTH_OF_STAY.model_name] * 2
    assert list(rows["current_rows"]) == [40, 40]  # one-day windows
    assert not steady["is_dataset_drift"]
    assert shifted["is_dataset_drift"]
    assert {"age_years", "primary_payer"} <= set(shifted["drifted_columns"].split(","))
    # The trending prior-admission count is passed to the model but not tested for drift.
    assert "prior_admissions_365d" not in shifted["column_statistics"]
    assert "ms_drg_code" not in shifted["column_statistics"]
    # Model quality: MAE over the ended stays of the 28 days ending on the day.
    assert steady["labelled_rows"] >= LENGTH_OF_STAY.thresholds.min_labelled_rows
    assert 0 < steady["mae"] < 5 and steady["reference_mae"] > 0
    assert (
        steady["mae_increase"]
        == (steady["mae"] - steady["reference_mae"]) / steady["reference_mae"]
    )
    assert pd.isna(steady["auroc"])
    assert list((tmp_path / "reports" / "length_of_stay" / "2025-03-02").glob("drift-*.html"))
