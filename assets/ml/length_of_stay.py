"""Training and batch scoring of the length-of-stay model (prediction at admission)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import mlflow
import pandas as pd

from assets.ml.gating import (
    DRIFT_PARTITION_TAG,
    PostDrift,
    champion_or_skip,
    gate_version,
    post_drift_holdout,
    tag_version,
    training_metadata,
)
from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource
from ml import length_of_stay
from ml.evaluation import rounded
from ml.gate import GateConfig
from ml.registry import (
    load_version,
    log_and_register,
    nested_trial_logger,
)
from ml.tuning import TuningConfig, suggest_length_of_stay, tune

LENGTH_OF_STAY_MODEL = "vigil-length-of-stay"
EXPERIMENT = "length_of_stay"
FEATURES_KEY = dg.AssetKey(["ml", "length_of_stay_features"])


class LengthOfStayTrainingConfig(dg.Config):
    n_trials: int = 8
    timeout_seconds: float = 120.0
    seed: int = 42
    holdout_fraction: float = 0.25
    min_mae_gain_days: float = 0.0
    max_subgroup_mae_gap_days: float = 1.0
    # A drift-triggered retrain adapts (post-drift holdout, model revision) once this
    # many stays admitted from the drifted day on have matured; the re-gate sensor waits
    # for the same number (monitoring.monitors.LENGTH_OF_STAY).
    min_post_drift_stays: int = length_of_stay.MIN_POST_DRIFT_STAYS


def log_evaluation(model, split: length_of_stay.Split) -> None:
    """Per-DRG error table and the patient-level adjustment's coefficients."""
    holdout = split.holdout.assign(predicted=length_of_stay.predict_days(model, split.holdout))
    if isinstance(model, length_of_stay.RevisedRegressor):
        revision = model.coefficients().to_csv(index=False)
        mlflow.log_text(revision, "evaluation/post_drift_revision.csv")
        model = model.base
    holdout["absolute_error"] = (holdout["predicted"] - holdout[length_of_stay.TARGET]).abs()
    by_drg = holdout.groupby("ms_drg_code").agg(
        stays=("encounter_id", "size"),
        median_days=(length_of_stay.TARGET, "median"),
        mae_days=("absolute_error", "mean"),
    )
    mlflow.log_text(by_drg.reset_index().to_csv(index=False), "evaluation/mae_by_drg.csv")
    adjustment = model.adjustment_
    importance = pd.DataFrame(
        {
            "feature": adjustment.named_steps["preprocess"].get_feature_names_out(),
            "log_days_coefficient": adjustment.named_steps["ridge"].coef_,
        }
    ).sort_values("log_days_coefficient", key=abs, ascending=False)
    mlflow.log_text(importance.to_csv(index=False), "evaluation/feature_importance.csv")


@dg.asset(
    key=["ml", "length_of_stay_model"],
    deps=[FEATURES_KEY],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "optuna", "mlflow"},
    pool=WAREHOUSE_POOL,
)
def length_of_stay_model(
    context: dg.AssetExecutionContext,
    config: LengthOfStayTrainingConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> dg.MaterializeResult:
    """Length of stay at admission (days), tuned with Optuna, gated on MAE.

    A DRG-anchored log-linear model: each MS-DRG's typical stay times a patient-level
    adjustment. Trains on completed stays admitted earlier, holds out the latest,
    logs trials as nested MLflow runs, registers the refit best candidate as
    `challenger`, and promotes it to `champion` only if it beats the per-DRG median
    baseline and the current champion's MAE on the same holdout, with MAE gaps by
    sex, age band and payer within the bound.

    A retrain the drift sensors requested (run tag `vigil/drift_partition`) adapts to the
    drift once `min_post_drift_stays` stays admitted from the drifted day on have
    matured: the latest half of them is the holdout (both models judged on post-drift
    stays only) and the refitted model is revised on the other half (model revision,
    `ml.length_of_stay.RevisedRegressor`). Before that it trains as usual and says so in
    `post_drift_adaptation`.
    """
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.length_of_stay_features").df()
    split, adaptation = _split(context, features, config)
    baseline = length_of_stay.DrgMedianBaseline.fit(split.train)
    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    client = tracking.client()

    with mlflow.start_run(run_name="length-of-stay-training") as run:
        mlflow.log_params(
            {"n_trials": config.n_trials, "holdout_fraction": config.holdout_fraction}
        )

        study = tune(
            lambda params: length_of_stay.fold_scores(params, split.train, config.seed),
            suggest_length_of_stay,
            TuningConfig(config.n_trials, config.timeout_seconds, config.seed),
            direction="minimize",
            on_trial=nested_trial_logger("cv_mae_days"),
        )
        model = length_of_stay.build_model(study.best_params).fit(
            length_of_stay.model_input(split.train), split.train[length_of_stay.TARGET]
        )
        adapted: dict[str, float] = {}
        if isinstance(split, length_of_stay.PostDriftSplit):
            refitted_mae = _post_drift_mae(model, split.holdout)
            model = length_of_stay.revise(model, split.post_drift_train)
            adapted = {"refitted_unrevised_mae": refitted_mae}
        metrics = length_of_stay.evaluate(model, split.holdout, baseline)
        mlflow.log_param("post_drift_adaptation", adaptation[:500])
        mlflow.log_metrics(adapted)
        mlflow.log_params({f"best_{k}": v for k, v in study.best_params.items()})
        log_evaluation(model, split)
        version = log_and_register(
            model,
            LENGTH_OF_STAY_MODEL,
            length_of_stay.model_input(split.train),
            metrics,
            predict=lambda frame: length_of_stay.predict_days(model, frame),
        )

    train_start, train_end = split.train_window
    tag_version(client, LENGTH_OF_STAY_MODEL, version, train_start=train_start, train_end=train_end)
    gate = GateConfig(
        primary_metric="mae",
        higher_is_better=False,
        min_gain=config.min_mae_gain_days,
        max_brier=None,
        max_ece=None,
        max_subgroup_gap=config.max_subgroup_mae_gap_days,
        baseline_metric="drg_median_mae",
        baseline_bound_metric="mae_gain_over_drg_median_upper95",
    )
    _, gate_metadata = gate_version(
        context,
        warehouse,
        client,
        model_name=LENGTH_OF_STAY_MODEL,
        version=version,
        challenger_metrics=metrics,
        evaluate_champion=lambda champion: length_of_stay.evaluate(
            champion, split.holdout, baseline
        ),
        config=gate,
        mlflow_run_id=run.info.run_id,
        post_drift=_post_drift(context, model, split.holdout),
    )
    return dg.MaterializeResult(
        metadata={
            **gate_metadata,
            "holdout_mae_days": metrics["mae"],
            "holdout_drg_median_mae_days": metrics["drg_median_mae"],
            "holdout_metrics": dg.MetadataValue.json(rounded(metrics)),
            "post_drift_adaptation": adaptation,
            **{f"holdout_{k}_days": v for k, v in adapted.items()},
            **training_metadata(study, split),
        }
    )


@dg.asset(
    key=["ml", "length_of_stay_predictions"],
    deps=[FEATURES_KEY, length_of_stay_model],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "mlflow", "duckdb"},
    pool=WAREHOUSE_POOL,
    output_required=False,
)
def length_of_stay_predictions(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> Iterator[dg.MaterializeResult]:
    """Predicted length of stay and expected discharge of every admission, by the `champion`.

    One row per admission (open stays included: that is where bed managers use it),
    with the model version that scored it. Replaced in full on each run;
    skipped (nothing materialized, the reason observed) while the model has no champion.
    """
    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    version = champion_or_skip(context, tracking.client(), LENGTH_OF_STAY_MODEL)
    if version is None:
        return
    model = load_version(LENGTH_OF_STAY_MODEL, version)
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.length_of_stay_features").df()
    predictions = length_of_stay.predict_admissions(
        model,
        features,
        model_name=LENGTH_OF_STAY_MODEL,
        model_version=version,
        scored_at=datetime.now(UTC).replace(tzinfo=None),
    )
    with warehouse.connect() as connection:
        connection.execute(
            "create or replace table ml.length_of_stay_predictions as select * from predictions"
        )
    yield dg.MaterializeResult(
        metadata={
            "rows": len(predictions),
            "model_version": version,
            "open_stays": int(features["length_of_stay_days"].isna().sum()),
            "median_predicted_days": float(predictions["predicted_length_of_stay_days"].median())
            if len(predictions)
            else 0.0,
        }
    )


length_of_stay_retrain_job = dg.define_asset_job(
    "length_of_stay_retrain_job",
    selection=dg.AssetSelection.assets(length_of_stay_model, length_of_stay_predictions),
    description="Retrain the length-of-stay model, gate the new version, and rescore admissions.",
)


def _post_drift_mae(model, rows: pd.DataFrame) -> float:
    """MAE in days on ``rows``."""
    predicted = length_of_stay.predict_days(model, rows)
    return float((rows[length_of_stay.TARGET] - predicted).abs().mean())


def _post_drift(context, model, holdout: pd.DataFrame) -> PostDrift | None:
    rows = post_drift_holdout(context, holdout, length_of_stay.TIME_COLUMN)
    return None if rows is None else PostDrift(rows, _post_drift_mae, model)


def _split(
    context: dg.AssetExecutionContext,
    features: pd.DataFrame,
    config: LengthOfStayTrainingConfig,
) -> tuple[length_of_stay.Split, str]:
    """The post-drift split of a drift-triggered retrain when enough stays have matured,
    else the usual time split; and what was done, in words."""
    drift_start = context.run.tags.get(DRIFT_PARTITION_TAG)
    if not drift_start:
        split = length_of_stay.time_split(features, config.holdout_fraction)
        return split, "none: not a drift-triggered retrain"
    adapted = length_of_stay.post_drift_split(features, drift_start, config.min_post_drift_stays)
    if adapted is None:
        mature = features[features["is_target_mature"]]
        n = int((mature[length_of_stay.TIME_COLUMN] >= pd.Timestamp(drift_start)).sum())
        split = length_of_stay.time_split(features, config.holdout_fraction)
        return split, (
            f"waiting: {n} stays admitted since the drift ({drift_start}) have matured, "
            f"{config.min_post_drift_stays} needed; trained and gated as usual"
        )
    return adapted, (
        f"model revision on {len(adapted.post_drift_train)} post-drift stays, gated on "
        f"the latest {len(adapted.holdout)} (admitted since the drift, {drift_start})"
    )
