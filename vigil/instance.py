"""The Dagster instance under ``$VIGIL_HOME/dagster`` (SQLite storage by default)."""

from __future__ import annotations

from vigil.settings import Settings

# One writer at a time on the DuckDB file: every warehouse asset is in the
# `warehouse` pool, and the instance allows one step per pool at a time.
DAGSTER_YAML = """\
# Written by Vigil. SQLite run, event and schedule storage under this folder.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def prepare_dagster_home(settings: Settings) -> None:
    """Create DAGSTER_HOME with Vigil's dagster.yaml unless the user supplied one."""
    settings.ensure_dirs()
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
