"""When a monitoring result asks for retraining: thresholds, then the cooldown.

Pure: the sensors pass in the latest result and the time of the model's last retrain
request (from `monitoring.retraining_events`) and act on the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from monitoring.config import Thresholds


class Action(StrEnum):
    RETRAIN = "retrain_requested"
    COOLDOWN = "suppressed_by_cooldown"
    REGATE = "regate_requested"
    NONE = "no_trigger"


@dataclass(frozen=True)
class ResultView:
    """The fields of a `monitoring.drift_results` row the policy reads."""

    drift_result_id: str
    model_name: str
    evaluated_at: datetime
    partition_date: date | None
    current_rows: int
    drifted_share: float
    drifted_columns: str = ""
    is_prediction_drift: bool = False
    max_missing_share_increase: float | None = None
    max_out_of_range_share_increase: float | None = None
    auroc_drop: float | None = None
    mae_increase: float | None = None
    is_intake_drift: bool | None = None
    intake_drifted_columns: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        return "; ".join(self.reasons)


def breaches(result: ResultView, thresholds: Thresholds) -> list[str]:
    """Every threshold the result passes, in words (empty: nothing to act on).

    A window with fewer than ``min_current_rows`` of the model's rows is judged on its
    intake alone (the ED arrivals' check has its own minimum, applied when it ran).
    """
    found = []
    if thresholds.trigger_on_intake_drift and result.is_intake_drift:
        columns = result.intake_drifted_columns or "no column named"
        found.append(f"ED arrivals' case mix drift ({columns})")
    if result.current_rows < thresholds.min_current_rows:
        return found
    if result.drifted_share >= thresholds.drift_share:
        found.append(
            f"feature drift: share {result.drifted_share:.2f} >= {thresholds.drift_share:.2f}"
            f" ({result.drifted_columns or 'no column named'})"
        )
    if thresholds.trigger_on_prediction_drift and result.is_prediction_drift:
        found.append("prediction drift")
    missing = result.max_missing_share_increase
    if missing is not None and missing > thresholds.max_missing_share_increase:
        found.append(
            f"missing values up {missing:.3f} > {thresholds.max_missing_share_increase:.3f}"
        )
    out_of_range = result.max_out_of_range_share_increase
    if out_of_range is not None and out_of_range > thresholds.max_out_of_range_share_increase:
        found.append(
            f"out-of-range values up {out_of_range:.3f}"
            f" > {thresholds.max_out_of_range_share_increase:.3f}"
        )
    if result.auroc_drop is not None and result.auroc_drop > thresholds.max_auroc_drop:
        found.append(f"AUROC down {result.auroc_drop:.3f} > {thresholds.max_auroc_drop:.3f}")
    if result.mae_increase is not None and result.mae_increase > thresholds.max_mae_increase:
        found.append(
            f"MAE up {result.mae_increase:.1%} > {thresholds.max_mae_increase:.1%} (relative)"
        )
    return found


def decide(
    result: ResultView,
    thresholds: Thresholds,
    last_retrain_at: datetime | None,
    now: datetime,
) -> Decision:
    """Retrain on a breach, unless the model was sent to retraining within the cooldown."""
    found = breaches(result, thresholds)
    if not found:
        if result.current_rows < thresholds.min_current_rows:
            return Decision(
                Action.NONE,
                (f"{result.current_rows} rows < {thresholds.min_current_rows}: not evaluated",),
            )
        return Decision(Action.NONE, ("within thresholds",))
    cooldown = timedelta(hours=thresholds.cooldown_hours)
    if last_retrain_at is not None and now - last_retrain_at < cooldown:
        until = last_retrain_at + cooldown
        return Decision(
            Action.COOLDOWN,
            (*found, f"cooldown: last retrain requested {last_retrain_at:%Y-%m-%d %H:%M:%S},"
             f" next allowed after {until:%Y-%m-%d %H:%M:%S}"),
        )  # fmt: skip
    return Decision(Action.RETRAIN, tuple(found))


def regate(drift_partition: date | None, matured_since_drift: int, min_rows: int) -> Decision:
    """Re-gate a drift once its post-drift labels have matured.

    ``drift_partition``: the first drifted day of the drift-triggered retrains since the
    model's last re-gate (None: none), so each drift is re-gated once, however many days
    flagged it; ``matured_since_drift``: rows from that day on whose label has matured.
    The cooldown does not apply: this is one scheduled retrain per drift, not a storm.
    """
    if drift_partition is None:
        return Decision(Action.NONE, ("no drift-triggered retrain since the last re-gate",))
    if matured_since_drift < min_rows:
        return Decision(
            Action.NONE,
            (
                f"waiting for post-drift labels: {matured_since_drift} of {min_rows} rows "
                f"since {drift_partition} have matured",
            ),
        )
    return Decision(
        Action.REGATE,
        (
            f"re-gate: {matured_since_drift} rows since the drift of {drift_partition} "
            f"have matured labels (>= {min_rows}); retrain on and judge by post-drift data",
        ),
    )
