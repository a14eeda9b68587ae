"""The landing sensor requests the new and re-landed days of the daily feeds, once."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.raw.sensors import raw_landing_job, raw_landing_sensor
from assets.resources import LandingZoneResource


def land_day(landing: Path, feed: str, day: str, ns: int) -> None:
    path = landing / feed / f"day={day}" / "part-0.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"row": [1]}).to_parquet(path)
    os.utime(path, ns=(ns, ns))


def tick(landing: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"landing": LandingZoneResource(path=str(landing))}
    )
    return raw_landing_sensor(context), context.cursor


def test_new_days_are_requested_as_one_range_then_skipped(tmp_path: Path) -> None:
    for day in ("2025-01-01", "2025-01-02"):
        land_day(tmp_path, "encounters", day, 10**18)
    land_day(tmp_path, "adt_events", "2025-01-03", 10**18)
    request, cursor = tick(tmp_path, None)
    assert request.tags["dagster/asset_partition_range_start"] == "2025-01-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-01-03"
    again, cursor = tick(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason)
    # A new day and a corrected (re-landed) day: only those two, as one range.
    land_day(tmp_path, "vitals", "2025-01-05", 10**18)
    land_day(tmp_path, "encounters", "2025-01-04", 2 * 10**18)
    request, _ = tick(tmp_path, cursor)
    assert request.tags["dagster/asset_partition_range_start"] == "2025-01-04"
    assert request.tags["dagster/asset_partition_range_end"] == "2025-01-05"


def test_the_sensor_and_its_job_are_in_the_code_location() -> None:
    from assets.definitions import defs

    assert defs.resolve_sensor_def("raw_landing_sensor") is not None
    job = defs.resolve_job_def(raw_landing_job.name)
    keys = {key.path[1] for key in job.asset_layer.selected_asset_keys}
    # The event feeds landed by day, never the reference feeds replaced whole.
    assert {"encounters", "adt_events", "vitals"} <= keys
    assert not keys & {"hospitals", "units", "patients"}
