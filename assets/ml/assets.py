"""Training the 30-day readmission model: Optuna study, MLflow runs, registry gate."""

import dagster as dg
import mlflow

from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource
from ml import readmission
from ml.gate import GateConfig, decide
from ml.registry import CHALLENGER, CHAMPION, alias_version, load_version, log_and_register
from ml.tuning import TuningConfig, tune

READMISSION_MODEL = "vigil-readmission"
EXPERIMENT = "readmission"
FEATURES_KEY = dg.AssetKey(["ml", "readmission_features"])


class ReadmissionTrainingConfig(dg.Config):
    n_trials: int = 6
    timeout_seconds: float = 120.0
    seed: int = 42
    holdout_fraction: float = 0.25
    min_auroc_gain: float = 0.0
    max_brier: float = 0.25


@dg.asset(
    key=["ml", "readmission_model"],
    deps=[FEATURES_KEY],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "optuna", "mlflow"},
    pool=WAREHOUSE_POOL,
)
def readmission_model(
    context: dg.AssetExecutionContext,
    config: ReadmissionTrainingConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> dg.MaterializeResult:
    """30-day readmission risk at discharge (logistic regression), tuned with Optuna.

    Trains on the earlier discharges with mature labels, holds out the latest, logs
    every trial as a nested MLflow run, registers the refit best candidate as
    `challenger`, and moves `champion` to it only if it beats the current champion
    on the same holdout (the promotion gate).
    """
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.readmission_features").df()
    split = readmission.time_split(features, config.holdout_fraction)
    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    client = tracking.client()

    with mlflow.start_run(run_name="readmission-training") as run:
        mlflow.log_params(
            {"n_trials": config.n_trials, "holdout_fraction": config.holdout_fraction}
        )

        def log_trial(number: int, params: dict, value: float) -> None:
            with mlflow.start_run(run_name=f"trial-{number}", nested=True):
                mlflow.log_params(params)
                mlflow.log_metric("cv_auroc", value)

        study = tune(
            split.train,
            TuningConfig(config.n_trials, config.timeout_seconds, config.seed),
            log_trial,
        )
        model = readmission.build_model(study.best_params).fit(
            readmission.model_input(split.train), split.train[readmission.LABEL]
        )
        metrics = readmission.evaluate(model, split.holdout)
        mlflow.log_params({f"best_{k}": v for k, v in study.best_params.items()})
        version = log_and_register(
            model, READMISSION_MODEL, readmission.model_input(split.train), metrics
        )

    train_start, train_end = split.train_window
    for key, value in {
        "train_start": train_start,
        "train_end": train_end,
        "run_id": run.info.run_id,
    }.items():
        client.set_model_version_tag(READMISSION_MODEL, version, key, str(value))
    client.set_registered_model_alias(READMISSION_MODEL, CHALLENGER, version)

    champion_version = alias_version(client, READMISSION_MODEL, CHAMPION)
    champion_metrics = (
        readmission.evaluate(load_version(READMISSION_MODEL, champion_version), split.holdout)
        if champion_version
        else None
    )
    decision = decide(
        metrics, champion_metrics, GateConfig(config.min_auroc_gain, config.max_brier)
    )
    if decision.promote:
        client.set_registered_model_alias(READMISSION_MODEL, CHAMPION, version)
    outcome = "promoted to champion" if decision.promote else "kept as challenger"
    context.log.info(f"version {version}: {outcome}; {'; '.join(decision.reasons)}")
    return dg.MaterializeResult(
        metadata={
            "model_version": version,
            "mlflow_run_id": run.info.run_id,
            "holdout_auroc": metrics["auroc"],
            "holdout_brier": metrics["brier"],
            "champion_version": version if decision.promote else champion_version,
            "promoted": decision.promote,
            "gate_reasons": "; ".join(decision.reasons),
            "train_rows": len(split.train),
            "holdout_rows": len(split.holdout),
        }
    )


readmission_retrain_job = dg.define_asset_job(
    "readmission_retrain_job",
    selection=dg.AssetSelection.assets(readmission_model),
    description="Retrain the readmission model and put the new version through the promotion gate.",
)
