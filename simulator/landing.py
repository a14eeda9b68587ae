"""Write simulated feeds to the Parquet landing zone, deterministically.

Layout: ``<out>/<feed>/part-0.parquet`` for reference feeds and
``<out>/<feed>/day=YYYY-MM-DD/part-0.parquet`` for event feeds, partitioned by the
day of each feed's event time. Ground truth goes to a separate folder that only
evaluation code reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Feed -> event-time column used to partition by day (None: a reference feed).
FEED_EVENT_TIME: dict[str, str | None] = {
    "hospitals": None,
    "units": None,
    "payers": None,
    "ms_drgs": None,
    "patients": None,
    "ed_visits": "arrived_at",
    "encounters": "admitted_at",
    "adt_events": "event_at",
    "vitals": "observed_at",
    "weather_daily": "weather_date",
    "lab_results": "resulted_at",
    "clinical_events": "event_at",
    "line_episodes": "inserted_at",
    "claims": "submitted_at",
    "remittances": "adjudicated_at",
    "nurse_shifts": "shift_date",
    "unit_costs_daily": "cost_date",
    "interface_metrics": "interval_start_at",
    "devices": None,
    "device_heartbeats": "hour_start_at",
}
GROUND_TRUTH_PREFIX = "ground_truth_"


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def write_landing(
    tables: dict[str, pd.DataFrame], out_dir: Path, truth_dir: Path
) -> dict[str, int]:
    """Replace the landing zone's feeds with ``tables``; returns rows written per feed."""
    written: dict[str, int] = {}
    for feed, frame in tables.items():
        if feed.startswith(GROUND_TRUTH_PREFIX):
            target = truth_dir / feed.removeprefix(GROUND_TRUTH_PREFIX)
            shutil.rmtree(target, ignore_errors=True)
            _write(frame, target / "part-0.parquet")
            written[feed] = len(frame)
            continue
        if feed not in FEED_EVENT_TIME:
            raise ValueError(f"unknown feed {feed!r}; known feeds: {', '.join(FEED_EVENT_TIME)}")
        target = out_dir / feed
        shutil.rmtree(target, ignore_errors=True)
        time_column = FEED_EVENT_TIME[feed]
        if time_column is None:
            _write(frame, target / "part-0.parquet")
        else:
            days = pd.to_datetime(frame[time_column]).dt.strftime("%Y-%m-%d")
            for day, part in frame.groupby(days, sort=True):
                _write(part, target / f"day={day}" / "part-0.parquet")
        written[feed] = len(frame)
    return written
