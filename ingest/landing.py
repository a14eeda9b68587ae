"""Write contract tables to the landing zone, the layout the simulator uses.

``<landing>/<table>/part-0.parquet`` for reference tables and
``<landing>/<table>/day=YYYY-MM-DD/part-0.parquet`` for event tables (by the day of
the table's event time), so the raw assets, the dbt models and the flows read
ingested data exactly as they read simulated data. Rejects go to
``<landing>/intake_rejects/source=<source>/part-0.parquet``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from contract.schema import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    REJECTS_TABLE,
    STRING,
    TABLES,
    TABLES_BY_NAME,
    TIMESTAMP,
)

BATCHES_TABLE = "intake_batches"


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


ARROW_TYPES = {
    STRING: pa.string(),
    INTEGER: pa.int64(),
    FLOAT: pa.float64(),
    BOOLEAN: pa.bool_(),
    TIMESTAMP: pa.timestamp("ns"),
}


def empty_table(name: str) -> pa.Table:
    """A contract table with no rows, typed column by column."""
    table = TABLES_BY_NAME[name]
    return pa.schema([(c.name, ARROW_TYPES[c.dtype]) for c in table.columns]).empty_table()


def write_tables(tables: dict[str, pd.DataFrame], landing_dir: Path) -> dict[str, int]:
    """Replace the landing zone's contract tables with ``tables``; rows written per table.

    Every contract table is replaced, so no table lingers from an earlier load. A
    table the source lacks (or has no valid rows for) lands empty but typed, in the
    first landed day for event tables, so every raw asset loads and the metrics that
    need the table are null instead of failing.
    """
    written: dict[str, int] = {}
    first_day = _first_day(tables)
    for table in TABLES:
        target = landing_dir / table.name
        shutil.rmtree(target, ignore_errors=True)
        frame = tables.get(table.name)
        if frame is None or frame.empty:
            folder = target if table.event_time is None else target / f"day={first_day}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(empty_table(table.name), folder / "part-0.parquet")
            written[table.name] = 0
            continue
        if table.event_time is None:
            _write(frame, target / "part-0.parquet")
        else:
            days = frame[table.event_time].dt.strftime("%Y-%m-%d")
            for day, part in frame.groupby(days, sort=True):
                _write(part, target / f"day={day}" / "part-0.parquet")
        written[table.name] = len(frame)
    return written


def _first_day(tables: dict[str, pd.DataFrame]) -> str:
    """The first day any event table has rows for (where empty event tables land)."""
    days = [
        frame[table.event_time].min()
        for table in TABLES
        if table.event_time is not None
        and (frame := tables.get(table.name)) is not None
        and not frame.empty
    ]
    days = [day for day in days if not pd.isna(day)]
    return (min(days) if days else pd.Timestamp("2020-01-01")).strftime("%Y-%m-%d")


def write_rejects(rejects: pd.DataFrame, landing_dir: Path, source: str) -> Path:
    """Replace the rejects: a load replaces the contract tables, so its rejects go with it."""
    shutil.rmtree(landing_dir / REJECTS_TABLE, ignore_errors=True)
    path = landing_dir / REJECTS_TABLE / f"source={source}" / "part-0.parquet"
    _write(rejects.astype("string"), path)
    return path


def write_batch(summary: dict, landing_dir: Path) -> Path:
    """Replace the intake batch record (one row: the last load's accounting)."""
    shutil.rmtree(landing_dir / BATCHES_TABLE, ignore_errors=True)
    path = landing_dir / BATCHES_TABLE / "part-0.parquet"
    _write(pd.DataFrame([summary]), path)
    return path
