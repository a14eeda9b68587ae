"""Optuna tuning for Vigil's models: a seeded TPE study with median pruning.

Each model module supplies ``fold_scores(params)`` (a generator of per-fold scores)
and a search space here; the tuner reports the running mean after each fold so the
pruner can stop a poor trial early.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

# Optuna is imported by `tune`, not here: the asset modules import this one for the search
# spaces, and every Dagster process (code server, each run's worker) imports them.
if TYPE_CHECKING:
    import optuna

# on_trial(number, params, value, state): value is the mean over the folds that ran.
TrialHook = Callable[[int, dict[str, Any], float, str], None]
FoldScores = Callable[[dict[str, Any]], Iterable[float]]
Suggest = Callable[["optuna.Trial"], dict[str, Any]]


@dataclass(frozen=True)
class TuningConfig:
    n_trials: int = 6
    timeout_seconds: float = 120.0
    seed: int = 42
    pruner_startup_trials: int = 2


def suggest_readmission(trial: optuna.Trial) -> dict[str, Any]:
    # No class weighting: it trades calibration for nothing AUROC can see.
    return {"C": trial.suggest_float("C", 1e-3, 10.0, log=True)}


def suggest_length_of_stay(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "drg_prior_stays": trial.suggest_float("drg_prior_stays", 0.5, 50.0, log=True),
        "ridge_alpha": trial.suggest_float("ridge_alpha", 1e-2, 1e3, log=True),
    }


def suggest_demand_forecast(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "level_days": trial.suggest_int("level_days", 7, 42, step=7),
        "weekday_weeks": trial.suggest_int("weekday_weeks", 2, 8),
        "weekday_shrinkage": trial.suggest_float("weekday_shrinkage", 0.0, 0.9),
    }


def tune(
    fold_scores: FoldScores,
    suggest: Suggest,
    config: TuningConfig,
    direction: str = "maximize",
    on_trial: TrialHook | None = None,
) -> optuna.Study:
    """Run the study; ``on_trial`` is called after each finished or pruned trial."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction=direction,
        sampler=optuna.samplers.TPESampler(seed=config.seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=config.pruner_startup_trials),
    )

    def run_trial(trial: optuna.Trial) -> float:
        params = suggest(trial)
        scores: list[float] = []
        for step, score in enumerate(fold_scores(params)):
            scores.append(score)
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                if on_trial is not None:
                    on_trial(trial.number, params, float(np.mean(scores)), "pruned")
                raise optuna.TrialPruned()
        value = float(np.mean(scores))
        if on_trial is not None:
            on_trial(trial.number, params, value, "complete")
        return value

    study.optimize(run_trial, n_trials=config.n_trials, timeout=config.timeout_seconds)
    return study


def suggest_deterioration(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "max_iter": trial.suggest_int("max_iter", 50, 300, step=50),
        "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 4, 32, log=True),
        "min_samples_leaf": trial.suggest_int("min_samples_leaf", 20, 200, log=True),
        "l2_regularization": trial.suggest_float("l2_regularization", 1e-3, 10.0, log=True),
    }
