"""The promotion gate: a challenger replaces the champion only when it is better.

Pure decision logic; the registry applies the decision as MLflow aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GateConfig:
    """Minimum AUROC gain over the champion, and the worst Brier score allowed."""

    min_auroc_gain: float = 0.0
    max_brier: float = 0.25


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reasons: list[str] = field(default_factory=list)


def decide(
    challenger: Mapping[str, float], champion: Mapping[str, float] | None, config: GateConfig
) -> GateDecision:
    """Compare holdout metrics of challenger and champion (same holdout)."""
    reasons: list[str] = []
    ok = True
    if challenger["brier"] > config.max_brier:
        ok = False
        reasons.append(f"calibration: Brier {challenger['brier']:.4f} > {config.max_brier}")
    if champion is None:
        reasons.append("no current champion")
    else:
        gain = challenger["auroc"] - champion["auroc"]
        if gain < config.min_auroc_gain:
            ok = False
            reasons.append(
                f"AUROC {challenger['auroc']:.4f} vs champion {champion['auroc']:.4f}: "
                f"gain {gain:+.4f} below the required {config.min_auroc_gain:+.4f}"
            )
        else:
            reasons.append(
                f"AUROC {challenger['auroc']:.4f} vs champion {champion['auroc']:.4f}: "
                f"gain {gain:+.4f}"
            )
    return GateDecision(promote=ok, reasons=reasons)
