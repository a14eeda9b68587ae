"""Same seed and config: byte-identical landing files; another seed: different files."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import NetworkConfig
from simulator.landing import write_landing
from simulator.network import simulate

SMALL = dict(hospitals=1, days=10, beds_per_hospital=40)


def landed_bytes(tmp: Path, seed: int) -> dict[str, bytes]:
    tables = simulate(NetworkConfig(seed=seed, **SMALL))
    write_landing(tables, tmp / "landing", tmp / "truth")
    return {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(tmp.rglob("*.parquet"))}


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = landed_bytes(tmp_path / "a", seed=11)
    second = landed_bytes(tmp_path / "b", seed=11)
    assert first.keys() == second.keys()
    assert first == second


def test_different_seeds_differ(tmp_path: Path) -> None:
    assert landed_bytes(tmp_path / "a", seed=11) != landed_bytes(tmp_path / "b", seed=12)


def test_feeds_are_partitioned_by_day_and_truth_kept_apart(tmp_path: Path) -> None:
    files = landed_bytes(tmp_path, seed=1)
    assert any(name.startswith("landing/vitals/day=") for name in files)
    assert not any(
        "ground_truth" in name or "readmission" in name
        for name in files
        if name.startswith("landing/")
    )
    assert "truth/readmission/part-0.parquet" in files


def test_discharges_after_the_window_are_not_known(tmp_path: Path) -> None:
    config = NetworkConfig(seed=3, **SMALL)
    tables = simulate(config)
    end = tables["encounters"]["admitted_at"].min().normalize() + __import__("pandas").Timedelta(
        days=config.days
    )
    assert (tables["encounters"]["discharged_at"].dropna() < end).all()
    assert tables["encounters"]["discharged_at"].isna().any()
    assert (tables["adt_events"]["event_at"] < end).all()


def test_invalid_config_is_refused() -> None:
    with pytest.raises(ValueError, match="hospitals"):
        NetworkConfig(hospitals=0)


@pytest.mark.parametrize("days", [1, 2])
def test_a_day_or_two_simulates_and_lands(tmp_path: Path, days: int) -> None:
    """Short windows (few or no events of some kinds) still give every feed."""
    tables = simulate(NetworkConfig(hospitals=1, days=days, beds_per_hospital=20, seed=1))
    written = write_landing(tables, tmp_path / "landing", tmp_path / "truth")
    assert written["ed_visits"] > 0 and "clinical_events" in written
