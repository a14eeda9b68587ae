"""The tuner: seeded, reports every fold, prunes hopeless trials."""

from __future__ import annotations

from collections.abc import Iterator

import optuna

from ml.tuning import TuningConfig, tune


def suggest(trial: optuna.Trial) -> dict:
    return {"x": trial.suggest_float("x", -1.0, 1.0)}


def folds(params: dict) -> Iterator[float]:
    # Best at x = 0.3; five folds of the same score so the pruner has steps to compare.
    for _ in range(5):
        yield -((params["x"] - 0.3) ** 2)


def test_study_is_seeded_and_finds_the_optimum_region() -> None:
    config = TuningConfig(n_trials=25, seed=1)
    first, second = tune(folds, suggest, config), tune(folds, suggest, config)
    assert first.best_params == second.best_params
    assert abs(first.best_params["x"] - 0.3) < 0.2


def test_poor_trials_are_pruned_and_reported() -> None:
    seen: list[tuple[int, str]] = []
    study = tune(
        folds,
        suggest,
        TuningConfig(n_trials=25, seed=1, pruner_startup_trials=3),
        on_trial=lambda number, params, value, state: seen.append((number, state)),
    )
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.PRUNED in states
    assert len(seen) == 25
    assert {state for _, state in seen} == {"complete", "pruned"}


def test_minimize_direction() -> None:
    study = tune(
        lambda params: iter([(params["x"] + 0.5) ** 2]),
        suggest,
        TuningConfig(n_trials=20, seed=0),
        direction="minimize",
    )
    assert abs(study.best_params["x"] + 0.5) < 0.25
