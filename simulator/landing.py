"""Write simulated feeds to the Parquet landing zone, deterministically.

Layout: ``<out>/<feed>/part-0.parquet`` for reference feeds and
``<out>/<feed>/day=YYYY-MM-DD/part-0.parquet`` for event feeds, partitioned by the
day of each feed's event time. ``<out>/replay/day=.../`` holds the clinical events of
every feed in one time-ordered sequence for the stream layer. Ground truth goes to a
separate folder that only evaluation code reads (:mod:`simulator.truth`).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    "elective_cancellations": "scheduled_at",
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
    "diagnoses": "diagnosed_at",
    "procedures": "performed_at",
}
GROUND_TRUTH_PREFIX = "ground_truth_"
REPLAY_FOLDER = "replay"
# Feed -> (event time, record key) of the events replayed in time order.
REPLAY_FEEDS = {
    "ed_visits": ("arrived_at", "ed_visit_id"),
    "adt_events": ("event_at", "adt_event_id"),
    "vitals": ("observed_at", "observation_id"),
    "lab_results": ("resulted_at", "lab_result_id"),
    "clinical_events": ("event_at", "clinical_event_id"),
}
Progress = Callable[[str, int, float], None]
WRITE_THREADS = 4


def _write(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")


def _write_by_day(frame: pd.DataFrame, time_column: str, target: Path) -> None:
    """One file per day; files are independent, so Arrow writes them on several threads
    (it releases the GIL), which keeps thousands of small daily files fast."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    days = pd.to_datetime(frame[time_column]).dt.strftime("%Y-%m-%d").to_numpy()
    # Rows are in event-time order within a feed, so each day is one contiguous slice.
    order = pd.Series(days).sort_values(kind="stable").index.to_numpy()
    table, days = table.take(order), days[order]
    changes = (days[1:] != days[:-1]).nonzero()[0] + 1
    boundaries = [0, *changes.tolist(), len(days)]
    parts = [
        (table.slice(begin, end - begin), target / f"day={days[begin]}" / "part-0.parquet")
        for begin, end in zip(boundaries[:-1], boundaries[1:], strict=True)
        if end > begin
    ]
    with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
        list(pool.map(lambda part: _write(*part), parts))


def replay_events(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every replayed feed's events in one time-ordered sequence (ties: feed, key)."""
    frames = []
    for feed, (time_column, key) in REPLAY_FEEDS.items():
        if feed not in tables:
            continue
        frame = tables[feed]
        frames.append(
            pd.DataFrame(
                {
                    "event_at": frame[time_column].to_numpy(),
                    "feed": feed,
                    "record_id": frame[key].to_numpy(),
                    "patient_id": frame["patient_id"].to_numpy(),
                    "encounter_id": frame["encounter_id"].to_numpy()
                    if "encounter_id" in frame
                    else None,
                }
            )
        )
    events = pd.concat(frames, ignore_index=True).dropna(subset=["event_at"])
    return events.sort_values(["event_at", "feed", "record_id"], kind="stable").reset_index(
        drop=True
    )


def print_progress(feed: str, rows: int, seconds: float) -> None:
    """Default progress: one line per feed with rows and rows per second, to stderr."""
    rate = rows / seconds if seconds > 0 else float("inf")
    print(f"  wrote {feed:<28} {rows:>11,} rows  {rate:>12,.0f} rows/s", file=sys.stderr)


def write_landing(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    truth_dir: Path,
    replay: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Replace the landing zone's feeds with ``tables``; returns rows written per feed."""
    written: dict[str, int] = {}
    for feed, frame in tables.items():
        started = time.perf_counter()
        if feed.startswith(GROUND_TRUTH_PREFIX):
            target = truth_dir / feed.removeprefix(GROUND_TRUTH_PREFIX)
            shutil.rmtree(target, ignore_errors=True)
            _write(frame, target / "part-0.parquet")
        else:
            if feed not in FEED_EVENT_TIME:
                raise ValueError(
                    f"unknown feed {feed!r}; known feeds: {', '.join(FEED_EVENT_TIME)}"
                )
            target = out_dir / feed
            shutil.rmtree(target, ignore_errors=True)
            time_column = FEED_EVENT_TIME[feed]
            if time_column is None:
                _write(frame, target / "part-0.parquet")
            else:
                _write_by_day(frame, time_column, target)
        written[feed] = len(frame)
        if progress:
            progress(feed, len(frame), time.perf_counter() - started)
    if replay:
        started = time.perf_counter()
        events = replay_events(tables)
        shutil.rmtree(out_dir / REPLAY_FOLDER, ignore_errors=True)
        _write_by_day(events, "event_at", out_dir / REPLAY_FOLDER)
        written[REPLAY_FOLDER] = len(events)
        if progress:
            progress(REPLAY_FOLDER, len(events), time.perf_counter() - started)
    return written
