"""The end-to-end run behind `vigil demo`: simulate, stream, materialize, report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb

from simulator.config import NetworkConfig
from vigil.instance import prepare_dagster_home
from vigil.settings import Settings, apply_process_env

T = TypeVar("T")
# The demo prints its own stage summaries; the full event log is in the Dagster UI.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def network_config(
    hospitals: int, days: int, start: date, seed: int, scenarios: str = ""
) -> NetworkConfig:
    """The network to simulate; ``scenarios`` as ``NAME[@YYYY-MM-DD][:DAYS],...``."""
    from simulator.config import parse_scenarios

    return NetworkConfig(
        hospitals=hospitals,
        days=days,
        start=start,
        seed=seed,
        scenarios=parse_scenarios(scenarios, start, days),
    )


def simulate(
    config: NetworkConfig, landing_dir: Path, truth_dir: Path, progress=None
) -> dict[str, int]:
    """Simulate ``config`` into the landing zone (and its ground truth); rows per feed."""
    from simulator.landing import write_landing
    from simulator.network import simulate as run_simulation

    return write_landing(run_simulation(config), landing_dir, truth_dir, progress=progress)


def landed_partition_tags(settings: Settings) -> dict[str, str]:
    """Run tags covering every landed day of the daily feeds as one partition range."""
    from assets.raw.assets import FEEDS
    from assets.raw.partitions import landed_range

    days = landed_range([settings.landing_dir / feed.folder for feed in FEEDS if feed.daily])
    if days is None:
        raise FileNotFoundError(
            f"no landed days under {settings.landing_dir}: run `vigil simulate` first"
        )
    return {
        "dagster/asset_partition_range_start": days.start,
        "dagster/asset_partition_range_end": days.end,
    }


# The training assets whose Optuna budget `training_run_config` sets (each has `n_trials`).
TRAINING_ASSETS = (
    ("ml", "readmission_model"),
    ("ml", "length_of_stay_model"),
    ("ml", "deterioration_model"),
    ("ml", "demand_forecast_model"),
)


def training_run_config(trials: int) -> dict:
    """Run config giving every training asset ``trials`` Optuna trials."""
    return {"ops": {"__".join(key): {"config": {"n_trials": trials}} for key in TRAINING_ASSETS}}


def materialize_all(settings: Settings, training_trials: int | None = None) -> bool:
    """Execute every asset in-process, recorded in the instance under $VIGIL_HOME.

    The daily-partitioned assets (event feeds, incremental marts) run over every landed
    day as one partition range, in the same run as the unpartitioned ones. Prints what
    was materialized and how the asset checks (dbt tests) came out. ``training_trials``
    overrides every model's Optuna budget (a quick smoke build); None keeps each asset's.
    """
    prepare_dagster_home(settings)
    apply_process_env(settings)
    from dagster import DagsterInstance

    from assets.definitions import ALL_ASSETS_JOB, build_definitions

    defs = build_definitions(settings)
    tags = landed_partition_tags(settings)
    run_config = dict(QUIET_LOGS)
    if training_trials is not None:
        run_config.update(training_run_config(training_trials))
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(ALL_ASSETS_JOB).execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config, tags=tags
        )
    materialized = result.get_asset_materialization_events()
    checks = result.get_asset_check_evaluations()
    failed = [c.asset_check_key.to_user_string() for c in checks if not c.passed]
    budget = "" if training_trials is None else f" ({training_trials} training trials per model)"
    print(
        f"    run {result.run_id}: {len(materialized)} assets materialized, "
        f"{len(checks) - len(failed)}/{len(checks)} checks passed{budget}"
    )
    for check in failed:
        print(f"    FAILED check {check}")
    return result.success


@contextmanager
def _stage(name: str) -> Iterator[None]:
    print(f"==> {name}", flush=True)
    started = time.perf_counter()
    yield
    print(f"    done in {time.perf_counter() - started:.1f} s", flush=True)


def _timed(name: str, work: Callable[[], T]) -> T:
    with _stage(name):
        return work()


def demo(settings: Settings, config: NetworkConfig) -> int:
    """Run every stage on the embedded defaults and print where to look."""
    from streams.runner import run_census, run_news2, run_ops

    started = time.perf_counter()
    settings.ensure_dirs()
    apply_process_env(settings)
    counts = _timed(
        f"simulate {config.hospitals} hospitals x {config.days} days (seed {config.seed})",
        lambda: simulate(config, settings.landing_dir, settings.home / "ground_truth"),
    )
    print("    " + ", ".join(f"{feed} {rows:,}" for feed, rows in counts.items()))
    stream = _timed(
        "NEWS2 dataflow over the simulated vitals",
        lambda: run_news2(
            settings.landing_dir / "vitals",
            settings.stream_dir,
            lab_results_dir=settings.landing_dir / "lab_results",
            nurse_seed=config.seed,  # simulated nurse acknowledgements (simulator.nurse_response)
        ),
    )
    print(
        f"    {stream.records_in:,} records in (readings, lactates, acknowledgements): "
        + ", ".join(f"{k} {v:,}" for k, v in stream.counts.items())
    )
    census = _timed(
        "live census dataflow over the ADT and ED events",
        lambda: run_census(settings.landing_dir, settings.stream_dir),
    )
    print(
        f"    {census.records_in:,} events in: "
        + ", ".join(f"{k} {v:,}" for k, v in census.counts.items())
    )
    ops = _timed(
        "operational anomaly dataflow over interface metrics and device heartbeats",
        lambda: run_ops(settings.landing_dir, settings.stream_dir),
    )
    print(
        f"    {ops.records_in:,} metric points in: "
        + ", ".join(f"{k} {v:,}" for k, v in ops.counts.items())
    )
    ok = _timed(
        "materialize every asset (raw, dbt staging + marts, model, drift report)",
        lambda: materialize_all(settings),
    )
    if not ok:
        print("materialization failed: see the run in the Dagster UI (make ui)")
        return 1
    _print_where_to_look(settings)
    print(f"\nVigil demo finished in {time.perf_counter() - started:.1f} s")
    return 0


def _print_where_to_look(settings: Settings) -> None:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        sample = connection.execute(
            "select * from marts.kpi_daily order by hospital_id, kpi_date desc limit 6"
        ).df()
        drift = connection.execute(
            "select model_version, is_dataset_drift, drifted_share, drifted_columns, report_path, "
            "partition_date from monitoring.drift_results "
            "order by partition_date desc nulls last, evaluated_at desc limit 1"
        ).fetchone()
        evaluated_days = connection.execute(
            "select count(distinct partition_date) from monitoring.drift_results"
        ).fetchone()[0]
    from mlflow.tracking import MlflowClient

    from assets.ml.assets import READMISSION_MODEL
    from ml.registry import CHAMPION

    champion = MlflowClient(settings.mlflow_tracking_uri).get_model_version_by_alias(
        READMISSION_MODEL, CHAMPION
    )
    print("\nWhere to look")
    print(f"  warehouse     {settings.warehouse_path}")
    print("  marts.kpi_daily (latest days):")
    print("    " + sample.to_string(index=False).replace("\n", "\n    "))
    print(f"  MLflow        model {READMISSION_MODEL} v{champion.version} is @champion")
    print(f"                run {champion.run_id}")
    if drift is None:
        print("  drift report  no day evaluated (too few discharges a day, or all in training)")
    else:
        version, is_drift, share, columns, report, day = drift
        print(f"  drift report  {report}")
        print(
            f"                {evaluated_days} days evaluated; latest {day}: dataset drift "
            f"{is_drift}, drifted share {share:.2f}: {columns or 'none'}"
        )
    print("  UIs           make ui         -> Dagster on http://127.0.0.1:3000")
    print("                make mlflow-ui  -> MLflow on http://127.0.0.1:5000")
