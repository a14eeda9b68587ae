"""Training and batch scoring of the 30-day readmission model.

Training: Optuna study (nested MLflow runs), refit, evaluation against LACE and the
ground-truth ceiling, registry aliases through the promotion gate. Scoring: the
champion applied to every live discharge, with discharge-planning risk tiers.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from assets.raw.assets import WAREHOUSE_POOL
from assets.resources import MlflowResource, WarehouseResource

# MLflow, pandas, scikit-learn, Optuna and the model's own module (which imports them)
# are imported in the asset bodies: every Dagster process imports this module through
# the code location (the daemon's code server, each run's worker), and only the runs
# that train or score need them.
if TYPE_CHECKING:
    import pandas as pd

    from assets.ml.gating import PostDrift

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
    max_ece: float = 0.05
    max_subgroup_auroc_gap: float = 0.15
    # Fewer readmissions (or non-readmissions) than this in the holdout: the comparison
    # with LACE is reported as not measurable (as for a subgroup) instead of decided.
    min_holdout_events_for_baseline: int = 25


def true_risk(ground_truth_dir: str, holdout: "pd.DataFrame") -> "pd.Series | None":
    """The simulator's true risk per holdout discharge (evaluation only), if it exists."""
    import pandas as pd

    folder = Path(ground_truth_dir) / "readmission"
    if not list(folder.glob("*.parquet")):
        return None
    truth = pd.read_parquet(folder).set_index("encounter_id")["true_readmission_risk_30d"]
    return holdout["encounter_id"].map(truth)


def log_evaluation(model, holdout: "pd.DataFrame") -> None:
    """Calibration curve and feature importance (coefficients on the scaled inputs)."""
    import mlflow
    import pandas as pd

    from ml import readmission
    from ml.evaluation import calibration_table

    risk = readmission.predict_risk(model, holdout)
    curve = calibration_table(holdout[readmission.LABEL].to_numpy(), risk)
    mlflow.log_text(curve.to_csv(index=False), "evaluation/calibration_curve.csv")
    names = model.named_steps["preprocess"].get_feature_names_out()
    coefficients = model.named_steps["classifier"].coef_[0]
    importance = pd.DataFrame({"feature": names, "coefficient": coefficients})
    importance["abs_coefficient"] = importance["coefficient"].abs()
    importance = importance.sort_values("abs_coefficient", ascending=False)
    mlflow.log_text(importance.to_csv(index=False), "evaluation/feature_importance.csv")


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
    ground_truth_dir: dg.ResourceParam[str],
) -> dg.MaterializeResult:
    """30-day readmission risk at discharge (logistic regression), tuned with Optuna.

    Trains on the earlier discharges with mature labels, holds out the latest, logs
    every trial as a nested MLflow run, registers the refit best candidate as
    `challenger`, and moves `champion` to it only if the promotion gate passes:
    AUROC margin over the champion on the same holdout, Brier and ECE, AUROC gaps by
    sex, age band and payer, the direction test on prior admissions, and beating the
    LACE index. Reports the ground-truth ceiling AUROC next to the model's.
    """
    import mlflow

    from assets.ml.gating import gate_version, tag_version, training_metadata
    from ml import readmission
    from ml.evaluation import rounded
    from ml.gate import GateConfig
    from ml.registry import log_and_register, nested_trial_logger
    from ml.tuning import TuningConfig, suggest_readmission, tune

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

        study = tune(
            lambda params: readmission.fold_scores(params, split.train, config.seed),
            suggest_readmission,
            TuningConfig(config.n_trials, config.timeout_seconds, config.seed),
            on_trial=nested_trial_logger("cv_auroc"),
        )
        model = readmission.build_model(study.best_params).fit(
            readmission.model_input(split.train), split.train[readmission.LABEL]
        )
        references = readmission.reference_aurocs(
            split.holdout, true_risk(ground_truth_dir, split.holdout)
        )
        metrics = readmission.evaluate(model, split.holdout)
        mlflow.log_params({f"best_{k}": v for k, v in study.best_params.items()})
        mlflow.log_metrics(references)
        log_evaluation(model, split.holdout)
        version = log_and_register(
            model, READMISSION_MODEL, readmission.model_input(split.train), metrics
        )

    train_start, train_end = split.train_window
    tag_version(
        client,
        READMISSION_MODEL,
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
        must_be_zero=(readmission.DIRECTION_METRIC,),
        baseline_metric="lace_auroc",
        baseline_bound_metric="auroc_gain_over_lace_upper95",
        evidence_metric="holdout_events",
        min_baseline_evidence=config.min_holdout_events_for_baseline,
    )
    decision, gate_metadata = gate_version(
        context,
        warehouse,
        client,
        model_name=READMISSION_MODEL,
        version=version,
        challenger_metrics=metrics,
        evaluate_champion=lambda champion: readmission.evaluate(champion, split.holdout),
        config=gate,
        mlflow_run_id=run.info.run_id,
        post_drift=post_drift(context, model, split.holdout),
    )
    return dg.MaterializeResult(
        metadata={
            **gate_metadata,
            "holdout_auroc": metrics["auroc"],
            "holdout_brier": metrics["brier"],
            "holdout_ece": metrics["ece"],
            **{f"holdout_{name}": value for name, value in references.items()},
            "holdout_metrics": dg.MetadataValue.json(rounded(metrics)),
            **training_metadata(study, split),
        }
    )


def post_drift_auroc(model, rows: "pd.DataFrame") -> float:
    """AUROC on ``rows`` (NaN when they hold a single class)."""
    from sklearn.metrics import roc_auc_score

    from ml import readmission

    labels = rows[readmission.LABEL]
    if labels.nunique() < 2:
        return float("nan")
    risk = model.predict_proba(readmission.model_input(rows))[:, 1]
    return float(roc_auc_score(labels, risk))


def post_drift(context, model, holdout: "pd.DataFrame") -> "PostDrift | None":
    from assets.ml.gating import PostDrift, post_drift_holdout
    from ml import readmission

    rows = post_drift_holdout(context, holdout, readmission.TIME_COLUMN)
    return None if rows is None else PostDrift(rows, post_drift_auroc, model)


class ReadmissionScoringConfig(dg.Config):
    medium_risk_from: float = 0.10
    high_risk_from: float = 0.20


@dg.asset(
    key=["ml", "readmission_scores"],
    deps=[FEATURES_KEY, readmission_model],
    group_name="ml",
    owners=["team:ml-engineering"],
    kinds={"scikit-learn", "mlflow", "duckdb"},
    pool=WAREHOUSE_POOL,
    output_required=False,
)
def readmission_scores(
    context: dg.AssetExecutionContext,
    config: ReadmissionScoringConfig,
    warehouse: WarehouseResource,
    mlflow_store: MlflowResource,
) -> Iterator[dg.MaterializeResult]:
    """30-day readmission risk of every live discharge, scored by the `champion` model.

    One row per discharge: predicted risk, discharge-planning tier (low/medium/high),
    the LACE index (van Walraven 2010) and whether it is high (>= 10), and the model
    version that scored it. Replaced in full on each run; skipped (nothing
    materialized, the reason observed) while the model has no champion.
    """
    from assets.ml.gating import champion_or_skip
    from ml import readmission
    from ml.registry import load_version

    tracking = mlflow_store.tracking()
    tracking.activate(EXPERIMENT)
    version = champion_or_skip(context, tracking.client(), READMISSION_MODEL)
    if version is None:
        return
    model = load_version(READMISSION_MODEL, version)
    with warehouse.connect(read_only=True) as connection:
        features = connection.execute("select * from ml.readmission_features").df()
    scores = readmission.score_discharges(
        model,
        features,
        readmission.RiskTiers(config.medium_risk_from, config.high_risk_from),
        model_name=READMISSION_MODEL,
        model_version=version,
        scored_at=datetime.now(UTC).replace(tzinfo=None),
    )
    with warehouse.connect() as connection:
        connection.execute("create or replace table ml.readmission_scores as select * from scores")
    tiers = scores["risk_tier"].value_counts().to_dict()
    yield dg.MaterializeResult(
        metadata={
            "rows": len(scores),
            "model_version": version,
            "mean_risk": float(scores["readmission_risk_30d"].mean()) if len(scores) else 0.0,
            **{f"tier_{tier}": int(tiers.get(tier, 0)) for tier in ("low", "medium", "high")},
        }
    )


readmission_retrain_job = dg.define_asset_job(
    "readmission_retrain_job",
    selection=dg.AssetSelection.assets(readmission_model, readmission_scores),
    description="Retrain the readmission model, gate the new version, and rescore discharges.",
)
