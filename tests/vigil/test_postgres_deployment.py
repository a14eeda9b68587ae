"""The production storage profile against the real PostgreSQL on 127.0.0.1:5432.

With ``VIGIL_POSTGRES_URL`` set, Dagster's runs and events and MLflow's runs and
registry live in PostgreSQL (the warehouse stays DuckDB). Each test gets a database of its
own, dropped afterwards. Fails, never skips, when CI=true and PostgreSQL is down.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import psycopg
import pytest
from sklearn.linear_model import LogisticRegression

from ml.registry import CHAMPION, Tracking, alias_version, log_and_register
from simulator.config import NetworkConfig
from tests.conftest import require_service
from vigil.instance import dagster_yaml, prepare_dagster_home
from vigil.pipeline import simulate
from vigil.settings import Settings, apply_process_env, get_settings

HOST, PORT = "127.0.0.1", 5432
ADMIN_URL = f"postgresql://postgres@{HOST}:{PORT}/postgres"


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh database on the real server; its libpq URL."""
    require_service(HOST, PORT, "PostgreSQL")
    name = f"vigil_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    yield f"postgresql://postgres@{HOST}:{PORT}/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'drop database "{name}" with (force)')


@pytest.fixture
def settings(tmp_path: Path, database: str) -> Iterator[Settings]:
    saved = dict(os.environ)
    os.environ["VIGIL_HOME"] = str(tmp_path / "home")
    os.environ["VIGIL_POSTGRES_URL"] = database
    configured = get_settings()
    apply_process_env(configured)
    yield configured
    os.environ.clear()
    os.environ.update(saved)


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()


def test_url_is_validated_and_kept_out_of_files_and_repr(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="VIGIL_POSTGRES_URL"):
        get_settings({"VIGIL_HOME": str(tmp_path), "VIGIL_POSTGRES_URL": "mysql://x@h/db"})
    secret = "postgresql://vigil:s3cret-pw@db.internal:5432/vigil"
    configured = get_settings({"VIGIL_HOME": str(tmp_path), "VIGIL_POSTGRES_URL": secret})
    assert (
        configured.mlflow_tracking_uri
        == "postgresql+psycopg://vigil:s3cret-pw@db.internal:5432/vigil"
    )
    assert "s3cret" not in repr(configured)
    prepare_dagster_home(configured)
    written = (configured.dagster_home / "dagster.yaml").read_text()
    assert written == dagster_yaml(configured)
    assert "env: VIGIL_DAGSTER_POSTGRES_URL" in written and "s3cret" not in written
    # Back to the embedded default: Vigil's own file is rewritten for SQLite.
    embedded = get_settings({"VIGIL_HOME": str(tmp_path)})
    prepare_dagster_home(embedded)
    assert "postgres" not in (embedded.dagster_home / "dagster.yaml").read_text()


def test_dagster_runs_and_materializations_land_in_postgres(settings: Settings) -> None:
    from dagster import AssetKey, DagsterInstance

    from assets.definitions import build_definitions

    simulate(
        NetworkConfig(hospitals=1, days=2, beds_per_hospital=20, seed=3, start=date(2025, 3, 1)),
        settings.landing_dir,
        settings.home / "ground_truth",
    )
    prepare_dagster_home(settings)
    key = AssetKey(["raw", "adt_events"])
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        result = job.execute_in_process(
            instance=instance, asset_selection=[key], partition_key="2025-03-02"
        )
        assert result.success
        run_id = result.run_id

    # Another instance (another process in production) reads the same run back.
    with DagsterInstance.get() as instance:
        assert instance.get_run_by_id(run_id).is_success
        latest = instance.get_latest_materialization_event(key)
        assert latest is not None and latest.run_id == run_id
    assert rows(settings.postgres_url, "select run_id, status from runs") == [(run_id, "SUCCESS")]
    (materializations,) = rows(
        settings.postgres_url,
        "select count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'",
    )
    assert materializations == (1,)
    # Nothing went to SQLite (compute logs, the steps' stdout, stay files under DAGSTER_HOME).
    assert not list(settings.dagster_home.rglob("*.db"))


def test_mlflow_runs_registry_and_aliases_live_in_postgres(settings: Settings) -> None:
    settings.ensure_dirs()
    tracking = Tracking(settings.mlflow_tracking_uri, settings.mlflow_artifact_dir)
    tracking.activate("vigil-postgres-check")
    generator = np.random.default_rng(0)
    example = pd.DataFrame(
        {"age": generator.normal(60, 15, 200), "charlson": generator.poisson(2, 200)}
    )
    labels = (example["charlson"] + generator.normal(0, 1, 200) > 2).astype(int)
    model = LogisticRegression().fit(example, labels)
    with mlflow.start_run():
        version = log_and_register(model, "vigil-postgres-check", example, {"auroc": 0.9})
    client = tracking.client()
    client.set_registered_model_alias("vigil-postgres-check", CHAMPION, version)

    assert alias_version(client, "vigil-postgres-check", CHAMPION) == version == "1"
    assert rows(settings.postgres_url, "select name from registered_models") == [
        ("vigil-postgres-check",)
    ]
    assert rows(settings.postgres_url, "select alias, version from registered_model_aliases") == [
        (CHAMPION, 1)
    ]
    (auroc,) = rows(settings.postgres_url, "select value from metrics where key = 'auroc'")
    assert auroc == (0.9,)
    # Artifacts stay under VIGIL_HOME; the model loads back through the registry.
    assert any(settings.mlflow_artifact_dir.rglob("MLmodel"))
    loaded = mlflow.sklearn.load_model(f"models:/vigil-postgres-check@{CHAMPION}")
    assert np.allclose(loaded.predict_proba(example)[:, 1], model.predict_proba(example)[:, 1])
    assert not (settings.mlflow_dir / "mlflow.db").exists()
