"""Model quality once labels mature: AUROC and Brier (classifiers) or MAE (regressors).

Readmission labels mature 30 days after discharge (CMS Hospital-Wide Readmission
window), so a day's window only gets a model-quality figure once its labels are in;
until then the result says so rather than scoring immature (mostly negative) labels.
A length of stay is known once the stay has ended; the regression branch scores the
champion's predicted days by mean absolute error (the metric its gate uses) on ended
stays only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

# Fewer labelled rows than this, or a single outcome, gives no AUROC worth comparing.
MIN_LABELLED_ROWS = 200


@dataclass(frozen=True)
class ModelQuality:
    labelled_rows: int
    auroc: float | None
    brier: float | None
    reference_auroc: float | None
    reference_brier: float | None
    mae: float | None = None
    reference_mae: float | None = None

    @property
    def mae_increase(self) -> float | None:
        """Relative MAE change vs the reference: (current - reference) / reference (up: worse)."""
        if self.mae is None or self.reference_mae is None or self.reference_mae <= 0:
            return None
        return (self.mae - self.reference_mae) / self.reference_mae

    @property
    def auroc_drop(self) -> float | None:
        """Reference AUROC minus current AUROC (positive: the model got worse)."""
        if self.auroc is None or self.reference_auroc is None:
            return None
        return self.reference_auroc - self.auroc


def _scores(
    labels: pd.Series, risk: np.ndarray, min_rows: int
) -> tuple[float | None, float | None]:
    if len(labels) < min_rows or labels.nunique() < 2:
        return None, None
    return (
        float(roc_auc_score(labels.astype(int), risk)),
        float(brier_score_loss(labels.astype(int), risk)),
    )


def model_quality(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    label: str,
    prediction: str,
    mature: str | None = None,
    reference_scores: tuple[float, float] | None = None,
    min_rows: int = MIN_LABELLED_ROWS,
) -> ModelQuality:
    """Score ``prediction`` against ``label`` on the rows whose label is mature.

    ``reference_scores`` (AUROC, Brier) is the champion's own holdout result when known:
    the fairer baseline, since scoring the training window itself is optimistic.
    """

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame[mature].astype(bool)] if mature else frame

    now, then = labelled(current), labelled(reference)
    auroc, brier = _scores(now[label], now[prediction].to_numpy(), min_rows)
    if reference_scores is not None:
        reference_auroc, reference_brier = reference_scores
    else:
        reference_auroc, reference_brier = _scores(
            then[label], then[prediction].to_numpy(), min_rows
        )
    return ModelQuality(len(now), auroc, brier, reference_auroc, reference_brier)


def _mae(frame: pd.DataFrame, label: str, prediction: str, min_rows: int) -> float | None:
    if len(frame) < min_rows:
        return None
    return float((frame[prediction] - frame[label]).abs().mean())


def regression_quality(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    label: str,
    prediction: str,
    mature: str | None = None,
    reference_mae: float | None = None,
    min_rows: int = MIN_LABELLED_ROWS,
) -> ModelQuality:
    """MAE of ``prediction`` against ``label`` on rows whose target is known, and its change.

    ``reference_mae`` is the champion's holdout MAE when known (the fairer baseline: the
    training window's own MAE is optimistic); otherwise the reference window's MAE.
    """

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        known = frame[frame[mature].astype(bool)] if mature else frame
        return known[known[label].notna()]

    now = labelled(current)
    if reference_mae is None:
        reference_mae = _mae(labelled(reference), label, prediction, min_rows)
    return ModelQuality(
        len(now), None, None, None, None, _mae(now, label, prediction, min_rows), reference_mae
    )
