"""The closed loop runs unattended in a real `dagster-daemon` on a simulated network.

Setup (in process, as `vigil demo` would have done): a one-hospital network with
``case_mix_drift`` from a known day is simulated and loaded, the readmission features
are built by dbt and a champion is trained on the matured (pre-drift) discharges. Then
only the daemon acts, over the code location of `workspace.yaml` and Vigil's own
`dagster.yaml`: the evaluation sensor sees the rebuilt features and asks for the new
days' monitoring partitions, the drift sensor reads their results and requests the
retrain, the retrain run gates the new version, and the audit sensor records it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.ml.assets import FEATURES_KEY
from monitoring.monitors import READMISSION
from tests.monitoring.conftest import case_mix_drift_home
from vigil.replay import LoopReplay
from vigil.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.integration

START = date(2025, 1, 1)
DAYS = 70
# Labels mature 30 days on: training is pre-drift. (With the drift from day 56, the first
# day the evaluation sensor evaluates, this seed's first champion fails the gate's
# direction check, so the loop has no champion to monitor; the first-day detection is
# measured by benchmarks/bench_monitoring_intake.py instead.)
DRIFT_START = START + timedelta(days=42)
TRAINING = {"n_trials": 2, "timeout_seconds": 60.0}
# Generous: on a loaded two-core machine each run's process takes minutes to start.
DEADLINE_SECONDS = 1500
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def build_champion(settings: Settings) -> None:
    """Raw feeds and the dbt models behind the features (no tests: the graph's own tests
    cover them), then a first champion; as `vigil demo` would have, in fewer steps."""
    loop = LoopReplay(settings, READMISSION, TRAINING)
    loop.load(START, START + timedelta(days=DAYS - 1))
    with dg.DagsterInstance.get() as instance:
        # The evaluation sensor starts from a materialization of the features table.
        instance.report_runless_asset_event(dg.AssetMaterialization(FEATURES_KEY))
    loop.train()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def wait_for_finished_run(job_name: str, daemon: subprocess.Popen) -> dg.DagsterRun | None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    with dg.DagsterInstance.get() as instance:
        while time.monotonic() < deadline and daemon.poll() is None:
            runs = instance.get_runs(
                filters=dg.RunsFilter(job_name=job_name, statuses=list(FINISHED)), limit=1
            )
            if runs:
                return runs[0]
            time.sleep(5)
    return None


def failures(run_id: str) -> list[str]:
    """The failed steps' root errors of a run, for the assertion message."""
    messages = []
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or event.event_type_value != "STEP_FAILURE":
                continue
            error = event.event_specific_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            messages.append(f"{record.step_key}: {error.message if error else record.message}")
    return messages


def query(settings: Settings, sql: str) -> list[tuple]:
    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
            return connection.execute(sql).fetchall()
    except (duckdb.IOException, duckdb.CatalogException):
        return []  # a run holds the warehouse, or the table does not exist yet


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = case_mix_drift_home(
        tmp_path, monkeypatch, hospitals=1, days=DAYS, seed=3, drift_start=DRIFT_START,
        start=START,
    )  # fmt: skip
    build_champion(settings)
    # The landed days are loaded: move them out of the landing zone, so the raw landing
    # sensor has nothing to reload and the daemon's work is the monitoring loop alone.
    shutil.move(settings.landing_dir, settings.home / "loaded")
    return settings


def test_drift_retrain_and_gate_run_unattended_in_the_daemon(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    daemon = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-daemon"),
            "run",
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
        ],
        env={**os.environ, **settings.process_env()},
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    events: list[tuple] = []
    try:
        # Watch the instance, not the warehouse: a reader's lock would stall the runs.
        retrain = wait_for_finished_run(READMISSION.retrain_job, daemon)
        assert retrain is not None, "no retrain run finished: " + tail(log)
        assert retrain.status == dg.DagsterRunStatus.SUCCESS, failures(retrain.run_id)
        deadline = time.monotonic() + 120  # the audit sensor's next ticks
        while time.monotonic() < deadline and daemon.poll() is None:
            events = query(
                settings,
                "select event_type, drift_result_id, partition_date, run_id, is_promoted "
                "from monitoring.retraining_events order by event_at",
            )
            if any(event[0] == "gate_decision" for event in events):
                break
            time.sleep(10)
        assert daemon.poll() is None, tail(log)
    finally:
        os.killpg(daemon.pid, 15)  # the daemon, its code servers and run workers
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, 9)

    with dg.DagsterInstance.get() as instance:
        monitoring_runs = instance.get_run_records(
            filters=dg.RunsFilter(job_name=f"{READMISSION.slug}_monitoring_job"), ascending=True
        )
        retrain_record = instance.get_run_records(filters=dg.RunsFilter(run_ids=[retrain.run_id]))
    if monitoring_runs and retrain_record and retrain_record[0].end_time:
        # Reported, not asserted (tests never assert wall-clock times): the drifted
        # partitions' run starting to the retrain run (train + gate) ending.
        seconds = retrain_record[0].end_time - monitoring_runs[0].start_time
        print(f"drifted partitions' run start -> new version gated: {seconds:.0f} s")
    kinds = [event[0] for event in events]
    assert "retrain_requested" in kinds, f"no retrain requested: {events}"
    assert "run_succeeded" in kinds and "gate_decision" in kinds, events
    requested = next(e for e in events if e[0] == "retrain_requested")
    decided = next(e for e in events if e[0] == "gate_decision")
    # The retrain answers the drift result of a day after the drift started.
    assert requested[2] >= DRIFT_START, events
    assert decided[1] == requested[1]

    results = query(
        settings,
        "select drift_result_id, partition_date, is_intake_drift or is_dataset_drift "
        "from monitoring.drift_results",
    )
    assert (requested[1], requested[2], True) in results
    decisions = query(
        settings,
        f"select dagster_run_id, model_version from monitoring.model_decisions "
        f"where model_name = '{READMISSION.model_name}' order by decided_at",
    )
    # The champion's own decision (setup), then the retrain's, made in the daemon's run.
    assert len(decisions) == 2
    assert decisions[1][0] == decided[3]
