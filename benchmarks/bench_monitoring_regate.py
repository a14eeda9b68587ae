"""The closed loop on case_mix_drift, in time order: detect, retrain, re-gate, new champion.

The simulator's ``case_mix_drift`` changes who arrives (older, sicker, more Medicaid) and,
from the same day, the outcome (Medicaid stays last twice as long: post-acute placement
delay). A stay's length is a mature target only 30 days after admission, so the loop
cannot learn the new outcome when it first sees the drift. This benchmark replays the
days in order (:class:`vigil.replay.LoopReplay`), as a deployment lives through them, on
the length-of-stay model:

1. the days before the drift are landed and loaded, and a first champion trained;
2. the drift's first day is landed: the LOS monitor's partition for that day runs, the
   drift sensor is ticked (detected on that day?), the retrain it requests runs (train
   and gate) and the audit sensor records it;
3. the following days are landed a few at a time; after each, the re-gate sensor is
   ticked. When enough post-drift stays have matured it requests the drift's retrain
   once more: the model is revised on post-drift stays and gated on later ones.

4. the remaining days are landed: the first and the final champion are scored on the
   stays admitted after the re-gate's data, once matured (post-drift data that came
   after the decision).

Printed per seed: detection delay, each gate decision (the re-gate's on its post-drift
holdout), the two champions' MAE on the later stays with a paired bootstrap 95 %
interval of the gain, and wall times; then the median over seeds. In process (the
daemon's timings: tests/monitoring/test_loop_daemon.py).

Usage: ``python benchmarks/bench_monitoring_regate.py [--seeds 7 11 23 --hospitals 2
--days 170 --drift-day 80 --trials 8 --step-days 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np

from ml import length_of_stay
from monitoring.monitors import LENGTH_OF_STAY
from simulator.config import NetworkConfig, parse_scenarios
from vigil.instance import prepare_dagster_home
from vigil.pipeline import simulate
from vigil.replay import LoopReplay, land
from vigil.settings import Settings

START = date(2025, 1, 1)
MATURITY_DAYS = 30  # admission to a mature target (ml.length_of_stay_features)
MAX_DELAY_DAYS = 7
SHOWN = (
    "model_version", "promoted", "post_drift_adaptation", "holdout_rows", "holdout_mae_days",
    "holdout_refitted_unrevised_mae_days", "post_drift_challenger_value",
    "post_drift_champion_value",
)  # fmt: skip


def describe(meta: dict) -> str:
    return "\n".join(f"      {k}: {meta[k]}" for k in SHOWN if k in meta)


def paired_gain_interval(old: np.ndarray, new: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """95 % paired bootstrap interval of 1 - MAE(new) / MAE(old) over the same stays."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(old), (2000, len(old)))
    gains = 1 - new[picks].mean(axis=1) / old[picks].mean(axis=1)
    return float(np.percentile(gains, 2.5)), float(np.percentile(gains, 97.5))


def run(seed: int, args: argparse.Namespace, root: Path) -> dict:
    drift = START + timedelta(days=args.drift_day)
    last = START + timedelta(days=args.days - 1)
    settings = Settings(home=root / f"seed-{seed}")
    settings.ensure_dirs()
    prepare_dagster_home(settings)
    source = root / f"simulated-{seed}"
    config = NetworkConfig(
        hospitals=args.hospitals,
        days=args.days,
        start=START,
        seed=seed,
        scenarios=parse_scenarios(f"case_mix_drift@{drift}", START, args.days),
    )
    started = time.perf_counter()
    simulate(config, source, root / f"truth-{seed}")
    loop = LoopReplay(settings, LENGTH_OF_STAY, {"n_trials": args.trials})
    out: dict = {"seed": seed}

    land(source, settings.landing_dir, drift - timedelta(days=1))
    loop.load(START, drift - timedelta(days=1))
    first = loop.train()
    print(f"  seed {seed}: 1. days to {drift - timedelta(days=1)} loaded, first champion:")
    print(describe(first))

    if not first["promoted"]:
        print(f"    the gate refused the first model, nothing to monitor: {first['gate_reasons']}")
        out["first_refused"] = True
        return out
    detected_on, detection = None, []
    for offset in range(MAX_DELAY_DAYS + 1):  # the drift's days, until it is seen
        day = drift + timedelta(days=offset)
        land(source, settings.landing_dir, day)
        landed = time.perf_counter()
        loop.load(day, day)
        loop.evaluate(day)
        detection, why = loop.tick(f"{LENGTH_OF_STAY.slug}_drift_sensor")
        if detection:
            detected_on = day
            break
        print(f"    2. {day}: not detected ({why})")
    out["detection_delay_days"] = (detected_on - drift).days if detected_on else None
    if not detection:
        return out
    retrain = loop.train(detection[0].tags)
    loop.audit()
    out["seconds_landing_to_first_decision"] = time.perf_counter() - landed
    print(f"    2. {detected_on}: detected: {detection[0].tags['vigil/trigger']}")
    print(f"       retrain, {out['seconds_landing_to_first_decision']:.0f} s after landing:")
    print(describe(retrain))

    day, previous, regate = drift + timedelta(days=MATURITY_DAYS), detected_on, None
    regate_window_end = last - timedelta(days=MATURITY_DAYS + 10)  # leaves later stays
    while previous < regate_window_end and regate is None:
        day = min(day, regate_window_end)
        land(source, settings.landing_dir, day)
        loop.load(previous + timedelta(days=1), day)
        asked, why = loop.tick(f"{LENGTH_OF_STAY.slug}_regate_sensor")
        print(f"    3. data to {day}: {asked[0].tags['vigil/trigger'] if asked else why}")
        regate = asked[0] if asked else None
        previous, day = day, day + timedelta(days=args.step_days)
    if regate is None:
        return out
    out["regate_days_after_drift"] = (previous - drift).days
    asked_at = time.perf_counter()
    adapted = loop.train(regate.tags)
    loop.audit()
    out["seconds_regate_to_decision"] = time.perf_counter() - asked_at
    out["regate_promoted"] = adapted["promoted"]
    out["holdout_new"] = adapted.get("post_drift_challenger_value")
    out["holdout_old"] = adapted.get("post_drift_champion_value")
    print(f"       re-gate, {out['seconds_regate_to_decision']:.0f} s to the decision:")
    print(describe(adapted))

    from mlflow.tracking import MlflowClient

    from ml.registry import CHAMPION, load_version

    client = MlflowClient(settings.mlflow_tracking_uri)
    final = client.get_model_version_by_alias(LENGTH_OF_STAY.model_name, CHAMPION).version
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        features = connection.execute(f"select * from {LENGTH_OF_STAY.features_table}").df()
    regate_end = features[length_of_stay.TIME_COLUMN].max()
    # Then the rest of the simulated days: the stays admitted after the decision, as
    # they mature, are the post-drift data the new champion serves.
    land(source, settings.landing_dir, last)
    loop.load(previous + timedelta(days=1), last)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        features = connection.execute(f"select * from {LENGTH_OF_STAY.features_table}").df()
    later = features[
        features["is_target_mature"] & (features[length_of_stay.TIME_COLUMN] > regate_end)
    ]
    errors = {}
    for name, version in (("first", first["model_version"]), ("final", final)):
        model = load_version(LENGTH_OF_STAY.model_name, version)
        predicted = length_of_stay.predict_days(model, later)
        errors[name] = np.abs(later[length_of_stay.TARGET].to_numpy() - predicted)
    medicaid = (later["primary_payer"] == "medicaid").to_numpy()
    out["later_stays"] = len(later)
    out["mae_first"], out["mae_final"] = errors["first"].mean(), errors["final"].mean()
    out["gain"] = 1 - out["mae_final"] / out["mae_first"]
    out["gain_interval"] = paired_gain_interval(errors["first"], errors["final"], seed)
    low, high = out["gain_interval"]
    print(
        f"    first champion v{first['model_version']} vs final v{final} on the {len(later)} "
        f"stays admitted after the re-gate's data ({regate_end:%Y-%m-%d}) that have matured "
        f"by {last}: MAE {out['mae_first']:.4f} -> {out['mae_final']:.4f} "
        f"({out['gain']:+.1%}, 95 % {low:+.1%}..{high:+.1%})"
    )
    for name, rows in (("Medicaid", medicaid), ("others", ~medicaid)):
        before, after = errors["first"][rows].mean(), errors["final"][rows].mean()
        print(f"      {name}: {int(rows.sum())} stays, MAE {before:.2f} -> {after:.2f}")
    out["seconds"] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    parser.add_argument("--hospitals", type=int, default=2)
    parser.add_argument("--days", type=int, default=170)
    parser.add_argument("--drift-day", type=int, default=80)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--step-days", type=int, default=3)
    parser.add_argument("--root", type=Path, help="work folder (default: a new temporary one)")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="vigil-bench-regate-"))
    drift = START + timedelta(days=args.drift_day)
    print(
        f"case_mix_drift@{drift}: {args.hospitals} hospitals x {args.days} days, "
        f"{args.trials} Optuna trials, seeds {args.seeds}; work folder {root}"
    )
    results = [run(seed, args, root) for seed in args.seeds]
    print(
        "seed | detection delay (days) | re-gate (days after) | re-gate holdout MAE new / old"
        " | promoted | later stays | MAE first -> final champion | gain (95 %) | s"
    )
    for r in results:
        interval = r.get("gain_interval")
        delay = "first model refused" if r.get("first_refused") else r.get("detection_delay_days")
        gate = f"{r['holdout_new']:.4f} / {r['holdout_old']:.4f}" if r.get("holdout_new") else "-"
        print(
            f"{r['seed']} | {delay} | {r.get('regate_days_after_drift')} | "
            f"{gate} | {r.get('regate_promoted')} | {r.get('later_stays')} | "
            f"{r.get('mae_first', float('nan')):.4f} -> {r.get('mae_final', float('nan')):.4f} | "
            + (f"{r['gain']:+.1%} ({interval[0]:+.1%}..{interval[1]:+.1%})" if interval else "-")
            + f" | {r.get('seconds', float('nan')):.0f}"
        )
    gains = [r["gain"] for r in results if "gain" in r]
    if gains:
        print(
            f"median gain of the final champion over the first on post-drift stays: "
            f"{statistics.median(gains):+.1%} over {len(gains)} seeds"
        )


if __name__ == "__main__":
    main()
