"""The early-warning flow on a simulated landing zone with lactates and the nurse's
acknowledgements: accounting, matching and escalations, through Bytewax."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.config import NetworkConfig
from streams.runner import run_news2
from vigil.pipeline import simulate


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("acks")
    simulate(NetworkConfig(hospitals=1, days=20, seed=3), root / "landing", root / "truth")
    return root / "landing"


def read(out: Path, kind: str) -> pd.DataFrame:
    folder = out / "news2" / kind
    return pd.read_parquet(folder) if folder.exists() else pd.DataFrame()


def test_acknowledgements_land_match_their_alerts_and_are_counted(
    landing: Path, tmp_path: Path
) -> None:
    plain = run_news2(landing / "vitals", tmp_path / "plain")
    result = run_news2(
        landing / "vitals",
        tmp_path / "acks",
        lab_results_dir=landing / "lab_results",
        nurse_seed=7,
    )
    out = tmp_path / "acks"
    acks, escalations = read(out, "acknowledgements"), read(out, "escalations")
    alerts = pd.concat([read(out, "alerts"), read(out, "sepsis_alerts")])
    labs = pd.read_parquet(landing / "lab_results")
    lactates = int((labs["loinc_code"] == "2524-7").sum())

    # Records in: readings + lactate results + acknowledgements, each processed or dead.
    assert result.records_in == len(pd.read_parquet(landing / "vitals")) + lactates + len(acks)
    assert result.records_in == result.processed + result.counts["dead_letters"]
    assert result.counts["lactate_results"] == lactates > 0
    # The nurse answers the alerts the flow raised: every acknowledgement matches one.
    assert len(acks) > 50 and set(acks["alert_id"]) <= set(alerts["alert_id"])
    assert acks["alert_id"].is_unique
    assert (acks["acknowledged_at"] >= acks["raised_at"]).all()
    # Acknowledged in time -> never escalated; most alerts are, a minority escalate.
    merged = acks.merge(escalations[["alert_id", "escalated_at"]], on="alert_id", how="left")
    in_time = merged["escalated_at"].isna()
    assert (merged.loc[~in_time, "acknowledged_at"] > merged.loc[~in_time, "escalated_at"]).all()
    assert 0 < len(escalations) < 0.5 * plain.counts["escalations"]
    # NEWS2 alerts do not depend on lactates or acknowledgements.
    assert result.counts["alerts"] == plain.counts["alerts"]
