"""The whole platform on a tiny simulated network, in a temporary VIGIL_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from mlflow.tracking import MlflowClient

from assets.ml.assets import READMISSION_MODEL
from ml.registry import CHAMPION
from simulator.config import NetworkConfig
from streams.runner import run_news2
from vigil.pipeline import materialize_all, simulate
from vigil.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.integration
TINY = NetworkConfig(hospitals=1, days=75, beds_per_hospital=60, seed=5)


@pytest.fixture
def settings(tmp_path: Path):
    saved = dict(os.environ)
    home = Settings(home=tmp_path / "home")
    os.environ["VIGIL_HOME"] = str(home.home)
    yield home
    os.environ.clear()
    os.environ.update(saved)


def run_once(settings: Settings):
    simulate(TINY, settings.landing_dir, settings.home / "ground_truth")
    stream = run_news2(settings.landing_dir / "vitals", settings.stream_dir)
    assert stream.records_in == stream.counts["scores"] + stream.counts["dead_letters"]
    assert materialize_all(settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(
            "select * from marts.kpi_daily order by hospital_id, kpi_date"
        ).df()


def test_graph_materializes_end_to_end_and_reruns_identically(settings: Settings) -> None:
    first = run_once(settings)
    assert len(first) >= TINY.days
    assert first["midnight_census"].max() > 0
    assert first["admissions"].sum() > 0

    client = MlflowClient(settings.mlflow_tracking_uri)
    champion = client.get_model_version_by_alias(READMISSION_MODEL, CHAMPION)
    assert champion.tags["train_end"]

    # Daily monitoring: every evaluated day has its row and its drift and quality reports
    # (days with too few discharges, or inside the training window, are skipped).
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = connection.execute(
            "select report_path, quality_report_path from monitoring.drift_results"
        ).fetchall()
    # Every monitored model's reports (readmission, length_of_stay): <slug>/<day>/*.html:
    # the drift and quality reports the rows name, and beside each drift report the
    # intake check's report of the same evaluation (same time stamp). A day with too few
    # of the model's rows has an intake-only row, which names its intake report.
    reports = sorted(settings.reports_dir.glob("*/*/*.html"))
    intake_only = {Path(report) for report, quality in rows if quality is None}
    assert all(report.name.startswith("intake-") for report in intake_only)
    intake = [r for r in reports if r.name.startswith("intake-") and r not in intake_only]
    named = sorted(Path(path) for row in rows for path in row if path is not None)
    assert sorted(set(reports) - set(intake)) == named
    drift = {report for report in named if report.name.startswith("drift-")}
    assert {r.with_name(r.name.replace("intake-", "drift-", 1)) for r in intake} == drift
    assert all(report.stat().st_size > 10_000 for report in reports)

    second = run_once(settings)
    assert first.equals(second)

    # Nothing was written into the source tree.
    assert not (REPO_ROOT / "dbt_project" / "target").exists()
    assert not (REPO_ROOT / "dbt_project" / "logs").exists()
    assert not (REPO_ROOT / "mlruns").exists()
