"""Vigil's dagster.yaml: pools and run monitoring, kept current without overwriting a user's."""

from __future__ import annotations

from pathlib import Path

import yaml

from vigil.instance import DAGSTER_YAML, prepare_dagster_home
from vigil.settings import Settings


def test_run_monitoring_frees_runs_whose_worker_died(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    prepare_dagster_home(settings)
    config = yaml.safe_load((settings.dagster_home / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
    monitoring = config["run_monitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["max_runtime_seconds"] > 0
    assert monitoring["free_slots_after_run_end_seconds"] > 0


def test_an_older_vigil_file_is_updated_and_a_users_file_kept(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    settings.ensure_dirs()
    path = settings.dagster_home / "dagster.yaml"
    path.write_text("# Written by Vigil. SQLite run storage.\nconcurrency:\n  pools:\n")
    prepare_dagster_home(settings)
    assert path.read_text() == DAGSTER_YAML
    path.write_text("telemetry:\n  enabled: false\n")  # the user's own
    prepare_dagster_home(settings)
    assert path.read_text() == "telemetry:\n  enabled: false\n"
