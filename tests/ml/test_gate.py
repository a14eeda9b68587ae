"""The promotion gate's decisions."""

from __future__ import annotations

from ml.gate import GateConfig, decide


def test_first_model_is_promoted_when_calibrated() -> None:
    assert decide({"auroc": 0.7, "brier": 0.1}, None, GateConfig()).promote


def test_worse_challenger_is_not_promoted() -> None:
    decision = decide({"auroc": 0.68, "brier": 0.1}, {"auroc": 0.70, "brier": 0.1}, GateConfig())
    assert not decision.promote
    assert "below the required" in decision.reasons[0]


def test_margin_is_required() -> None:
    config = GateConfig(min_auroc_gain=0.01)
    assert not decide({"auroc": 0.705, "brier": 0.1}, {"auroc": 0.70, "brier": 0.1}, config).promote
    assert decide({"auroc": 0.72, "brier": 0.1}, {"auroc": 0.70, "brier": 0.1}, config).promote


def test_badly_calibrated_challenger_is_refused() -> None:
    decision = decide({"auroc": 0.9, "brier": 0.3}, None, GateConfig(max_brier=0.25))
    assert not decision.promote
    assert decision.reasons[0].startswith("calibration")
