"""A sensor that loads each newly landed day of the event feeds as its raw partition.

The simulator (or an adapter) lands a day as ``<feed>/day=YYYY-MM-DD/``. The sensor keeps,
in its cursor, the newest file time seen for every landed day; days that are new or were
re-landed since are requested as one run over their partition range (the raw assets load a
range in one run). The dbt models downstream follow through their automation conditions.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.raw.assets import FEEDS
from assets.raw.partitions import DAY_FOLDER_PREFIX, LANDING_DAYS, landed_days
from assets.resources import LandingZoneResource

DAILY_RAW_KEYS = [dg.AssetKey(["raw", feed.name]) for feed in FEEDS if feed.daily]

raw_landing_job = dg.define_asset_job(
    "raw_landing_job",
    selection=dg.AssetSelection.assets(*DAILY_RAW_KEYS),
    partitions_def=LANDING_DAYS,
    description="Load landed days of the daily event feeds into their raw partitions.",
)


def landed_day_signatures(landing_dir: Path) -> dict[str, int]:
    """Every landed day of the daily feeds -> the newest file time (ns) in that day."""
    signatures: dict[str, int] = {}
    for feed in FEEDS:
        if not feed.daily:
            continue
        for day in landed_days(landing_dir / feed.folder):
            folder = landing_dir / feed.folder / f"{DAY_FOLDER_PREFIX}{day}"
            newest = max((f.stat().st_mtime_ns for f in folder.glob("*.parquet")), default=0)
            signatures[day] = max(signatures.get(day, 0), newest)
    return signatures


def days_to_load(seen: dict[str, int], landed: dict[str, int]) -> list[str]:
    """Days landed since the last tick, or landed again with newer files."""
    return sorted(day for day, newest in landed.items() if seen.get(day, -1) < newest)


@dg.sensor(
    name="raw_landing_sensor",
    job=raw_landing_job,
    minimum_interval_seconds=60,
    description="When new days land in the event feeds' landing folders, load them as raw "
    "partitions (one run over the new days); the marts follow by automation.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def raw_landing_sensor(context: dg.SensorEvaluationContext, landing: LandingZoneResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    landed = landed_day_signatures(Path(landing.path))
    days = days_to_load(seen, landed)
    if not days:
        return dg.SkipReason("no new or re-landed days in the daily feeds")
    context.update_cursor(json.dumps(landed, sort_keys=True))
    # One run over the range; days inside it that did not change are reloaded as they are.
    return dg.RunRequest(
        run_key=f"{days[0]}..{days[-1]}:{max(landed[day] for day in days)}",
        tags={
            "dagster/asset_partition_range_start": days[0],
            "dagster/asset_partition_range_end": days[-1],
        },
    )
