"""The monitoring loop measured end to end on the simulator's scenarios.

For each scenario (``baseline``, ``case_mix_drift``, ``device_drift`` starting on a known
day) a network is simulated into its own VIGIL_HOME and the whole Dagster graph is
materialized (`vigil_all_job` over every landed day: the champion is trained, and the
readmission drift asset evaluates every day after the champion's training window).
Then, from `monitoring.drift_results`:

- false alarms: on ``baseline``, the share of evaluated days whose result passes a
  retrain threshold (``monitoring.policy.breaches``, cooldown ignored);
- detection delay: on ``case_mix_drift``, days from the scenario's start to the first
  day whose result passes a threshold;
- device drift: drift of the charted vitals per day on the SpO2 column, by the earlier
  detector (K-S against the first 30 days) and by :mod:`monitoring.vitals` (normed
  Wasserstein >= 0.2 against a rolling reference): days flagged before and from the start;
- time to new champion: the drifted day's partition is re-materialized, the drift
  sensor evaluated, the retrain job it requests executed and the audit sensor run,
  in process; wall time from the partition run's start to the gate's decision, and
  old vs new champion AUROC on the post-drift discharges with matured labels.

Usage: ``python benchmarks/bench_monitoring.py [--hospitals 2 --days 120 --drift-day 80]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from monitoring import vitals as monitoring_vitals
from monitoring.drift import drift_report
from monitoring.monitors import READMISSION
from monitoring.policy import ResultView, breaches
from simulator.config import NetworkConfig, parse_scenarios
from vigil.pipeline import materialize_all, simulate
from vigil.settings import Settings

START = date(2025, 1, 1)
VITALS = list(monitoring_vitals.VITALS)
RESULT_COLUMNS = (
    "drift_result_id, model_name, evaluated_at, partition_date, current_rows, drifted_share, "
    "drifted_columns, is_prediction_drift, max_missing_share_increase, "
    "max_out_of_range_share_increase, auroc_drop"
)


def reevaluate(settings: Settings) -> None:
    """Re-run only the monitoring asset over every landed day (``--reuse``: same data)."""
    import dagster as dg

    from assets.definitions import build_definitions
    from vigil.pipeline import landed_partition_tags

    job = dg.define_asset_job("bench_reevaluate", selection=["monitoring/readmission_drift"])
    defs = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[job]))
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("delete from monitoring.drift_results")
    with dg.DagsterInstance.get() as instance:
        defs.resolve_job_def("bench_reevaluate").execute_in_process(
            instance=instance, tags=landed_partition_tags(settings)
        )


def build(root: Path, spec: str, args: argparse.Namespace) -> tuple[Settings, float]:
    from streams.runner import run_news2

    settings = Settings(home=root / spec.split("@")[0])
    os.environ["VIGIL_HOME"] = str(settings.home)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    if args.reuse:
        started = time.perf_counter()
        if not spec.startswith("device_drift"):  # the vitals measurement reads staging only
            reevaluate(settings)
        return settings, time.perf_counter() - started
    settings.ensure_dirs()
    config = NetworkConfig(
        hospitals=args.hospitals,
        days=args.days,
        start=START,
        seed=args.seed,
        scenarios=parse_scenarios(spec, START, args.days),
    )
    started = time.perf_counter()
    simulate(config, settings.landing_dir, settings.home / "ground_truth")
    run_news2(settings.landing_dir / "vitals", settings.stream_dir)
    if not materialize_all(settings):
        # Another family's step (a model without a champion) must not hide these figures.
        print(f"  {spec}: some steps failed, see the run in {settings.dagster_home}")
    return settings, time.perf_counter() - started


def daily_results(settings: Settings) -> list[ResultView]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            f"select {RESULT_COLUMNS} from monitoring.drift_results "
            "qualify row_number() over (partition by partition_date order by evaluated_at desc) = 1"
            " order by partition_date"
        ).fetchall()
    return [ResultView(*row) for row in rows]


def alarms(results: list[ResultView]) -> list[ResultView]:
    return [r for r in results if breaches(r, READMISSION.thresholds)]


def vitals_drift(settings: Settings, drift_day: date) -> dict[str, object]:
    """Days flagged on SpO2 before and from the offset's start, by two detectors.

    ``ks_fixed``: K-S p-value < 0.05 against the first 30 days (the earlier detector);
    ``distance_rolling``: :mod:`monitoring.vitals` (normed Wasserstein >= 0.1 against the
    28 days ending a week before).
    """
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        vitals = connection.execute(
            f"select cast(observed_at as date) as day, {', '.join(VITALS)} "
            "from staging.stg_ehr__vitals"
        ).df()
    vitals["day"] = pd.to_datetime(vitals["day"]).dt.date
    first = START + timedelta(days=30)
    fixed = vitals[vitals["day"] < first]
    flags: dict[str, list[date]] = {"ks_fixed": [], "distance_rolling": []}
    dataset: dict[str, int] = {"ks_fixed": 0, "distance_rolling": 0}
    for day in sorted(d for d in vitals["day"].unique() if d >= first + timedelta(days=5)):
        current = vitals[vitals["day"] == day]
        summaries = {
            "ks_fixed": drift_report(fixed, current, VITALS, [])[1],
            "distance_rolling": monitoring_vitals.vitals_drift(
                monitoring_vitals.rolling_reference(vitals, day), current
            ),
        }
        for name, summary in summaries.items():
            if "spo2_pct" in summary.drifted_columns:
                flags[name].append(day)
            dataset[name] += summary.dataset_drift
    out: dict[str, object] = {}
    for name, days in flags.items():
        after = [d for d in days if d >= drift_day]
        out[name] = {
            "spo2_flagged_days_before_start": len([d for d in days if d < drift_day]),
            "days_evaluated_before_start": len(
                [d for d in vitals["day"].unique() if first + timedelta(days=5) <= d < drift_day]
            ),
            "spo2_first_flag_delay_days": (after[0] - drift_day).days if after else None,
            "spo2_flagged_days_from_start": len(after),
            "dataset_drift_days": dataset[name],
        }
    return out


def time_to_champion(settings: Settings, day: date, monitor=READMISSION) -> dict[str, object]:
    """Re-materialize ``day`` of ``monitor``'s asset, tick its drift sensor, run the retrain
    it requests (train + gate), tick the audit sensor; in process.

    Wall time from the partition run's start to the gate's decision, and the audit's
    gate_decision row: the new version's and the old champion's primary metric on the
    retrain's holdout, and on the holdout rows from ``day`` on (post-drift data neither
    model trained on).
    """
    import dagster as dg
    from mlflow.tracking import MlflowClient

    from assets.definitions import build_definitions
    from assets.monitoring.retraining import retraining_audit_sensor
    from ml.registry import CHAMPION

    defs = build_definitions(settings)
    warehouse = {"warehouse": defs.resources["warehouse"]}
    client = MlflowClient(settings.mlflow_tracking_uri)
    old = client.get_model_version_by_alias(monitor.model_name, CHAMPION).version
    sensor = defs.resolve_sensor_def(f"{monitor.slug}_drift_sensor")
    # The sensor's cursor starts now: the results materialize_all wrote are history.
    cursor = datetime.now(UTC).replace(tzinfo=None).isoformat()
    asset = f"monitoring/{monitor.slug}_drift"
    with dg.DagsterInstance.get() as instance:
        started = time.perf_counter()
        monitor_job = dg.define_asset_job("bench_monitor", selection=[asset])
        dg.Definitions.merge(defs, dg.Definitions(jobs=[monitor_job])).resolve_job_def(
            "bench_monitor"
        ).execute_in_process(instance=instance, partition_key=day.isoformat())
        partition_seconds = time.perf_counter() - started
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=warehouse)
        result = sensor(context)
        requests = getattr(result, "run_requests", None) or []
        if not requests:
            return {"retrain_requested": False, "reason": str(result)}
        retrain = defs.resolve_job_def(monitor.retrain_job).execute_in_process(
            instance=instance, tags=requests[0].tags, raise_on_error=False
        )
        retraining_audit_sensor(dg.build_sensor_context(instance=instance, resources=warehouse))
        elapsed = time.perf_counter() - started
    new = client.get_model_version_by_alias(monitor.model_name, CHAMPION).version
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        decision = connection.execute(
            "select reasons, is_promoted, primary_metric, new_version_score, old_champion_score,"
            " post_drift_rows, post_drift_new_version_score, post_drift_old_champion_score "
            "from monitoring.retraining_events where event_type = 'gate_decision' "
            "and model_name = ? order by event_at desc limit 1",
            [monitor.model_name],
        ).fetchone()
    names = (
        "gate_reasons", "promoted", "primary_metric", "holdout_new", "holdout_old",
        "post_drift_rows", "post_drift_new", "post_drift_old",
    )  # fmt: skip
    return {
        "trigger": requests[0].tags.get("vigil/trigger"),
        "retrain_run_success": retrain.success,
        "seconds_partition_run": round(partition_seconds, 1),
        "seconds_partition_to_gate_decision": round(elapsed, 1),
        "old_champion": old,
        "new_champion": new,
        **dict(zip(names, decision or (), strict=False)),
    }


def network_arguments() -> argparse.ArgumentParser:
    """The simulated network's options, shared with bench_monitoring_los.py."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--hospitals", type=int, default=2)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--drift-day", type=int, default=80)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", type=Path, help="a previous run's folder: re-evaluate only")
    return parser


def main() -> None:
    parser = network_arguments()
    parser.add_argument("--only", choices=["baseline", "case_mix_drift", "device_drift"])
    parser.add_argument(
        "--loop-only",
        action="store_true",
        help="with --reuse: only the time to a new champion on case_mix_drift's first day",
    )
    args = parser.parse_args()
    drift_day = START + timedelta(days=args.drift_day)
    if args.loop_only:
        from monitoring.monitors import LENGTH_OF_STAY

        settings = Settings(home=args.reuse / "case_mix_drift")
        os.environ["VIGIL_HOME"] = str(settings.home)
        os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
        for monitor in (READMISSION, LENGTH_OF_STAY):
            try:
                outcome = time_to_champion(settings, drift_day, monitor)
            except Exception as error:  # e.g. the gate refused every version: no champion
                outcome = {"error": f"{type(error).__name__}: {error}"}
            print(f"{monitor.slug}, {drift_day}: {outcome}", flush=True)
        return
    root = args.reuse or Path(tempfile.mkdtemp(prefix="vigil-bench-monitoring-"))
    print(f"{args.hospitals} hospitals x {args.days} days, drift from {drift_day}; home {root}")

    if args.only in (None, "baseline"):
        baseline, seconds = build(root, "baseline", args)
        evaluated = daily_results(baseline)
        false = alarms(evaluated)
        print(f"baseline: built in {seconds:.0f} s; {len(evaluated)} daily results evaluated")
        print(f"  false alarms (days passing a retrain threshold): {len(false)}/{len(evaluated)}")
        for r in false:
            print(f"    {r.partition_date}: share {r.drifted_share:.2f} {r.drifted_columns}")

    if args.only in (None, "case_mix_drift"):
        case_mix, seconds = build(root, f"case_mix_drift@{drift_day}", args)
        evaluated = daily_results(case_mix)
        flagged = alarms(evaluated)
        after = [r for r in flagged if r.partition_date >= drift_day]
        print(f"case_mix_drift: built in {seconds:.0f} s; {len(evaluated)} daily results")
        print(f"  alarms before the start: {len(flagged) - len(after)}")
        if after:
            first = after[0]
            print(
                f"  detection delay: {(first.partition_date - drift_day).days} days"
                f" ({first.partition_date}, share {first.drifted_share:.2f}:"
                f" {first.drifted_columns})"
            )
            print(f"  time to new champion: {time_to_champion(case_mix, first.partition_date)}")
        else:
            print("  not detected on any day after the start")
        print(
            "  daily drifted share after the start:",
            [round(r.drifted_share, 2) for r in evaluated if r.partition_date >= drift_day],
        )

    if args.only in (None, "device_drift"):
        device, seconds = build(root, f"device_drift@{drift_day}", args)
        print(f"device_drift: built in {seconds:.0f} s; vitals: {vitals_drift(device, drift_day)}")
        flagged = alarms(daily_results(device))
        print(f"  readmission retrain triggers (vitals are not its features): {len(flagged)}")


if __name__ == "__main__":
    main()
