"""The promotion gate's decisions and the row it leaves in monitoring.model_decisions."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from ml.gate import GateConfig, decide, decision_row

FAIR = {
    "subgroup_gap_sex": 0.02,
    "subgroup_gap_sex_noise_floor": 0.03,
    "subgroup_gap_age_band": 0.05,
    "subgroup_gap_age_band_noise_floor": 0.06,
    "subgroup_gap_primary_payer": 0.04,
    "subgroup_gap_primary_payer_noise_floor": 0.05,
}


def metrics(auroc: float, brier: float = 0.1, ece: float = 0.02, **extra: float) -> dict:
    return {"auroc": auroc, "brier": brier, "ece": ece, "ece_noise_floor": 0.03, **FAIR, **extra}


def test_first_model_is_promoted_when_calibrated() -> None:
    decision = decide(metrics(0.7), None, GateConfig())
    assert decision.promote
    assert "no current champion" in decision.reasons


def test_worse_challenger_is_not_promoted() -> None:
    decision = decide(metrics(0.68), metrics(0.70), GateConfig())
    assert not decision.promote
    assert "below the required" in decision.reasons[0]


def test_margin_is_required() -> None:
    config = GateConfig(min_gain=0.01)
    assert not decide(metrics(0.705), metrics(0.70), config).promote
    assert decide(metrics(0.72), metrics(0.70), config).promote


def test_badly_calibrated_challenger_is_refused() -> None:
    decision = decide(metrics(0.9, brier=0.3), None, GateConfig(max_brier=0.25))
    assert not decision.promote
    assert decision.reasons[0].startswith("calibration")


def test_expected_calibration_error_is_checked() -> None:
    decision = decide(metrics(0.9, ece=0.08), None, GateConfig(max_ece=0.05))
    assert not decision.promote
    assert decision.reasons[0].startswith("calibration: ECE")


@pytest.mark.parametrize("attribute", ["sex", "age_band", "primary_payer"])
def test_subgroup_gap_beyond_the_bound_is_refused(attribute: str) -> None:
    unfair = metrics(0.8) | {f"subgroup_gap_{attribute}": 0.2}
    decision = decide(unfair, None, GateConfig(max_subgroup_gap=0.1))
    assert not decision.promote
    assert decision.reasons[0].startswith(f"subgroups: auroc gap by {attribute}")


def test_subgroup_gap_within_chance_is_accepted() -> None:
    small_groups = metrics(0.8) | {"subgroup_gap_sex": 0.18, "subgroup_gap_sex_noise_floor": 0.2}
    assert decide(small_groups, None, GateConfig(max_subgroup_gap=0.1)).promote
    beyond = small_groups | {"subgroup_gap_sex": 0.25}
    assert not decide(beyond, None, GateConfig(max_subgroup_gap=0.1)).promote


def test_a_gap_beyond_the_bound_passes_only_when_it_narrows_the_champions() -> None:
    config = GateConfig(max_subgroup_gap=0.1)
    champion = metrics(0.70) | {"subgroup_gap_primary_payer": 0.3}
    narrower = metrics(0.75) | {"subgroup_gap_primary_payer": 0.2}
    decision = decide(narrower, champion, config)
    assert decision.promote
    assert any("no wider than the champion's 0.3000" in r for r in decision.reasons)
    wider = metrics(0.75) | {"subgroup_gap_primary_payer": 0.35}
    refused = decide(wider, champion, config)
    assert not refused.promote
    assert refused.reasons[0].startswith("subgroups: auroc gap by primary_payer 0.3500")
    assert not decide(narrower, None, config).promote  # no champion: the bound alone


def test_unmeasurable_subgroups_are_reported_as_such() -> None:
    decision = decide(metrics(0.8) | {"subgroup_count_primary_payer": 1}, None, GateConfig())
    assert decision.promote
    assert any("by primary_payer not measurable" in reason for reason in decision.reasons)


def test_direction_violations_block_promotion() -> None:
    config = GateConfig(must_be_zero=("direction_violations",))
    assert decide(metrics(0.8, direction_violations=0), None, config).promote
    decision = decide(metrics(0.8, direction_violations=3), None, config)
    assert not decision.promote
    assert decision.reasons[0] == "behaviour: direction_violations = 3"


def test_calibration_error_within_sampling_noise_is_accepted() -> None:
    small_holdout = metrics(0.8, ece=0.07, ece_noise_floor=0.08)
    assert decide(small_holdout, None, GateConfig(max_ece=0.05)).promote
    assert not decide(small_holdout | {"ece": 0.09}, None, GateConfig(max_ece=0.05)).promote


def test_regressor_gate_wants_a_lower_error() -> None:
    config = GateConfig(
        primary_metric="mae",
        higher_is_better=False,
        min_gain=0.1,
        max_brier=None,
        max_ece=None,
        max_subgroup_gap=1.0,
    )
    regressor = {"mae": 2.0, **FAIR}
    assert decide(regressor, {"mae": 2.2}, config).promote
    assert not decide(regressor, {"mae": 2.05}, config).promote
    assert not decide({**regressor, "mae": 2.5}, {"mae": 2.2}, config).promote


def test_a_challenger_that_does_not_beat_its_baseline_is_refused() -> None:
    config = GateConfig(baseline_metric="lace_auroc")
    assert decide(metrics(0.70, lace_auroc=0.65), None, config).promote
    decision = decide(metrics(0.64, lace_auroc=0.65), None, config)
    assert not decision.promote
    assert decision.reasons[0].startswith("baseline: auroc 0.6400 vs lace_auroc")
    regressor = GateConfig("mae", False, max_brier=None, max_ece=None, baseline_metric="drg_mae")
    assert decide({"mae": 2.0, "drg_mae": 2.3, **FAIR}, None, regressor).promote
    assert not decide({"mae": 2.4, "drg_mae": 2.3, **FAIR}, None, regressor).promote


def test_baseline_comparison_allows_for_holdout_noise_and_size() -> None:
    config = GateConfig(
        baseline_metric="lace_auroc",
        baseline_bound_metric="gain_upper",
        evidence_metric="events",
        min_baseline_evidence=25,
    )
    noisy = metrics(0.66, lace_auroc=0.67, gain_upper=0.03, events=100)
    assert decide(noisy, None, config).promote
    worse = noisy | {"gain_upper": -0.01}
    decision = decide(worse, None, config)
    assert not decision.promote
    assert "worse beyond holdout noise" in decision.reasons[0]
    tiny = worse | {"events": 5}
    decision = decide(tiny, None, config)
    assert decision.promote
    assert any("not measurable: events 5 < 25" in reason for reason in decision.reasons)


def test_missing_metric_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="ece"):
        decide({"auroc": 0.8, "brier": 0.1, **FAIR}, None, GateConfig())


def test_decision_row_records_outcome_and_reasons() -> None:
    config = GateConfig(min_gain=0.01)
    challenger, champion = metrics(0.72), metrics(0.70)
    decision = decide(challenger, champion, config)
    row = decision_row(
        decided_at=datetime(2026, 1, 1),
        model_name="m",
        model_version="3",
        previous_champion_version="2",
        decision=decision,
        config=config,
        challenger=challenger,
        champion=champion,
        mlflow_run_id="r",
        dagster_run_id="d",
    )
    assert row["is_promoted"] and row["champion_version"] == "3"
    assert row["challenger_value"] == 0.72 and row["champion_value"] == 0.70
    assert json.loads(row["metrics_json"])["ece"] == 0.02
    refused = decision_row(
        decided_at=datetime(2026, 1, 1),
        model_name="m",
        model_version="4",
        previous_champion_version="3",
        decision=decide(metrics(0.6), champion, config),
        config=config,
        challenger=metrics(0.6),
        champion=champion,
        mlflow_run_id="r",
        dagster_run_id="d",
    )
    assert not refused["is_promoted"] and refused["champion_version"] == "3"
    assert "below the required" in refused["reasons"]


@pytest.mark.parametrize(
    ("sensitivity", "bound", "promote", "says"),
    [
        (0.60, 0.10, True, "baseline: sensitivity 0.6000 vs news2_sensitivity 0.5000"),
        (0.45, 0.02, True, "not worse beyond holdout noise"),
        (0.40, -0.03, False, "worse beyond holdout noise"),
    ],
)
def test_secondary_baseline_is_judged_like_the_primary_one(
    sensitivity: float, bound: float, promote: bool, says: str
) -> None:
    config = GateConfig(
        baseline_metric="news2_auroc",
        secondary_baselines=(("sensitivity", "news2_sensitivity", "sensitivity_bound"),),
    )
    challenger = metrics(
        0.75,
        news2_auroc=0.70,
        sensitivity=sensitivity,
        news2_sensitivity=0.50,
        sensitivity_bound=bound,
    )
    decision = decide(challenger, None, config)
    assert decision.promote is promote
    assert any(says in reason for reason in decision.reasons)


def test_secondary_baseline_metrics_are_required() -> None:
    config = GateConfig(secondary_baselines=(("sensitivity", "news2_sensitivity", None),))
    with pytest.raises(ValueError, match="news2_sensitivity"):
        decide(metrics(0.75, sensitivity=0.6), None, config)
