"""`vigil ingest hl7v2|fhir|synthea PATH --build` builds every mart and model from ingested
data. Shared by the three build tests, one file per format (test_build.py for HL7 v2,
test_build_fhir.py, test_build_synthea.py) so parallel test workers take one each.

One small simulated network (1 hospital of 30 beds x 65 days: the demand forecast's
backtest needs about two months of history), the same for the three builds, goes out as
HL7 v2 messages, FHIR NDJSON or a Synthea CSV export, comes back through
`vigil ingest ... --build --training-trials 2` (a smoke budget: two Optuna trials per
model), and the whole asset graph must materialize with every check passing: no
failed step (the ML features' Charlson and emergent-admission tests included), the
marts and the models' outputs filled.

HL7 v2: intake derives the clinical events ADT states (deaths, unplanned ICU
transfers, ``ingest.events``); they must equal the simulator's recorded ones, and the
deterioration model must train on them. Synthea: conditions are SNOMED CT, so the
Charlson index comes through the SNOMED CT reference table; its deaths come from too few
stays for the deterioration model, which skips with its reason. FHIR: the deterioration
model trains or skips with its stated reason (tests/ml covers the skip).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import duckdb
import pandas as pd

from ingest.export_fhir import to_ndjson
from ingest.export_hl7v2 import ISSUER, to_messages
from ingest.export_synthea import write_synthea
from ingest.pseudonym import Pseudonymizer
from simulator.config import NetworkConfig
from simulator.network import simulate
from tests.ingest.conftest import TEST_KEY
from tests.ingest.test_build_privacy import wait_for_warehouse

CONFIG = NetworkConfig(hospitals=1, days=65, beds_per_hospital=30, start=date(2025, 1, 6), seed=5)
TRAINING_TRIALS = "2"


def simulated_network() -> dict[str, pd.DataFrame]:
    return simulate(CONFIG)


def export(tables: dict[str, pd.DataFrame], source: str, folder) -> object:
    if source == "hl7v2":
        path = folder / "feed.hl7"
        path.write_text("\r".join(to_messages(tables)))
    elif source == "fhir":
        path = folder / "export.ndjson"
        path.write_text(to_ndjson(tables))
    else:
        path = write_synthea(tables, folder / "synthea")
    return path


def build(source: str, path, home) -> str:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_PSEUDONYM_KEY": TEST_KEY}
    command = [sys.executable, "-m", "vigil.cli", "ingest", source, str(path), "--build"]
    result = subprocess.run(
        [*command, "--training-trials", TRAINING_TRIALS],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "FAILED check" not in log, log[-4000:]
    assert " 0 rejected" in log.splitlines()[0], log[:2000]
    return log


def check_build(source: str, simulated: dict[str, pd.DataFrame], tmp_path) -> None:
    """Export ``simulated`` as ``source``, ingest it with --build, check the warehouse."""
    home = tmp_path / "home"
    log = build(source, export(simulated, source, tmp_path), home)
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
        if source == "synthea":  # SNOMED CT conditions: the index is never unknown
            assert count("select count(*) from raw.patients where charlson_index is null") == 0
            assert count("select count(*) from raw.patients where charlson_index > 0") > 0
            # Deaths from DEATHDATE only (no units, so no ICU transfers): events from too
            # few stays for the deterioration model's grouped folds; it skips, saying why.
            assert "different stays, to train" in log, log[-4000:]
        if source == "hl7v2":
            # IN1 carries the payer: payer subgroups see the simulator's categories.
            payers = connection.execute(
                "select distinct primary_payer from ml.readmission_features"
            ).fetchall()
            want = set(simulated["patients"]["primary_payer"].dropna())
            assert {p for (p,) in payers} <= want and len(payers) > 1
            events = connection.execute(
                "select encounter_id, event_type, event_at from raw.clinical_events"
            ).fetchall()
    if source == "hl7v2":
        assert_events_and_deterioration_model(simulated, events, home, log)


def assert_events_and_deterioration_model(simulated, events, home, log) -> None:
    """ADT-derived events equal the simulator's deaths and unplanned ICU transfers, and
    they label enough observation sets for the deterioration model to train."""
    pseudonymize = Pseudonymizer(TEST_KEY)
    recorded = simulated["clinical_events"]
    recorded = recorded[recorded["event_type"].isin(["death", "unplanned_icu_transfer"])]
    want = sorted(
        (pseudonymize("encounter", e, ISSUER), t, pd.Timestamp(at).floor("s"))
        for e, t, at in recorded[["encounter_id", "event_type", "event_at"]].values
    )
    assert len(want) >= 5
    assert sorted((e, t, pd.Timestamp(at)) for e, t, at in events) == want
    assert "training skipped" not in log, log[-4000:]
    from mlflow.tracking import MlflowClient

    from assets.ml.deterioration import DETERIORATION_MODEL

    uri = f"sqlite:///{home / 'mlflow' / 'mlflow.db'}"
    # The registry named too: an earlier test in this process may have set MLflow's
    # global registry URI to its own store.
    client = MlflowClient(uri, registry_uri=uri)
    versions = client.search_model_versions(f"name='{DETERIORATION_MODEL}'")
    assert len(versions) >= 1
