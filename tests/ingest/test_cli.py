from __future__ import annotations

import os
import subprocess
import sys

from tests.ingest.conftest import FIXTURES, TEST_KEY


def vigil(*args: str, home, key: str | None = TEST_KEY) -> subprocess.CompletedProcess:
    env = {**os.environ, "VIGIL_HOME": str(home)}
    env.pop("VIGIL_PSEUDONYM_KEY", None)
    if key is not None:
        env["VIGIL_PSEUDONYM_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli", *args], capture_output=True, text=True, env=env
    )


def test_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "ingest", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "usage: vigil ingest" in result.stdout


def test_ingest_prints_the_accounting(tmp_path) -> None:
    result = vigil("ingest", "synthea", str(FIXTURES / "synthea"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "synthea: 30 messages in, 24 loaded, 2 rejected, 4 skipped" in result.stdout
    assert (tmp_path / "landing" / "encounters").is_dir()


def test_without_a_key_intake_refuses_clearly(tmp_path) -> None:
    result = vigil("ingest", "hl7v2", str(FIXTURES / "hl7v2"), home=tmp_path, key=None)
    assert result.returncode == 2
    assert "VIGIL_PSEUDONYM_KEY" in result.stderr
    assert not (tmp_path / "landing").exists()


def test_missing_path_is_a_clear_error(tmp_path) -> None:
    result = vigil("ingest", "fhir", str(tmp_path / "nowhere"), home=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_training_budget_is_checked_before_anything_is_loaded(tmp_path) -> None:
    """`--training-trials N` sets n_trials on the four training assets' ops (Dagster
    refuses config for an op the job lacks, so tests/ingest/test_build.py, which passes
    it, checks the names); below 1 it is refused before anything is loaded."""
    from vigil.pipeline import training_run_config

    config = training_run_config(2)
    assert sorted(config["ops"]) == [
        "ml__demand_forecast_model",
        "ml__deterioration_model",
        "ml__length_of_stay_model",
        "ml__readmission_model",
    ]
    assert all(op["config"] == {"n_trials": 2} for op in config["ops"].values())
    refused = vigil(
        "ingest", "fhir", str(FIXTURES / "fhir"), "--build", "--training-trials", "0", home=tmp_path
    )
    assert refused.returncode == 2 and "at least 1" in refused.stderr
    assert not (tmp_path / "landing").exists()
