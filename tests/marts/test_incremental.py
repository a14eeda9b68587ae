"""The daily marts rebuild exactly the landing days passed as dbt vars (Dagster partitions)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pytest

from tests.marts.warehouse import dbt
from vigil.settings import Settings

DAILY = ["kpi_daily", "kpi_unit_hourly"]
MY_FOLDERS = [
    "intermediate",
    "marts/operations",
    "marts/quality",
    "marts/finance",
    "marts/benchmark",
    "ml",
]


def read(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).df()


def build_days(settings: Settings, first: str, last: str) -> None:
    days = json.dumps({"from_day": first, "to_day": last})
    # Upstream tables rebuild whole; the daily marts only the days in the vars.
    result = dbt(settings, "run", "--select", *(f"+{mart}" for mart in DAILY), "--vars", days)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture
def copy_of(marts_settings: Settings, tmp_path) -> Settings:
    """A private copy of the built warehouse, so edits here do not leak into other tests."""
    settings = Settings(home=tmp_path / "home")
    settings.ensure_dirs()
    shutil.copy(marts_settings.warehouse_path, settings.warehouse_path)
    return settings


def test_rebuilding_a_day_is_idempotent(copy_of: Settings) -> None:
    before = read(copy_of, "select * from marts.kpi_daily order by hospital_id, kpi_date")
    day = str(before["kpi_date"].iloc[len(before) // 4].date())
    build_days(copy_of, day, day)
    after = read(copy_of, "select * from marts.kpi_daily order by hospital_id, kpi_date")
    pd.testing.assert_frame_equal(before, after)


def test_a_partition_rebuilds_only_its_days(copy_of: Settings) -> None:
    before = read(copy_of, "select * from marts.kpi_daily order by hospital_id, kpi_date")
    day = before["kpi_date"].iloc[len(before) // 4]
    with duckdb.connect(str(copy_of.warehouse_path)) as connection:
        # A correction lands for one day: that day's admissions disappear from the feed.
        connection.execute(
            "delete from raw.encounters where cast(admitted_at as date) = ?", [day.date()]
        )
    build_days(copy_of, str(day.date()), str(day.date()))
    after = read(copy_of, "select * from marts.kpi_daily order by hospital_id, kpi_date")
    changed = after["kpi_date"] == day
    assert (after.loc[changed, "admissions"] == 0).all()
    assert (before.loc[changed, "admissions"] > 0).all()
    # Every other day keeps the rows of its own partition's last build.
    pd.testing.assert_frame_equal(
        before[~changed].reset_index(drop=True), after[~changed].reset_index(drop=True)
    )
    hours = read(
        copy_of,
        f"select count(distinct hour_start_at) as hours, count(*) as rows_ "
        f"from marts.kpi_unit_hourly where cast(hour_start_at as date) = '{day.date()}'",
    )
    units = read(copy_of, "select count(*) as units from raw.units")["units"].iloc[0]
    assert hours["hours"].iloc[0] == 24 and hours["rows_"].iloc[0] == 24 * units


def test_dbt_unit_tests_pass(marts_settings: Settings) -> None:
    """The HWR edge cases (and every other dbt unit test) hold on this build."""
    mine = [f"test_type:unit,path:models/{folder}" for folder in MY_FOLDERS]
    result = dbt(marts_settings, "test", "--select", *mine)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "hwr_transfer_chain_indexes_the_last_stay" in result.stdout
    assert "readmission_features_keep_stays_without_a_disposition" in result.stdout
