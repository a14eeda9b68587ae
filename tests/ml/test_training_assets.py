"""End to end through Dagster: train with a tiny trial budget, register, gate, score.

The feature table is synthetic (tests/ml/synthetic.py) and written where dbt would put
it, so this exercises the real assets, the MLflow registry and the warehouse writes
without the rest of the graph.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from mlflow.tracking import MlflowClient

from assets.ml.assets import READMISSION_MODEL, readmission_model, readmission_scores
from assets.ml.demand_forecast import (
    DEMAND_FORECAST_MODEL,
    demand_forecast_model,
    forecast_daily,
)
from assets.ml.deterioration import (
    DETERIORATION_MODEL,
    deterioration_model,
    deterioration_scores,
)
from assets.ml.gating import DRIFT_PARTITION_TAG
from assets.ml.length_of_stay import (
    LENGTH_OF_STAY_MODEL,
    length_of_stay_model,
    length_of_stay_predictions,
)
from assets.resources import MlflowResource, WarehouseResource
from ml.registry import CHALLENGER, CHAMPION
from tests.ml.synthetic import features_and_truth, observation_sets, stays

TINY = {"n_trials": 3, "timeout_seconds": 60.0}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    features, truth = features_and_truth(n=4000, seed=11)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("create schema ml")
        connection.execute("create table ml.readmission_features as select * from features")
    (tmp_path / "ground_truth" / "readmission").mkdir(parents=True)
    truth.to_parquet(tmp_path / "ground_truth" / "readmission" / "part-0.parquet")
    return tmp_path


def materialize(
    home: Path,
    training: dict,
    assets: list | None = None,
    node: str = "ml__readmission_model",
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets or [readmission_model, readmission_scores],
        resources={
            "warehouse": WarehouseResource(path=str(home / "warehouse.duckdb")),
            "mlflow_store": MlflowResource(
                tracking_uri=f"sqlite:///{home / 'mlflow.db'}",
                artifact_dir=str(home / "artifacts"),
            ),
            "ground_truth_dir": str(home / "ground_truth"),
        },
        run_config={"ops": {node: {"config": training}}},
        tags=tags,
    )


def test_train_register_gate_score_then_refuse_a_worse_challenger(home: Path) -> None:
    first = materialize(home, TINY)
    assert first.success
    meta = first.asset_materializations_for_node("ml__readmission_model")[0].metadata
    assert meta["promoted"].value is True
    assert meta["holdout_ceiling_auroc"].value - meta["holdout_auroc"].value < 0.05
    assert meta["trials_complete"].value + meta["trials_pruned"].value == 3

    client = MlflowClient(f"sqlite:///{home / 'mlflow.db'}")
    champion = client.get_model_version_by_alias(READMISSION_MODEL, CHAMPION)
    assert str(champion.version) == "1"
    run = client.get_run(champion.run_id)
    assert {"auroc", "brier", "ece", "lace_auroc", "ceiling_auroc"} <= set(run.data.metrics)
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "evaluation")}
    assert artifacts == {"evaluation/calibration_curve.csv", "evaluation/feature_importance.csv"}
    nested = client.search_runs(
        [run.info.experiment_id], f"tags.mlflow.parentRunId = '{run.info.run_id}'"
    )
    assert len(nested) == 3

    # A second version that must beat the champion by an impossible margin is refused.
    second = materialize(home, TINY | {"min_auroc_gain": 0.5})
    assert second.success
    assert str(client.get_model_version_by_alias(READMISSION_MODEL, CHAMPION).version) == "1"
    assert str(client.get_model_version_by_alias(READMISSION_MODEL, CHALLENGER).version) == "2"

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        decisions = connection.execute(
            "select * from monitoring.model_decisions order by decided_at"
        ).df()
        scores = connection.execute("select * from ml.readmission_scores").df()
        discharges = connection.execute("select count(*) from ml.readmission_features").fetchone()
    assert decisions["model_version"].tolist() == ["1", "2"]
    assert decisions["is_promoted"].tolist() == [True, False]
    assert decisions["champion_version"].tolist() == ["1", "1"]
    assert "below the required" in decisions["reasons"].iloc[1]
    assert json.loads(decisions["metrics_json"].iloc[0])["auroc"] > 0.6
    # Scoring always uses the champion, whatever the last challenger was.
    assert len(scores) == discharges[0]
    assert set(scores["model_version"]) == {"1"}
    assert set(scores["risk_tier"]) <= {"low", "medium", "high"}


def test_length_of_stay_trains_gates_and_predicts_open_stays(home: Path) -> None:
    frame = stays(2000, seed=4)
    frame.loc[frame.index[-30:], ["length_of_stay_days", "is_target_mature"]] = [None, False]
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute("create table ml.length_of_stay_features as select * from frame")
    result = materialize(
        home,
        TINY,
        [length_of_stay_model, length_of_stay_predictions],
        node="ml__length_of_stay_model",
    )
    assert result.success
    meta = result.asset_materializations_for_node("ml__length_of_stay_model")[0].metadata
    assert meta["promoted"].value is True
    assert meta["holdout_mae_days"].value < meta["holdout_drg_median_mae_days"].value
    client = MlflowClient(f"sqlite:///{home / 'mlflow.db'}")
    assert client.get_model_version_by_alias(LENGTH_OF_STAY_MODEL, CHAMPION)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        predictions = connection.execute("select * from ml.length_of_stay_predictions").df()
        decision = connection.execute(
            "select primary_metric, is_promoted from monitoring.model_decisions"
        ).fetchall()
    assert len(predictions) == 2000
    assert predictions["predicted_length_of_stay_days"].gt(0).all()
    assert decision == [("mae", True)]


def test_drift_triggered_length_of_stay_retrain_adapts_once_post_drift_stays_mature(
    home: Path,
) -> None:
    shift = "2025-04-11"  # from then on Medicaid stays last twice as long
    frame = stays(3000, seed=8, medicaid_longer_from=shift)

    def train(rows, tags=None) -> dict:
        with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
            connection.execute(
                "create or replace table ml.length_of_stay_features as select * from rows"
            )
        result = materialize(
            home, TINY, [length_of_stay_model], node="ml__length_of_stay_model", tags=tags
        )
        assert result.success
        return result.asset_materializations_for_node("ml__length_of_stay_model")[0].metadata

    first = train(frame[frame["admitted_at"] < shift])
    assert first["promoted"].value is True
    assert first["post_drift_adaptation"].value.startswith("none")
    # Drift seen a week before the data ends: too few matured stays to learn from.
    early = train(frame, {DRIFT_PARTITION_TAG: "2025-05-24"})
    assert early["post_drift_adaptation"].value.startswith("waiting:")
    # Drift seen on its first day, retrained once the post-drift stays have matured.
    adapted = train(frame, {DRIFT_PARTITION_TAG: shift})
    assert adapted["post_drift_adaptation"].value.startswith("model revision on")
    assert adapted["promoted"].value is True, adapted["gate_reasons"].value
    new, old = (adapted[f"post_drift_{m}_value"].value for m in ("challenger", "champion"))
    assert new < 0.93 * old  # the revised model on post-drift stays neither trained on
    assert adapted["holdout_mae_days"].value == pytest.approx(new)  # post-drift holdout
    assert adapted["holdout_refitted_unrevised_mae_days"].value > new
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        decisions = connection.execute(
            "select model_version, is_promoted, post_drift_rows from monitoring.model_decisions "
            "order by decided_at"
        ).fetchall()
    assert decisions[-1] == ("3", True, adapted["holdout_rows"].value)


def test_demand_forecast_trains_gates_and_fills_forecast_daily(home: Path) -> None:
    from tests.ml.test_forecast import history

    wide = history(days=100).pivot_table(
        index=["hospital_id", "demand_date"], columns="target", values="value"
    )
    wide = wide.reset_index()  # noqa: F841 (read by DuckDB by name)
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute(
            "create table ml.demand_history as select hospital_id, "
            "cast(demand_date as date) as demand_date, ed_arrivals, midnight_census from wide"
        )
    result = materialize(
        home,
        TINY,
        [demand_forecast_model, forecast_daily],
        node="ml__demand_forecast_model",
    )
    assert result.success
    meta = result.asset_materializations_for_node("ml__demand_forecast_model")[0].metadata
    assert meta["promoted"].value is True
    assert meta["backtest_mape"].value < meta["backtest_seasonal_naive_mape"].value
    client = MlflowClient(f"sqlite:///{home / 'mlflow.db'}")
    assert client.get_model_version_by_alias(DEMAND_FORECAST_MODEL, CHAMPION)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute("select * from marts.forecast_daily").df()
    assert len(rows) == 2 * 2 * 14
    assert set(rows["target"]) == {"ed_arrivals", "midnight_census"}
    assert not rows.duplicated(["hospital_id", "target", "forecast_date", "horizon_days"]).any()


def test_deterioration_trains_against_news2_gates_and_scores(home: Path) -> None:
    sets = observation_sets(4000, seed=3)  # noqa: F841 (read by DuckDB by name)
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute("create table ml.deterioration_features as select * from sets")
    result = materialize(
        home, TINY, [deterioration_model, deterioration_scores], node="ml__deterioration_model"
    )
    assert result.success
    meta = result.asset_materializations_for_node("ml__deterioration_model")[0].metadata
    assert meta["promoted"].value is True
    assert meta["holdout_auroc"].value > meta["holdout_news2_auroc"].value
    assert meta["holdout_model_median_lead_hours"].value > 0
    reasons = meta["gate_reasons"].value
    assert "vs news2_auroc" in reasons and "vs news2_sensitivity" in reasons
    client = MlflowClient(f"sqlite:///{home / 'mlflow.db'}")
    champion = client.get_model_version_by_alias(DETERIORATION_MODEL, CHAMPION)
    run = client.get_run(champion.run_id)
    assert {"auroc", "news2_auroc", "sensitivity_at_news2_alert_rate"} <= set(run.data.metrics)
    nested = client.search_runs(
        [run.info.experiment_id], f"tags.mlflow.parentRunId = '{run.info.run_id}'"
    )
    assert len(nested) == 3
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        scores = connection.execute("select * from ml.deterioration_scores").df()
    assert len(scores) == 4000
    assert scores["observation_id"].is_unique
    assert set(scores["model_version"]) == {str(champion.version)}


def test_deterioration_training_skips_with_the_reason_when_no_set_is_labelled(
    home: Path,
) -> None:
    # A load without the optional clinical_events feed (HL7 v2 ADT, FHIR Encounter):
    # every set has a mature label and none is followed by a deterioration.
    sets = observation_sets(400, seed=2).assign(  # noqa: F841 (read by DuckDB by name)
        is_label_mature=True, is_deteriorated_24h=False
    )
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute("create table ml.deterioration_features as select * from sets")
    result = materialize(
        home, TINY, [deterioration_model, deterioration_scores], node="ml__deterioration_model"
    )
    assert result.success
    assert result.asset_materializations_for_node("ml__deterioration_model") == []
    assert result.asset_materializations_for_node("ml__deterioration_scores") == []
    observations = result.asset_observations_for_node("ml__deterioration_model")
    assert len(observations) == 1
    reason = observations[0].metadata["skipped_reason"].value
    assert "training skipped" in reason and "got 400, 0 and 0" in reason
    assert "clinical_events" in reason
    assert not (home / "mlflow.db").exists() or not MlflowClient(
        f"sqlite:///{home / 'mlflow.db'}"
    ).search_registered_models(f"name = '{DETERIORATION_MODEL}'")


@pytest.mark.parametrize(
    ("scoring", "table"),
    [
        (readmission_scores, "ml.readmission_scores"),
        (length_of_stay_predictions, "ml.length_of_stay_predictions"),
        (forecast_daily, "marts.forecast_daily"),
        (deterioration_scores, "ml.deterioration_scores"),
    ],
)
def test_scoring_without_a_champion_skips_with_the_reason(
    home: Path, scoring: dg.AssetsDefinition, table: str
) -> None:
    result = dg.materialize(
        [scoring],
        resources={
            "warehouse": WarehouseResource(path=str(home / "warehouse.duckdb")),
            "mlflow_store": MlflowResource(
                tracking_uri=f"sqlite:///{home / 'mlflow.db'}",
                artifact_dir=str(home / "artifacts"),
            ),
        },
    )
    assert result.success
    node = scoring.node_def.name
    assert result.asset_materializations_for_node(node) == []
    observations = result.asset_observations_for_node(node)
    assert len(observations) == 1
    assert "no `champion` version yet" in observations[0].metadata["skipped_reason"].value
    schema, name = table.split(".")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()
    assert found == (0,)
