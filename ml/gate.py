"""The promotion gate: a challenger replaces the champion only when it is better.

Pure decision logic over holdout metrics from :mod:`ml.evaluation`; the registry
applies the decision as MLflow aliases and the training asset records it in
``monitoring.model_decisions`` (:func:`decision_row`).

A challenger is promoted when every check passes:

1. **Margin**: on the same time-ordered holdout it beats the champion's primary metric
   (AUROC for classifiers, MAE for regressors) by at least ``min_gain``. With no
   champion this check passes.
2. **Calibration** (classifiers): Brier score at most ``max_brier`` and expected
   calibration error at most ``max_ece``, or within the noise floor a perfectly
   calibrated model shows on a holdout this small (``ece_noise_floor``).
3. **Subgroups**: the primary metric's gap across sex, age band and payer at most
   ``max_subgroup_gap`` each, or within the gap that shuffled groups of the same
   sizes show by chance (``subgroup_gap_<attribute>_noise_floor``), or no wider than
   the champion's gap on the same holdout: a challenger that narrows a gap is not
   refused for it, since refusing it keeps the champion's wider gap (a gap can be the
   data's: after ``case_mix_drift`` Medicaid stays last twice as long, so their MAE in
   days is about twice the others' under any model).
4. **Behaviour**: each metric named in ``must_be_zero`` (direction-test violations) is 0.
5. **Baseline**: when ``baseline_metric`` is set, the challenger's primary metric beats
   that simple baseline on the same holdout (LACE for readmission, per-DRG median
   length of stay, seasonal naive): a model that cannot beat its baseline does not
   earn its place. When ``baseline_bound_metric`` is also set (the upper bound of the
   model's paired-bootstrap improvement over the baseline), a holdout too small to
   tell the two apart passes, saying so; a model worse beyond that noise fails. With
   fewer than ``min_baseline_evidence`` in ``evidence_metric`` (e.g. holdout
   readmissions) the comparison is reported as not measurable, like a subgroup.
   ``secondary_baselines`` adds further comparisons judged the same way (deterioration:
   sensitivity at NEWS2's alert rate against NEWS2's own, besides AUROC).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ml.evaluation import SUBGROUP_ATTRIBUTES


@dataclass(frozen=True)
class GateConfig:
    """Thresholds of the gate; ``None`` switches a calibration check off (regressors)."""

    primary_metric: str = "auroc"
    higher_is_better: bool = True
    min_gain: float = 0.0
    max_brier: float | None = 0.25
    max_ece: float | None = 0.05
    max_subgroup_gap: float = 0.15
    must_be_zero: tuple[str, ...] = ()
    baseline_metric: str | None = None
    baseline_bound_metric: str | None = None
    evidence_metric: str | None = None
    min_baseline_evidence: float = 0.0
    subgroup_attributes: tuple[str, ...] = SUBGROUP_ATTRIBUTES
    # Further (metric, baseline metric, improvement-bound metric or None) comparisons,
    # higher is better, judged like the primary baseline (e.g. sensitivity at NEWS2's
    # alert rate against NEWS2's own).
    secondary_baselines: tuple[tuple[str, str, str | None], ...] = ()

    def required_metrics(self) -> list[str]:
        names = [self.primary_metric, *self.must_be_zero]
        if self.baseline_metric is not None:
            names.append(self.baseline_metric)
        if self.baseline_bound_metric is not None:
            names.append(self.baseline_bound_metric)
        if self.evidence_metric is not None:
            names.append(self.evidence_metric)
        for metric, baseline, bound in self.secondary_baselines:
            names += [metric, baseline] + ([bound] if bound is not None else [])
        for attribute in self.subgroup_attributes:
            names += [f"subgroup_gap_{attribute}", f"subgroup_gap_{attribute}_noise_floor"]
        if self.max_brier is not None:
            names.append("brier")
        if self.max_ece is not None:
            names += ["ece", "ece_noise_floor"]
        return names


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reasons: list[str] = field(default_factory=list)


def decide(
    challenger: Mapping[str, float], champion: Mapping[str, float] | None, config: GateConfig
) -> GateDecision:
    """Compare holdout metrics of challenger and champion (same holdout).

    Reasons list the failed checks first, then the passed ones.
    """
    missing = [name for name in config.required_metrics() if name not in challenger]
    if champion is not None and config.primary_metric not in champion:
        missing.append(f"champion {config.primary_metric}")
    if missing:
        raise ValueError(f"gate needs the metrics {missing}; got {sorted(challenger)}")
    checks: list[tuple[bool, str]] = []
    if config.max_brier is not None:
        brier = challenger["brier"]
        checks.append(
            (brier <= config.max_brier, f"calibration: Brier {brier:.4f} vs max {config.max_brier}")
        )
    if config.max_ece is not None:
        ece = challenger["ece"]
        floor = challenger["ece_noise_floor"]
        reason = f"calibration: ECE {ece:.4f} vs max {config.max_ece} (noise floor {floor:.4f})"
        checks.append((ece <= max(config.max_ece, floor), reason))
    for attribute in config.subgroup_attributes:
        gap = challenger[f"subgroup_gap_{attribute}"]
        floor = challenger[f"subgroup_gap_{attribute}_noise_floor"]
        measured = int(challenger.get(f"subgroup_count_{attribute}", 2))
        if measured < 2:
            reason = f"subgroups: by {attribute} not measurable on this holdout "
            checks.append((True, reason + f"({measured} subgroup(s) large enough)"))
            continue
        reason = (
            f"subgroups: {config.primary_metric} gap by {attribute} {gap:.4f} "
            f"vs max {config.max_subgroup_gap} (noise floor {floor:.4f})"
        )
        within = not math.isnan(gap) and gap <= max(config.max_subgroup_gap, floor)
        champion_gap = (champion or {}).get(f"subgroup_gap_{attribute}", math.nan)
        if not within and not math.isnan(gap) and gap <= champion_gap:
            within = True
            reason += f", no wider than the champion's {champion_gap:.4f}"
        checks.append((within, reason))
    for name in config.must_be_zero:
        checks.append((challenger[name] == 0, f"behaviour: {name} = {challenger[name]:g}"))
    metric = config.primary_metric
    sign = 1.0 if config.higher_is_better else -1.0
    if config.baseline_metric is not None:
        checks.append(
            _baseline_check(
                challenger,
                metric,
                config.baseline_metric,
                config.baseline_bound_metric,
                sign,
                config,
            )
        )
    for other, baseline, bound in config.secondary_baselines:
        checks.append(_baseline_check(challenger, other, baseline, bound, 1.0, config))
    if champion is None:
        checks.append((True, "no current champion"))
    else:
        gain = sign * (challenger[metric] - champion[metric])
        verdict = "" if gain >= config.min_gain else " below the required"
        checks.append(
            (
                gain >= config.min_gain,
                f"{metric} {challenger[metric]:.4f} vs champion {champion[metric]:.4f}: "
                f"gain {gain:+.4f}{verdict} {config.min_gain:+.4f}",
            )
        )
    failed = [reason for ok, reason in checks if not ok]
    passed = [reason for ok, reason in checks if ok]
    return GateDecision(promote=not failed, reasons=failed + passed)


def _baseline_check(
    challenger: Mapping[str, float],
    metric: str,
    baseline_metric: str,
    bound_metric: str | None,
    sign: float,
    config: GateConfig,
) -> tuple[bool, str]:
    """Does ``metric`` beat ``baseline_metric``, or is it not worse beyond holdout noise?"""
    baseline = challenger[baseline_metric]
    reason = f"baseline: {metric} {challenger[metric]:.4f} vs {baseline_metric} {baseline:.4f}"
    beats = sign * (challenger[metric] - baseline) > 0
    evidence = challenger[config.evidence_metric] if config.evidence_metric is not None else None
    if not beats and evidence is not None and evidence < config.min_baseline_evidence:
        reason += (
            f" (not measurable: {config.evidence_metric} {evidence:g} "
            f"< {config.min_baseline_evidence:g})"
        )
        beats = True
    elif not beats and bound_metric is not None:
        bound = challenger[bound_metric]
        if bound >= 0:
            reason += f" (not worse beyond holdout noise: improvement bound {bound:+.4f})"
            beats = True
        else:
            reason += f" (worse beyond holdout noise: improvement bound {bound:+.4f})"
    return beats, reason


# Columns of monitoring.model_decisions, one row per gate decision (documented in docs/models.md).
MODEL_DECISIONS_DDL = """
create table if not exists monitoring.model_decisions (
    decided_at timestamp not null,
    model_name varchar not null,
    model_version varchar not null,
    previous_champion_version varchar,
    champion_version varchar,
    is_promoted boolean not null,
    primary_metric varchar not null,
    challenger_value double not null,
    champion_value double,
    min_gain double not null,
    reasons varchar not null,
    metrics_json varchar not null,
    mlflow_run_id varchar not null,
    dagster_run_id varchar not null
);
alter table monitoring.model_decisions add column if not exists post_drift_rows integer;
alter table monitoring.model_decisions add column if not exists post_drift_challenger_value double;
alter table monitoring.model_decisions add column if not exists post_drift_champion_value double;
"""


def decision_row(
    *,
    decided_at: datetime,
    model_name: str,
    model_version: str,
    previous_champion_version: str | None,
    decision: GateDecision,
    config: GateConfig,
    challenger: Mapping[str, float],
    champion: Mapping[str, float] | None,
    mlflow_run_id: str,
    dagster_run_id: str,
) -> dict[str, object]:
    """One ``monitoring.model_decisions`` row for ``decision``."""
    metric = config.primary_metric
    return {
        "decided_at": decided_at,
        "model_name": model_name,
        "model_version": model_version,
        "previous_champion_version": previous_champion_version,
        "champion_version": model_version if decision.promote else previous_champion_version,
        "is_promoted": decision.promote,
        "primary_metric": metric,
        "challenger_value": float(challenger[metric]),
        "champion_value": None if champion is None else float(champion[metric]),
        "min_gain": config.min_gain,
        "reasons": "; ".join(decision.reasons),
        "metrics_json": json.dumps({k: float(v) for k, v in challenger.items()}, sort_keys=True),
        "mlflow_run_id": mlflow_run_id,
        "dagster_run_id": dagster_run_id,
    }
