"""The Dagster instance under ``$VIGIL_HOME/dagster``.

SQLite storage under that folder by default; with ``VIGIL_POSTGRES_URL`` set (the
production deployment, docs/deployment.md) runs, events and schedules go to PostgreSQL
through dagster-postgres, so the webserver, the daemon and run workers on several
machines share one instance.
"""

from __future__ import annotations

from vigil.settings import Settings

# One writer at a time on the DuckDB file: every warehouse asset is in the
# `warehouse` pool, and the instance allows one step per pool at a time.
#
# Run monitoring (a daemon of its own, started by `dagster dev` / `dagster-daemon run`):
# a run whose worker was killed (the daemon or `dagster dev` stopped mid-run) stays
# STARTED for ever and keeps its `warehouse` slot, so every later run (a retrain the
# drift sensor asked for) would wait behind it. The local run launcher cannot see a dead
# worker, so such runs are failed after `max_runtime_seconds` (generous: the whole graph
# on the default network takes minutes) or `start_timeout_seconds` when they never
# start, and the slots of ended runs are given back after `free_slots_after_run_end_seconds`.
#
# Latency of the unattended loop (drifted day -> retrain -> gate; docs/benchmarks.md,
# "monitoring"): every run's worker is a fresh process that imports the code location
# (seconds on this machine, minutes under load).
# - `op_granularity_run_buffer: 1`: one run whose steps all wait for a pool slot may be
#   launched anyway, so its worker starts and imports the code while the run holding the
#   `warehouse` slot finishes (a retrain requested during a monitoring run); its step
#   takes the slot when it frees. Without it the run stays QUEUED until the slot frees
#   and only then starts its worker. One at most: a second blocked run stays queued.
# - `dequeue_interval_seconds: 1` (Dagster's default 5): the queue is read every second.
HEADER = "# Written by Vigil."
DAGSTER_YAML = f"""\
{HEADER} SQLite run, event and schedule storage under this folder.
telemetry:
  enabled: false
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1
concurrency:
  pools:
    default_limit: 1
    granularity: op
    op_granularity_run_buffer: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 600
  max_runtime_seconds: 7200
  poll_interval_seconds: 30
  free_slots_after_run_end_seconds: 30
"""


# The URL is read from the environment when the instance loads, never written to disk
# (it may hold a password); Settings.process_env derives it from VIGIL_POSTGRES_URL and
# exports it to every process Vigil starts (webserver, daemon, run workers).
POSTGRES_STORAGE = """\
storage:
  postgres:
    postgres_url:
      env: VIGIL_DAGSTER_POSTGRES_URL
"""


def dagster_yaml(settings: Settings) -> str:
    """Vigil's dagster.yaml for ``settings``: SQLite storage, or PostgreSQL when configured."""
    if not settings.postgres_url:
        return DAGSTER_YAML
    body = DAGSTER_YAML.replace(
        "SQLite run, event and schedule storage under this folder.",
        "Run, event and schedule storage in PostgreSQL (VIGIL_POSTGRES_URL).",
    )
    return body + POSTGRES_STORAGE


def prepare_dagster_home(settings: Settings) -> None:
    """Create DAGSTER_HOME with Vigil's dagster.yaml unless the user supplied one.

    A dagster.yaml Vigil wrote earlier (it starts with ``HEADER``) is brought up to date,
    so an existing home gets run monitoring too; a user's own file is left alone.
    """
    settings.ensure_dirs()
    config = settings.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(settings)
    if not config.exists() or (
        config.read_text().startswith(HEADER) and config.read_text() != wanted
    ):
        config.write_text(wanted)
