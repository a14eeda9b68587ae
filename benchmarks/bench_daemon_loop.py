"""Where the time goes when the closed loop runs unattended in a real `dagster-daemon`.

The setup of `tests/monitoring/test_loop_daemon.py` (1 hospital x 70 days,
``case_mix_drift`` from day 42, a first readmission champion trained in process, the
landed days moved out of the landing zone) is built once into ``--home`` and kept as a
snapshot beside it, so later runs restore the same data and measure only the daemon.
Then `dagster-daemon run -w workspace.yaml` is started over the code location of
``--source`` (default: this checkout) and left alone until the audit sensor writes the
retrain's ``gate_decision`` row. The daemon is stopped and the timeline is printed from
the Dagster instance (run records, run events, sensor ticks) and the warehouse's audit
rows, in seconds from the daemon's start:

- each run: queued (created by a sensor tick), dequeued, launched (RUN_STARTING), its
  worker process up (`Started process for run`), RUN_START, first step start, steps'
  ends, run end;
- the sensor ticks that requested runs;
- the audit's ``retrain_requested`` / ``run_succeeded`` / ``gate_decision`` rows.

Also prints how long a fresh interpreter takes to import the code location (median of
``--imports`` runs) in the same session, and the load (``uptime``).

Usage::

    python benchmarks/bench_daemon_loop.py --home /tmp/vigil-daemon-bench [--source DIR]

``--source`` runs the daemon (and its run workers) on another copy of the code, e.g. a
``git archive`` of an earlier commit, for a before/after comparison on the same data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dagster as dg  # noqa: E402
import duckdb  # noqa: E402

from vigil.settings import REPO_ROOT, Settings  # noqa: E402

# Run events by their DagsterEventType names (the stored values are still PIPELINE_*).
RUN_EVENTS = {
    "RUN_ENQUEUED": "enqueued",
    "RUN_DEQUEUED": "dequeued",
    "RUN_STARTING": "launched (worker process spawning)",
    "RUN_START": "run start",
    "STEP_START": "first step start",
    "STEP_SUCCESS": "step success",
    "STEP_FAILURE": "step FAILURE",
    "RUN_SUCCESS": "run success",
    "RUN_FAILURE": "run FAILURE",
}
DEADLINE_SECONDS = 1500


def setup(settings: Settings, snapshot: Path) -> None:
    """The daemon-loop test's fixture, once; then a copy of the home as the snapshot."""
    from simulator.config import NetworkConfig, parse_scenarios
    from tests.monitoring.test_loop_daemon import DAYS, DRIFT_START, START, build_champion
    from vigil.instance import prepare_dagster_home
    from vigil.pipeline import simulate

    settings.ensure_dirs()
    prepare_dagster_home(settings)
    config = NetworkConfig(
        hospitals=1,
        days=DAYS,
        start=START,
        seed=3,
        scenarios=parse_scenarios(f"case_mix_drift@{DRIFT_START}", START, DAYS),
    )
    simulate(config, settings.landing_dir, settings.home / "ground_truth")
    build_champion(settings)
    shutil.move(settings.landing_dir, settings.home / "loaded")
    shutil.copytree(settings.home, snapshot, symlinks=True)


def restore(settings: Settings, snapshot: Path) -> None:
    """Back to the state right after setup (same absolute paths: MLflow stores them)."""
    shutil.rmtree(settings.home)
    shutil.copytree(snapshot, settings.home, symlinks=True)


def source_env(settings: Settings, source: Path) -> dict[str, str]:
    env = {**os.environ, **settings.process_env()}
    # Ahead of the editable install's path entry, so every process imports ``source``.
    env["PYTHONPATH"] = str(source)
    return env


def import_seconds(env: dict[str, str], source: Path, repeats: int) -> list[float]:
    """Wall time of a fresh interpreter importing the code location, ``repeats`` times."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-W", "ignore", "-c", "import assets.definitions"],
            cwd=source, env=env, check=True,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return times


def audit_rows(settings: Settings) -> list[tuple]:
    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
            return connection.execute(
                "select event_at, event_type, run_id from monitoring.retraining_events "
                "order by event_at"
            ).fetchall()
    except (duckdb.IOException, duckdb.CatalogException):
        return []  # a run holds the warehouse, or the table does not exist yet


def run_daemon(settings: Settings, source: Path, log: Path) -> tuple[float, float]:
    """Start the daemon, wait for the audit's gate decision, stop it; (start, decided)."""
    from monitoring.monitors import READMISSION

    started = time.time()
    daemon = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-daemon"),
            "run",
            "-w",
            str(source / "workspace.yaml"),
        ],
        cwd=source,
        env=source_env(settings, source),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    decided = float("nan")
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        retrain_done = False
        with dg.DagsterInstance.get() as instance:
            while time.monotonic() < deadline and daemon.poll() is None:
                # Watch the instance until the retrain ends, then the warehouse: a reader's
                # lock on the DuckDB file would stall the runs.
                if not retrain_done:
                    retrain_done = bool(
                        instance.get_runs(
                            filters=dg.RunsFilter(
                                job_name=READMISSION.retrain_job,
                                statuses=[
                                    dg.DagsterRunStatus.SUCCESS,
                                    dg.DagsterRunStatus.FAILURE,
                                    dg.DagsterRunStatus.CANCELED,
                                ],
                            ),
                            limit=1,
                        )
                    )
                elif any(row[1] == "gate_decision" for row in audit_rows(settings)):
                    decided = time.time()
                    break
                time.sleep(1)
    finally:
        os.killpg(daemon.pid, 15)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, 9)
    return started, decided


def timeline(settings: Settings, started: float) -> list[tuple[float, str]]:
    """Every run's milestones, the ticks that requested runs and the audit rows."""
    rows: list[tuple[float, str]] = []
    with dg.DagsterInstance.get() as instance:
        for record in instance.get_run_records(ascending=True):
            run = record.dagster_run
            if (
                run.job_name.startswith("loop_setup")
                or record.create_timestamp.timestamp() < started
            ):
                continue
            name = run.job_name
            partitions = run.tags.get("dagster/asset_partition_range_start")
            if partitions:
                name += f" [{partitions}..{run.tags.get('dagster/asset_partition_range_end')}]"
            elif run.tags.get("dagster/partition"):
                name += f" [{run.tags['dagster/partition']}]"
            sensor = run.tags.get("dagster/sensor_name", "-")
            rows.append((record.create_timestamp.timestamp(), f"{name}: created by {sensor}"))
            first_step = True
            for entry in instance.all_logs(run.run_id):
                event = entry.dagster_event
                if event is None:
                    continue
                kind = event.event_type.name
                if kind == "ENGINE_EVENT" and entry.message.startswith("Started process for run"):
                    rows.append((entry.timestamp, f"{name}: worker process up"))
                elif kind in RUN_EVENTS:
                    if kind == "STEP_START" and not first_step:
                        continue
                    first_step = first_step and kind != "STEP_START"
                    step = f" {entry.step_key}" if entry.step_key else ""
                    rows.append((entry.timestamp, f"{name}: {RUN_EVENTS[kind]}{step}"))
        for state in instance.all_instigator_state():
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=500)
            evaluated = [tick for tick in ticks if tick.timestamp >= started]
            for tick in evaluated:
                if tick.run_ids:
                    rows.append(
                        (
                            tick.timestamp,
                            f"tick of {state.instigator_name}: {len(tick.run_ids)} run(s)",
                        )
                    )
            if evaluated:
                first = min(tick.timestamp for tick in evaluated)
                rows.append(
                    (first, f"first tick of {state.instigator_name} ({len(evaluated)} ticks)")
                )
    for event_at, kind, _run_id in audit_rows(settings):
        stamp = (
            event_at.replace(tzinfo=UTC).timestamp()
            if event_at.tzinfo is None
            else event_at.timestamp()
        )
        rows.append((stamp, f"audit row {kind}"))
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--source", type=Path, default=REPO_ROOT)
    parser.add_argument("--imports", type=int, default=5, help="import-time repeats (0: skip)")
    args = parser.parse_args()

    home = args.home.resolve()
    source = args.source.resolve()
    snapshot = home.with_name(home.name + ".snapshot")
    settings = Settings(home=home)
    for key, value in settings.process_env().items():
        os.environ[key] = value
    if not snapshot.exists():
        begun = time.perf_counter()
        setup(settings, snapshot)
        print(f"setup (in process, once): {time.perf_counter() - begun:.0f} s")
    else:
        restore(settings, snapshot)
    # The instance's dagster.yaml as the daemon's code writes it.
    subprocess.run(
        [sys.executable, "-c", "from vigil.instance import prepare_dagster_home; "
         "from vigil.settings import get_settings; prepare_dagster_home(get_settings())"],
        cwd=source, env=source_env(settings, source), check=True,
    )  # fmt: skip

    print(f"source: {source}")
    print("load before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.imports:
        times = import_seconds(source_env(settings, source), source, args.imports)
        each = ", ".join(f"{seconds:.2f}" for seconds in times)
        median = statistics.median(times)
        print(f"import assets.definitions, fresh interpreter: median {median:.2f} s ({each})")
    log = home.with_name(home.name + ".daemon.log")
    started, decided = run_daemon(settings, source, log)
    print("load after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"daemon started {datetime.fromtimestamp(started, UTC):%H:%M:%S} UTC; log {log}")
    for stamp, what in timeline(settings, started):
        print(f"{stamp - started:8.1f} s  {what}")
    print(f"daemon start -> audit gate_decision seen: {decided - started:.0f} s")


if __name__ == "__main__":
    main()
