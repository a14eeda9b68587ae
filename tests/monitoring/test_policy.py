"""The retrain policy: which results trigger, and the cooldown against retraining storms."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from monitoring.config import Thresholds
from monitoring.policy import Action, ResultView, breaches, decide, regate

NOW = datetime(2025, 6, 1, 12, 0)


def result(**changes) -> ResultView:
    values = {
        "drift_result_id": "r1",
        "model_name": "vigil-readmission",
        "evaluated_at": NOW,
        "partition_date": date(2025, 5, 31),
        "current_rows": 50,
        "drifted_share": 0.1,
        "drifted_columns": "",
        "is_prediction_drift": False,
        "max_missing_share_increase": 0.0,
        "max_out_of_range_share_increase": 0.0,
        "auroc_drop": None,
    }
    return ResultView(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"drifted_share": 0.6, "drifted_columns": "age_years"}, "feature drift"),
        ({"max_missing_share_increase": 0.2}, "missing values up"),
        ({"max_out_of_range_share_increase": 0.1}, "out-of-range values up"),
        ({"auroc_drop": 0.09}, "AUROC down"),
        ({"mae_increase": 0.21}, "MAE up"),
        ({"is_intake_drift": True, "intake_drifted_columns": "charlson_index"}, "case mix"),
    ],
)
def test_each_threshold_triggers_a_retrain(changes: dict, reason: str) -> None:
    decision = decide(result(**changes), Thresholds(), None, NOW)
    assert decision.action is Action.RETRAIN
    assert reason in decision.text


def test_within_thresholds_is_no_trigger() -> None:
    decision = decide(
        result(drifted_share=0.49, auroc_drop=0.08, mae_increase=0.2), Thresholds(), None, NOW
    )
    assert decision.action is Action.NONE


def test_prediction_drift_alone_triggers_only_when_configured() -> None:
    drifted = result(is_prediction_drift=True)
    assert decide(drifted, Thresholds(), None, NOW).action is Action.NONE
    configured = Thresholds(trigger_on_prediction_drift=True)
    assert decide(drifted, configured, None, NOW).action is Action.RETRAIN


def test_too_few_rows_never_triggers() -> None:
    tiny = result(current_rows=5, drifted_share=1.0)
    assert breaches(tiny, Thresholds(min_current_rows=20)) == []
    assert "not evaluated" in decide(tiny, Thresholds(min_current_rows=20), None, NOW).text


def test_too_few_model_rows_still_trigger_on_the_arrivals_case_mix() -> None:
    tiny = result(
        current_rows=5, drifted_share=1.0, is_intake_drift=True,
        intake_drifted_columns="charlson_index",
    )  # fmt: skip
    assert breaches(tiny, Thresholds(min_current_rows=20)) == [
        "ED arrivals' case mix drift (charlson_index)"
    ]
    assert decide(tiny, Thresholds(min_current_rows=20), None, NOW).action is Action.RETRAIN


def test_cooldown_suppresses_then_expires() -> None:
    drifted = result(drifted_share=0.8)
    thresholds = Thresholds(cooldown_hours=6)
    inside = decide(drifted, thresholds, NOW - timedelta(hours=5, minutes=59), NOW)
    assert inside.action is Action.COOLDOWN
    assert "feature drift" in inside.text and "cooldown" in inside.text
    after = decide(drifted, thresholds, NOW - timedelta(hours=6), NOW)
    assert after.action is Action.RETRAIN


@pytest.mark.parametrize(
    "bad", [{"drift_share": 0.0}, {"cooldown_hours": -1}, {"min_current_rows": 1}]
)
def test_thresholds_reject_nonsense(bad: dict) -> None:
    with pytest.raises(ValueError):
        Thresholds(**bad)


def test_intake_drift_triggers_only_when_switched_on() -> None:
    drifted = result(is_intake_drift=True, intake_drifted_columns="charlson_index")
    assert breaches(drifted, Thresholds()) == ["ED arrivals' case mix drift (charlson_index)"]
    assert breaches(drifted, Thresholds(trigger_on_intake_drift=False)) == []
    assert breaches(result(is_intake_drift=False), Thresholds()) == []


def test_regate_waits_for_the_post_drift_labels() -> None:
    assert regate(None, 10_000, 200).action is Action.NONE
    waiting = regate(date(2025, 3, 22), 199, 200)
    assert waiting.action is Action.NONE
    assert (
        waiting.text
        == "waiting for post-drift labels: 199 of 200 rows since 2025-03-22 have matured"
    )
    due = regate(date(2025, 3, 22), 200, 200)
    assert due.action is Action.REGATE and due.action.value == "regate_requested"
    assert "200 rows since the drift of 2025-03-22" in due.text
