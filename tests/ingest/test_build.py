"""`vigil ingest hl7v2|fhir PATH --build` builds every mart and model from ingested data.

A small simulated network (1 hospital of 30 beds x 65 days: the demand forecast's
backtest needs about two months of history) goes out as HL7 v2 messages or FHIR
NDJSON, comes back through `vigil ingest ... --build`, and the whole asset graph must
materialize with every check passing: no failed step (the ML features' Charlson and
emergent-admission tests included), the marts and the models' outputs filled. The
deterioration model and its scores are skipped with a stated reason: these formats
carry no clinical_events, so no observation set is labelled (tests/ml covers the skip).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from ingest.export_fhir import to_ndjson
from ingest.export_hl7v2 import to_messages
from simulator.config import NetworkConfig
from simulator.network import simulate
from tests.ingest.conftest import TEST_KEY
from tests.ingest.test_build_privacy import wait_for_warehouse

pytestmark = pytest.mark.integration
CONFIG = NetworkConfig(hospitals=1, days=65, beds_per_hospital=30, start=date(2025, 1, 6), seed=5)


@pytest.mark.parametrize("source", ["hl7v2", "fhir"])
def test_ingest_build_materializes_every_asset(source, tmp_path) -> None:
    tables = simulate(CONFIG)
    if source == "hl7v2":
        export = tmp_path / "feed.hl7"
        export.write_text("\r".join(to_messages(tables)))
    else:
        export = tmp_path / "export.ndjson"
        export.write_text(to_ndjson(tables))
    home = tmp_path / "home"
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_PSEUDONYM_KEY": TEST_KEY}
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "ingest", source, str(export), "--build"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "FAILED check" not in log, log[-4000:]
    assert " 0 rejected" in log.splitlines()[0], log[:2000]
    wait_for_warehouse(home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:

        def count(sql: str) -> int:
            return connection.execute(sql).fetchone()[0]

        assert count("select count(*) from marts.kpi_daily") >= CONFIG.days
        # ED visits arrive through the ED registrations, not as admissions.
        assert count("select count(*) from marts.kpi_daily where ed_arrivals > 0") > 0
        features = "select count(*) from ml.readmission_features"
        assert count(features) > 0
        assert count(f"{features} where charlson_index is null") == 0
        assert count(f"{features} where is_emergent_admission is null") == 0
        assert count("select count(*) from marts.forecast_daily") > 0
