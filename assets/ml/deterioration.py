"""Training and batch scoring of the deterioration-within-24 h model.

Training: Optuna study (nested MLflow runs), refit, evaluation against NEWS2 (AUROC,
sensitivity at NEWS2's alert rate, lead time), registry aliases through the promotion
gate. Scoring: the champion applied to every observation set of ml.deterioration_features.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource

# MLflow, pandas, scikit-learn, Optuna and the model's own module are imported in the
# asset bodies: every Dagster process imports this module through the code location,
# few runs need them.
if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

DETERIORATION_MODEL = "vigil-deterioration"
EXPERIMENT = "deterioration"
FEATURES_KEY = dg.AssetKey(["ml", "deterioration_features"])


class DeteriorationTrainingConfig(dg.Config):
    n_trials: int = 6
    timeout_seconds: float = 300.0
    seed: int = 42
    holdout_fraction: float = 0.25
    min_auroc_gain: float = 0.0
    max_brier: float = 0.25
    max_ece: float = 0.05
    max_subgroup_auroc_gap: float = 0.15
    # Fewer holdout sets followed by deterioration than this: the comparisons with NEWS2
    # are reported as not measurable instead of decided.
    min_holdout_events_for_baseline: int = 25


def log_evaluation(model, holdout: "pd.DataFrame", risk: "np.ndarray") -> None:
    """Calibration curve and feature importance: the AUROC drop when a feature is shuffled
    (HistGradientBoosting exposes no split gains), on up to 5000 holdout sets."""
    import mlflow

    from ml import deterioration
    from ml.evaluation import calibration_table

    curve = calibration_table(holdout[deterioration.LABEL].to_numpy(), risk)
    mlflow.log_text(curve.to_csv(index=False), "evaluation/calibration_curve.csv")
    importance = deterioration.feature_importance(model, holdout)
    mlflow.log_text(importance.to_csv(index=False), "evaluation/feature_importance.csv")


@dg.asset(
    key=["ml", "deterioration_model"],
    deps=[FEATURES_KEY],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "optuna", "mlflow"},
    pool=WAREHOUSE_POOL,
    output_required=False,
)
def deterioration_model(
    context: dg.AssetExecutionContext,
    config: DeteriorationTrainingConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> Iterator[dg.MaterializeResult]:
    """Deterioration within 24 h of a charted observation set (monotone boosted trees).

    Trains on the earlier observation sets with mature labels, holds out the latest,
    logs every trial as a nested MLflow run, registers the refit best candidate as
    `challenger`, and moves `champion` to it only if the promotion gate passes: AUROC
    margin over the champion on the same holdout, Brier and ECE, AUROC gaps by sex, age
    band and payer, direction tests (new confusion, higher lactate), and beating NEWS2
    (RCP 2017) on AUROC and on sensitivity at NEWS2's own alert rate (score >= 5).
    Reports the lead time before events of both. Skipped (nothing materialized, the
    reason observed) when too few observation sets are labelled, e.g. a load without the
    optional clinical_events feed.
    """
    import mlflow

    from assets.ml.gating import gate_version, tag_version, training_metadata
    from ml import deterioration
    from ml.evaluation import rounded
    from ml.gate import GateConfig
    from ml.registry import log_and_register, nested_trial_logger
    from ml.tuning import TuningConfig, suggest_deterioration, tune

    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.deterioration_features").df()
    shortfall = deterioration.training_shortfall(features)
    if shortfall is not None:
        reason = f"training skipped: {shortfall}"
        context.log.warning(reason)
        context.log_event(
            dg.AssetObservation(
                asset_key=context.asset_key,
                metadata={"skipped_reason": reason, "model_name": DETERIORATION_MODEL},
            )
        )
        return
    split = deterioration.time_split(features, config.holdout_fraction)
    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    client = tracking.client()

    with mlflow.start_run(run_name="deterioration-training") as run:
        mlflow.log_params(
            {"n_trials": config.n_trials, "holdout_fraction": config.holdout_fraction}
        )
        study = tune(
            lambda params: deterioration.fold_scores(params, split.train, config.seed),
            suggest_deterioration,
            TuningConfig(config.n_trials, config.timeout_seconds, config.seed),
            on_trial=nested_trial_logger("cv_auroc"),
        )
        model = deterioration.fit(study.best_params, split.train, config.seed)
        metrics = deterioration.evaluate(model, split.holdout)
        risk = deterioration.predict_risk(model, split.holdout)
        lead = deterioration.lead_time_summary(split.holdout, risk, metrics["news2_alert_rate"])
        mlflow.log_params({f"best_{k}": v for k, v in study.best_params.items()})
        mlflow.log_metrics(lead)
        log_evaluation(model, split.holdout, risk)
        version = log_and_register(
            model, DETERIORATION_MODEL, deterioration.model_input(split.train), metrics
        )

    train_start, train_end = split.train_window
    tag_version(
        client,
        DETERIORATION_MODEL,
        version,
        train_start=train_start,
        train_end=train_end,
        run_id=run.info.run_id,
    )
    gate = GateConfig(
        primary_metric="auroc",
        min_gain=config.min_auroc_gain,
        max_brier=config.max_brier,
        max_ece=config.max_ece,
        max_subgroup_gap=config.max_subgroup_auroc_gap,
        must_be_zero=deterioration.DIRECTION_METRICS,
        baseline_metric="news2_auroc",
        baseline_bound_metric="auroc_gain_over_news2_upper95",
        secondary_baselines=(
            (
                "sensitivity_at_news2_alert_rate",
                "news2_sensitivity",
                "sensitivity_gain_over_news2_upper95",
            ),
        ),
        evidence_metric="holdout_events",
        min_baseline_evidence=config.min_holdout_events_for_baseline,
    )
    _, gate_metadata = gate_version(
        context,
        warehouse,
        client,
        model_name=DETERIORATION_MODEL,
        version=version,
        challenger_metrics=metrics,
        evaluate_champion=lambda champion: deterioration.evaluate(champion, split.holdout),
        config=gate,
        mlflow_run_id=run.info.run_id,
    )
    yield dg.MaterializeResult(
        metadata={
            **gate_metadata,
            "holdout_auroc": metrics["auroc"],
            "holdout_news2_auroc": metrics["news2_auroc"],
            "holdout_sensitivity_at_news2_alert_rate": metrics["sensitivity_at_news2_alert_rate"],
            "holdout_news2_sensitivity": metrics["news2_sensitivity"],
            "holdout_news2_alert_rate": metrics["news2_alert_rate"],
            **{f"holdout_{name}": value for name, value in lead.items()},
            "holdout_metrics": dg.MetadataValue.json(rounded(metrics)),
            **training_metadata(study, split),
        }
    )


@dg.asset(
    key=["ml", "deterioration_scores"],
    deps=[FEATURES_KEY, deterioration_model],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "mlflow", "duckdb"},
    pool=WAREHOUSE_POOL,
    output_required=False,
)
def deterioration_scores(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> Iterator[dg.MaterializeResult]:
    """24 h deterioration risk of every charted observation set, scored by the `champion`.

    One row per observation set: predicted risk, NEWS2 (RCP 2017) and whether it reached
    the urgent-response trigger (>= 5), and the model version that scored it. Replaced in
    full on each run; skipped (nothing materialized, the reason observed) while the model
    has no champion.
    """
    from assets.ml.gating import champion_or_skip
    from ml import deterioration
    from ml.registry import load_version

    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    version = champion_or_skip(context, tracking.client(), DETERIORATION_MODEL)
    if version is None:
        return
    model = load_version(DETERIORATION_MODEL, version)
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.deterioration_features").df()
    scores = deterioration.score_sets(  # noqa: F841 (read by DuckDB by name)
        model,
        features,
        model_name=DETERIORATION_MODEL,
        model_version=version,
        scored_at=datetime.now(UTC).replace(tzinfo=None),
    )
    with warehouse.connect() as connection:
        connection.execute(
            "create or replace table ml.deterioration_scores as select * from scores"
        )
    yield dg.MaterializeResult(
        metadata={
            "rows": len(scores),
            "model_version": version,
            "mean_risk": float(scores["deterioration_risk_24h"].mean()) if len(scores) else 0.0,
            "news2_alerts": int(scores["is_news2_alert"].sum()),
        }
    )


deterioration_retrain_job = dg.define_asset_job(
    "deterioration_retrain_job",
    selection=dg.AssetSelection.assets(deterioration_model, deterioration_scores),
    description="Retrain the deterioration model, gate the new version, and rescore sets.",
)
