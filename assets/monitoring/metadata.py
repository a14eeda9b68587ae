"""Asset metadata every daily monitor shows first: what was evaluated, the trend, the run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg
import pandas as pd


def evaluation_summary(evaluations: Sequence[Any], trend: pd.DataFrame, run_url: str) -> dict:
    """Partitions evaluated and skipped (with why), the trend table and the MLflow run.

    ``evaluations`` have ``day``, ``row`` (None when skipped) and ``skipped`` (the reason).
    """
    evaluated = [e for e in evaluations if e.row is not None]
    return {
        "partitions_evaluated": len(evaluated),
        "partitions_skipped": dg.MetadataValue.md(
            "\n".join(f"- {e.day}: {e.skipped}" for e in evaluations if e.skipped) or "none"
        ),
        "trend": dg.MetadataValue.md(trend.to_markdown(index=False) if len(trend) else "none"),
        "mlflow_run": dg.MetadataValue.url(run_url),
    }
