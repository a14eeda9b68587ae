"""The closed loop on case_mix_drift, lived through in time order (issue 7's measured loop).

A simulated network with ``case_mix_drift`` (who arrives changes, and Medicaid stays last
twice as long from the same day) is replayed day by day into a home: the length-of-stay
monitor sees the drift on its first day and the retrain it requests can only refit on
the old outcomes; once enough post-drift stays have matured, the re-gate sensor retrains
the drift once more, the model is revised on post-drift stays, and the new champion
beats the old one on later post-drift stays neither trained on. Real Dagster jobs,
sensors, dbt, MLflow registry, in process (the daemon: test_loop_daemon.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from mlflow.tracking import MlflowClient

from ml.registry import CHAMPION
from monitoring.monitors import LENGTH_OF_STAY
from tests.monitoring.conftest import case_mix_drift_home
from vigil.replay import LoopReplay, land

START = date(2025, 1, 1)
DRIFT = START + timedelta(days=45)
DAYS = 95  # the drift's first ~20 days mature (30 days after admission) by the end


@pytest.fixture
def replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[LoopReplay, Path]:
    source = tmp_path / "simulated"
    settings = case_mix_drift_home(
        tmp_path, monkeypatch, hospitals=2, days=DAYS, seed=5, drift_start=DRIFT,
        start=START, landing_dir=source,
    )  # fmt: skip
    return LoopReplay(settings, LENGTH_OF_STAY, {"n_trials": 2, "timeout_seconds": 60.0}), source


def test_drift_seen_on_its_first_day_is_re_gated_once_its_outcomes_mature(replay) -> None:
    loop, source = replay
    home = loop.settings
    land(source, home.landing_dir, DRIFT - timedelta(days=1))
    loop.load(START, DRIFT - timedelta(days=1))
    first = loop.train()
    assert first["promoted"] is True

    land(source, home.landing_dir, DRIFT)
    loop.load(DRIFT, DRIFT)
    loop.evaluate(DRIFT)
    detected, _ = loop.tick("length_of_stay_drift_sensor")
    assert len(detected) == 1, "case_mix_drift not detected on its first day"
    assert "case mix drift" in detected[0].tags["vigil/trigger"]
    at_detection = loop.train(detected[0].tags)
    assert at_detection["post_drift_adaptation"].startswith("waiting: 0 stays")
    loop.audit()
    asked, why = loop.tick("length_of_stay_regate_sensor")
    assert not asked and why.startswith("waiting for post-drift labels: 0 of")

    last = START + timedelta(days=DAYS - 1)
    land(source, home.landing_dir, last)
    loop.load(DRIFT + timedelta(days=1), last)
    asked, _ = loop.tick("length_of_stay_regate_sensor")
    assert len(asked) == 1
    assert asked[0].tags["vigil/drift_partition"] == DRIFT.isoformat()
    adapted = loop.train(asked[0].tags)
    loop.audit()

    assert adapted["post_drift_adaptation"].startswith("model revision on")
    assert adapted["promoted"] is True, adapted["gate_reasons"]
    new, old = adapted["post_drift_challenger_value"], adapted["post_drift_champion_value"]
    assert new < 0.95 * old  # MAE in days on post-drift stays neither model trained on
    client = MlflowClient(home.mlflow_tracking_uri)
    champion = client.get_model_version_by_alias(LENGTH_OF_STAY.model_name, CHAMPION)
    assert str(champion.version) == adapted["model_version"]
    with duckdb.connect(str(home.warehouse_path), read_only=True) as connection:
        trail = connection.execute(
            "select event_type, partition_date, is_promoted from monitoring.retraining_events "
            "where event_type in ('retrain_requested', 'regate_requested', 'gate_decision') "
            "order by event_at, event_type"
        ).fetchall()
    assert [row[0] for row in trail] == [
        "retrain_requested", "gate_decision", "regate_requested", "gate_decision",
    ]  # fmt: skip
    assert {row[1] for row in trail} == {DRIFT}
    assert trail[-1][2] is True
    assert loop.tick("length_of_stay_regate_sensor")[1] == (
        "no drift-triggered retrain since the last re-gate"
    )
