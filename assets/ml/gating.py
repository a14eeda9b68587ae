"""Register, gate and record: the steps every training asset shares after its study.

The new version gets the alias `challenger`; the champion (if any) is evaluated on the
same holdout; the pure gate (:mod:`ml.gate`) decides; `champion` moves only on a
promote; the decision lands in `monitoring.model_decisions` and the asset metadata.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pandas as pd
from mlflow.tracking import MlflowClient

from assets.resources import WarehouseResource
from ml.gate import MODEL_DECISIONS_DDL, GateConfig, GateDecision, decide, decision_row
from ml.registry import CHALLENGER, CHAMPION, alias_version, load_version

# The drift sensor's tag on a retrain run it requested: the day the drift was seen.
DRIFT_PARTITION_TAG = "vigil/drift_partition"
# Fewer holdout rows after the drift than this give no post-drift comparison.
MIN_POST_DRIFT_ROWS = 50


@dataclass(frozen=True)
class PostDrift:
    """The holdout rows at or after the drifted day, and the primary metric's scorer."""

    rows: pd.DataFrame
    score: Callable[[Any, pd.DataFrame], float]
    challenger: Any


def post_drift_holdout(
    context: dg.AssetExecutionContext, holdout: pd.DataFrame, time_column: str
) -> pd.DataFrame | None:
    """The holdout rows from the drifted day on, for a retrain the drift sensor requested.

    Neither model trained on them (the old champion predates them, the new version holds
    them out), so both are scored on them: old against new on post-drift data.
    """
    partition = context.run.tags.get(DRIFT_PARTITION_TAG)
    if not partition:
        return None
    return holdout[holdout[time_column] >= pd.Timestamp(partition)]


def _post_drift_scores(post_drift: PostDrift | None, champion: Any) -> dict[str, Any]:
    scores: dict[str, Any] = {
        "post_drift_rows": None,
        "post_drift_challenger_value": None,
        "post_drift_champion_value": None,
    }
    if post_drift is None:
        return scores
    scores["post_drift_rows"] = len(post_drift.rows)
    if champion is not None and len(post_drift.rows) >= MIN_POST_DRIFT_ROWS:
        scores["post_drift_challenger_value"] = post_drift.score(
            post_drift.challenger, post_drift.rows
        )
        scores["post_drift_champion_value"] = post_drift.score(champion, post_drift.rows)
    return scores


def gate_version(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    client: MlflowClient,
    *,
    model_name: str,
    version: str,
    challenger_metrics: Mapping[str, float],
    evaluate_champion: Callable[[Any], Mapping[str, float]],
    config: GateConfig,
    mlflow_run_id: str,
    post_drift: PostDrift | None = None,
) -> tuple[GateDecision, dict[str, Any]]:
    """Alias ``version`` as challenger, decide against the champion, record the decision.

    ``post_drift`` (a retrain the drift sensor requested): both models' primary metric on
    the holdout rows after the drifted day, recorded beside the decision.
    """
    client.set_registered_model_alias(model_name, CHALLENGER, version)
    champion_version = alias_version(client, model_name, CHAMPION)
    champion = load_version(model_name, champion_version) if champion_version else None
    champion_metrics = dict(evaluate_champion(champion)) if champion is not None else None
    scores = _post_drift_scores(post_drift, champion)
    decision = decide(challenger_metrics, champion_metrics, config)
    if decision.promote:
        client.set_registered_model_alias(model_name, CHAMPION, version)
    row = (
        decision_row(
            decided_at=datetime.now(UTC).replace(tzinfo=None),
            model_name=model_name,
            model_version=version,
            previous_champion_version=champion_version,
            decision=decision,
            config=config,
            challenger=challenger_metrics,
            champion=champion_metrics,
            mlflow_run_id=mlflow_run_id,
            dagster_run_id=context.run.run_id,
        )
        | scores
    )
    with warehouse.connect() as connection:
        connection.execute("create schema if not exists monitoring")
        connection.execute(MODEL_DECISIONS_DDL)
        decisions = pd.DataFrame([row])  # noqa: F841 (read by DuckDB by name)
        connection.execute("insert into monitoring.model_decisions by name select * from decisions")
    outcome = "promoted to champion" if decision.promote else "kept as challenger"
    context.log.info(f"{model_name} v{version}: {outcome}; {row['reasons']}")
    metadata = {
        "model_version": version,
        "mlflow_run_id": mlflow_run_id,
        "promoted": decision.promote,
        "champion_version": row["champion_version"],
        "previous_champion_version": champion_version or "",
        "gate_reasons": dg.MetadataValue.md("\n".join(f"- {r}" for r in decision.reasons)),
        "champion_holdout_metrics": dg.MetadataValue.json(champion_metrics or {}),
        **{name: value for name, value in scores.items() if value is not None},
    }
    return decision, metadata


def champion_or_skip(
    context: dg.AssetExecutionContext, client: MlflowClient, model_name: str
) -> str | None:
    """The champion version, or None after recording why scoring is skipped.

    Scoring assets are declared ``output_required=False``: with no champion (no candidate
    has passed the gate yet) they materialize nothing and the run goes on, instead of
    failing every downstream step. The reason is logged as a warning and as an
    observation of the asset (visible in its event history with ``skipped_reason``).
    """
    version = alias_version(client, model_name, CHAMPION)
    if version is None:
        reason = (
            f"{model_name} has no `{CHAMPION}` version yet: no candidate has passed the "
            "promotion gate (see monitoring.model_decisions for the reasons); scoring skipped"
        )
        context.log.warning(reason)
        context.log_event(
            dg.AssetObservation(
                asset_key=context.asset_key,
                metadata={"skipped_reason": reason, "model_name": model_name},
            )
        )
    return version


def training_metadata(study: Any, split: Any) -> dict[str, int]:
    """Rows on each side of the time split and how the Optuna trials ended."""
    return {
        "train_rows": len(split.train),
        "holdout_rows": len(split.holdout),
        "trials_complete": sum(t.state.name == "COMPLETE" for t in study.trials),
        "trials_pruned": sum(t.state.name == "PRUNED" for t in study.trials),
    }


def tag_version(client: MlflowClient, model_name: str, version: str, **tags: Any) -> None:
    """Tag the registered version (training window, run id) as strings."""
    for key, value in tags.items():
        client.set_model_version_tag(model_name, version, key, str(value))
