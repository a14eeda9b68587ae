"""Optuna tuning for the readmission model: a seeded TPE study with pruning."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import optuna
import pandas as pd

from ml.readmission import objective

TrialHook = Callable[[int, dict[str, Any], float], None]


@dataclass(frozen=True)
class TuningConfig:
    n_trials: int = 6
    timeout_seconds: float = 120.0
    seed: int = 42


def suggest(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "C": trial.suggest_float("C", 1e-3, 10.0, log=True),
        "class_weight": trial.suggest_categorical("class_weight", [None, "balanced"]),
    }


def tune(
    train: pd.DataFrame, config: TuningConfig, on_trial: TrialHook | None = None
) -> optuna.Study:
    """Run the study; ``on_trial(number, params, value)`` is called after each trial."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=config.seed),
        pruner=optuna.pruners.MedianPruner(),
    )

    def run_trial(trial: optuna.Trial) -> float:
        params = suggest(trial)
        value = objective(params, train, seed=config.seed)
        if on_trial is not None:
            on_trial(trial.number, params, value)
        return value

    study.optimize(run_trial, n_trials=config.n_trials, timeout=config.timeout_seconds)
    return study
