"""Ground truth stays out of the landing zone, the dbt project and every feature path."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import NetworkConfig
from simulator.landing import FEED_EVENT_TIME, write_landing
from simulator.network import simulate
from simulator.truth import TABLES, load_ground_truth

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("ground_truth", "simulator.truth", "true_readmission_risk")
# Truth columns that must never appear in a landed feed.
TRUTH_COLUMNS = {"true_readmission_risk_30d", "onset_at", "degradation_start_at", "failed_at"}


def _mentions(path: Path) -> bool:
    text = path.read_text(errors="ignore")
    return any(marker in text for marker in MARKERS)


def test_no_dbt_file_reads_ground_truth() -> None:
    files = [
        p
        for folder in ("models", "macros", "seeds", "tests")
        for p in (ROOT / "dbt_project" / folder).rglob("*")
        if p.is_file()
    ]
    assert files
    assert [str(p.relative_to(ROOT)) for p in files if _mentions(p)] == []


def test_no_feature_or_stream_code_reads_ground_truth() -> None:
    """Features (ml), the stream layer and raw assets never touch the truth; only
    evaluation modules (``*evaluat*``) may."""
    candidates = [
        *(ROOT / "ml").glob("*.py"),
        *(ROOT / "streams").glob("*.py"),
        *(ROOT / "clinical").glob("*.py"),
        *(ROOT / "assets" / "raw").glob("*.py"),
    ]
    offenders = [
        str(p.relative_to(ROOT)) for p in candidates if "evaluat" not in p.name and _mentions(p)
    ]
    assert offenders == []


def test_landed_feeds_hold_no_truth(tmp_path: Path) -> None:
    tables = simulate(NetworkConfig(hospitals=1, days=20, beds_per_hospital=40, seed=2))
    for feed, frame in tables.items():
        if feed in FEED_EVENT_TIME:
            assert TRUTH_COLUMNS.isdisjoint(frame.columns), feed
    write_landing(tables, tmp_path / "landing", tmp_path / "truth")
    landed = {
        p.relative_to(tmp_path / "landing").parts[0]
        for p in (tmp_path / "landing").rglob("*.parquet")
    }
    assert landed.isdisjoint({"readmission", "deterioration", "sepsis", "device_failures"})
    assert all(not name.startswith("ground_truth") for name in landed)
    for table in TABLES:
        truth = load_ground_truth(tmp_path / "truth", table)
        assert truth is not None
    assert len(load_ground_truth(tmp_path / "truth", "readmission")) > 0


def test_loader_refuses_unknown_tables(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown ground-truth table"):
        load_ground_truth(tmp_path, "encounters")
    with pytest.raises(FileNotFoundError):
        load_ground_truth(tmp_path, "sepsis")
