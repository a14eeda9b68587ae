"""Daily partitions of the landed event feeds: one landed (or simulated) day is one partition.

The simulator and the adapters land event feeds as ``<feed>/day=YYYY-MM-DD/``; the raw
assets of those feeds and the incremental dbt models downstream share these daily
partitions (UTC days), so a new day of data is one new partition to load and build.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

# Early enough for any simulated history; simulated days must not lie in the future
# (Dagster's daily partitions end with the last complete UTC day).
FIRST_LANDING_DAY = "2020-01-01"
LANDING_DAYS = dg.DailyPartitionsDefinition(start_date=FIRST_LANDING_DAY, timezone="UTC")
DAY_FOLDER_PREFIX = "day="


def landed_days(feed_dir: Path) -> list[str]:
    """The ``YYYY-MM-DD`` days present under a feed's landing folder, sorted."""
    if not feed_dir.exists():
        return []
    days = []
    for child in feed_dir.iterdir():
        if child.is_dir() and child.name.startswith(DAY_FOLDER_PREFIX):
            day = child.name.removeprefix(DAY_FOLDER_PREFIX)
            date.fromisoformat(day)  # a malformed folder name is an error, not a silent skip
            days.append(day)
    return sorted(days)


def landed_range(feed_dirs: list[Path]) -> dg.PartitionKeyRange | None:
    """The partition range from the first to the last landed day over ``feed_dirs``."""
    days = sorted({day for feed_dir in feed_dirs for day in landed_days(feed_dir)})
    if not days:
        return None
    if days[0] < FIRST_LANDING_DAY:
        raise ValueError(f"landed day {days[0]} is before the first partition {FIRST_LANDING_DAY}")
    return dg.PartitionKeyRange(start=days[0], end=days[-1])
