"""Loading daily-partitioned feeds: a day reloads in place, new columns are added, days parse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.raw.assets import load_days
from assets.raw.partitions import landed_days, landed_range


def write_day(root: Path, day: str, frame: pd.DataFrame) -> Path:
    path = root / f"day={day}" / "part-0.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path


def test_reloading_a_day_replaces_it_and_keeps_the_others(tmp_path: Path) -> None:
    first = write_day(tmp_path, "2025-01-01", pd.DataFrame({"event_id": ["a", "b"]}))
    second = write_day(tmp_path, "2025-01-02", pd.DataFrame({"event_id": ["c"]}))
    connection = duckdb.connect()
    assert load_days(connection, "raw.events", [first, second], "2025-01-01", "2025-01-02") == 3
    # The feed corrects day 2 and adds a column: day 2 is replaced, day 1 untouched.
    second = write_day(tmp_path, "2025-01-02", pd.DataFrame({"event_id": ["c", "d"], "unit": "U"}))
    assert load_days(connection, "raw.events", [second], "2025-01-02", "2025-01-02") == 2
    rows = connection.execute(
        "select event_id, unit, cast(landing_day as varchar) from raw.events order by event_id"
    ).fetchall()
    assert rows == [
        ("a", None, "2025-01-01"),
        ("b", None, "2025-01-01"),
        ("c", "U", "2025-01-02"),
        ("d", "U", "2025-01-02"),
    ]


def test_a_failed_load_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    day = write_day(tmp_path, "2025-01-01", pd.DataFrame({"event_id": ["a"]}))
    connection = duckdb.connect()
    load_days(connection, "raw.events", [day], "2025-01-01", "2025-01-01")
    broken = tmp_path / "day=2025-01-01" / "broken.parquet"
    broken.write_text("not parquet")
    with pytest.raises(duckdb.Error):
        load_days(connection, "raw.events", [broken], "2025-01-01", "2025-01-01")
    assert connection.execute("select count(*) from raw.events").fetchone()[0] == 1


def test_landed_days_and_range(tmp_path: Path) -> None:
    for day in ("2025-01-03", "2025-01-01"):
        (tmp_path / "vitals" / f"day={day}").mkdir(parents=True)
    (tmp_path / "adt" / "day=2025-01-05").mkdir(parents=True)
    assert landed_days(tmp_path / "vitals") == ["2025-01-01", "2025-01-03"]
    assert landed_days(tmp_path / "missing") == []
    days = landed_range([tmp_path / "vitals", tmp_path / "adt"])
    assert (days.start, days.end) == ("2025-01-01", "2025-01-05")
    assert landed_range([tmp_path / "missing"]) is None
    (tmp_path / "vitals" / "day=2025-13-01").mkdir()
    with pytest.raises(ValueError):
        landed_days(tmp_path / "vitals")
