"""Model evaluation shared by every Vigil model: discrimination, calibration, subgroups.

Pure numpy/pandas/scikit-learn. The promotion gate (:mod:`ml.gate`) reads the
dictionaries these functions return, so every metric name used here is part of the
gate's contract:

- ``auroc``: area under the ROC curve (higher is better).
- ``brier``: Brier score, mean squared error of the predicted probability (Brier 1950).
- ``ece``: expected calibration error over equal-width probability bins, the
  bin-size-weighted mean of ``|observed rate - mean predicted risk|`` (Naeini et al. 2015).
- ``ece_noise_floor``: the 99th percentile of the ECE a perfectly calibrated model would
  show on this holdout (outcomes redrawn from its own predictions): small holdouts have
  a sizeable ECE from sampling alone, so the gate accepts an ECE within that floor.
- ``mae``: mean absolute error, in the target's unit (days for length of stay).
- ``subgroup_gap_<attribute>``: the largest difference of the primary metric
  (AUROC or MAE) between any two subgroups of ``<attribute>`` (sex, age band, payer),
  with ``subgroup_gap_<attribute>_noise_floor``, the gap chance alone produces, and
  ``subgroup_count_<attribute>``, how many subgroups could be measured,
  that are large enough to be measured: at least ``min_size`` rows, and for AUROC at
  least ``min_events`` rows of each outcome (fewer makes a subgroup AUROC mostly noise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

SUBGROUP_ATTRIBUTES = ("sex", "age_band", "primary_payer")
# Age bands used for subgroup checks (years): children, working age, older, oldest old.
AGE_BAND_EDGES = (0, 18, 45, 65, 80, 200)
AGE_BAND_LABELS = ("0-17", "18-44", "45-64", "65-79", "80+")


def age_band(age_years: pd.Series) -> pd.Series:
    """Age in years to the bands above (left-closed: 65 is in 65-79)."""
    bands = pd.cut(age_years, bins=AGE_BAND_EDGES, labels=AGE_BAND_LABELS, right=False)
    return bands.astype("string")


def expected_calibration_error(outcome: np.ndarray, risk: np.ndarray, bins: int = 10) -> float:
    """ECE over ``bins`` equal-width bins of predicted risk."""
    outcome = np.asarray(outcome, dtype=float)
    risk = np.asarray(risk, dtype=float)
    if len(risk) == 0:
        raise ValueError("cannot compute calibration error on no predictions")
    index = np.minimum((risk * bins).astype(int), bins - 1)
    total = 0.0
    for b in np.unique(index):
        members = index == b
        total += members.sum() * abs(outcome[members].mean() - risk[members].mean())
    return float(total / len(risk))


def ece_noise_floor(
    risk: np.ndarray, bins: int = 10, draws: int = 200, quantile: float = 0.99, seed: int = 0
) -> float:
    """ECE a perfectly calibrated model reaches on this many predictions by chance."""
    rng = np.random.default_rng(seed)
    risk = np.asarray(risk, dtype=float)
    values = [
        expected_calibration_error((rng.random(len(risk)) < risk).astype(float), risk, bins)
        for _ in range(draws)
    ]
    return float(np.quantile(values, quantile))


def improvement_upper_bound(
    outcome: np.ndarray,
    model: np.ndarray,
    baseline: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float],
    higher_is_better: bool = True,
    draws: int = 200,
    quantile: float = 0.95,
    seed: int = 0,
) -> float:
    """Upper bound (paired bootstrap over rows) of the model's improvement on the baseline.

    Improvement is ``metric(model) - metric(baseline)``, sign-flipped when lower is
    better. A negative bound means the model is worse than its baseline beyond what
    resampling the holdout explains; on a small holdout the bound is wide.
    """
    rng = np.random.default_rng(seed)
    outcome, model, baseline = (np.asarray(x, float) for x in (outcome, model, baseline))
    sign = 1.0 if higher_is_better else -1.0
    gains = []
    for _ in range(draws):
        rows = rng.integers(0, len(outcome), len(outcome))
        value = metric(outcome[rows], model[rows]) - metric(outcome[rows], baseline[rows])
        if not np.isnan(value):
            gains.append(sign * value)
    return float(np.quantile(gains, quantile)) if gains else float("nan")


def calibration_table(outcome: np.ndarray, risk: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """The calibration curve: per risk bin, count, mean predicted risk and observed rate."""
    frame = pd.DataFrame({"outcome": np.asarray(outcome, float), "risk": np.asarray(risk, float)})
    frame["bin"] = np.minimum((frame["risk"] * bins).astype(int), bins - 1)
    table = frame.groupby("bin").agg(
        count=("risk", "size"), mean_risk=("risk", "mean"), observed_rate=("outcome", "mean")
    )
    return table.reset_index()


def auroc_or_nan(outcome: np.ndarray, score: np.ndarray) -> float:
    """AUROC, or NaN when only one outcome is present (undefined)."""
    if len(np.unique(outcome)) < 2:
        return float("nan")
    return float(roc_auc_score(outcome, score))


def mean_absolute_error(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(predicted, float))))


def subgroup_metrics(
    frame: pd.DataFrame,
    attribute: str,
    metric: Callable[[np.ndarray, np.ndarray], float],
    actual: str,
    predicted: str,
    min_size: int,
    min_events: int = 0,
) -> dict[str, float]:
    """``metric`` per subgroup of ``attribute``, leaving out small or undefined groups."""
    result: dict[str, float] = {}
    for group, members in frame.groupby(attribute, dropna=False, observed=True):
        if len(members) < min_size:
            continue
        if min_events and members[actual].value_counts().reindex([0, 1]).fillna(0).min() < (
            min_events
        ):
            continue
        value = metric(members[actual].to_numpy(), members[predicted].to_numpy())
        if not np.isnan(value):
            result[str(group)] = value
    return result


def _gap(values: dict[str, float]) -> float:
    return max(values.values()) - min(values.values()) if len(values) >= 2 else 0.0


def subgroup_gaps(
    frame: pd.DataFrame,
    metric: Callable[[np.ndarray, np.ndarray], float],
    actual: str,
    predicted: str,
    min_size: int = 30,
    attributes: tuple[str, ...] = SUBGROUP_ATTRIBUTES,
    min_events: int = 0,
    draws: int = 200,
    seed: int = 0,
    quantile: float = 0.99,
) -> dict[str, float]:
    """Per attribute, the gap and the gap expected by chance.

    ``subgroup_gap_<attribute>``: max minus min of ``metric`` across measurable
    subgroups (0.0 when fewer than two can be measured). ``..._noise_floor``: the 95th
    percentile (``quantile``; 99th so that three attributes together rarely refuse a
    fair model by chance) of that gap when the attribute is shuffled across rows, i.e.
    what groups of these sizes differ by when they do not differ at all. ``age_band`` is derived
    from ``age_years`` when absent.
    """
    if "age_band" in attributes and "age_band" not in frame:
        frame = frame.assign(age_band=age_band(frame["age_years"]))
    rng = np.random.default_rng(seed)
    gaps: dict[str, float] = {}
    for attribute in attributes:
        values = subgroup_metrics(frame, attribute, metric, actual, predicted, min_size, min_events)
        gaps[f"subgroup_gap_{attribute}"] = _gap(values)
        gaps[f"subgroup_count_{attribute}"] = float(len(values))
        shuffled = frame[[actual, predicted]].copy()
        null_gaps = []
        for _ in range(draws if len(values) >= 2 else 0):
            shuffled[attribute] = rng.permutation(frame[attribute].to_numpy())
            null_gaps.append(
                _gap(
                    subgroup_metrics(
                        shuffled, attribute, metric, actual, predicted, min_size, min_events
                    )
                )
            )
        gaps[f"subgroup_gap_{attribute}_noise_floor"] = (
            float(np.quantile(null_gaps, quantile)) if null_gaps else 0.0
        )
    return gaps


def classifier_metrics(
    frame: pd.DataFrame, outcome: str, risk: str, min_subgroup_events: int = 25
) -> dict[str, float]:
    """AUROC, Brier, ECE and subgroup AUROC gaps of predicted ``risk`` against ``outcome``.

    A subgroup's AUROC counts only with ``min_subgroup_events`` of each outcome.
    """
    y = frame[outcome].to_numpy().astype(int)
    p = frame[risk].to_numpy().astype(float)
    return {
        "auroc": float(roc_auc_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "ece": expected_calibration_error(y, p),
        "ece_noise_floor": ece_noise_floor(p),
        **subgroup_gaps(
            frame.assign(**{outcome: y}),
            auroc_or_nan,
            outcome,
            risk,
            min_size=1,
            min_events=min_subgroup_events,
        ),
    }


def regressor_metrics(
    frame: pd.DataFrame, actual: str, predicted: str, min_subgroup_size: int = 30
) -> dict[str, float]:
    """MAE and subgroup MAE gaps of ``predicted`` against ``actual``."""
    return {
        "mae": mean_absolute_error(frame[actual].to_numpy(), frame[predicted].to_numpy()),
        **subgroup_gaps(frame, mean_absolute_error, actual, predicted, min_subgroup_size),
    }


def rounded(metrics: Mapping[str, float], digits: int = 4) -> dict[str, float]:
    return {name: round(float(value), digits) for name, value in metrics.items()}
