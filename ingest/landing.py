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

from contract.schema import REJECTS_TABLE, TABLES, TABLES_BY_NAME

BATCHES_TABLE = "intake_batches"


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def write_tables(tables: dict[str, pd.DataFrame], landing_dir: Path) -> dict[str, int]:
    """Replace the landing zone's contract tables with ``tables``; rows written per table.

    Every contract table is replaced, so an optional table the new source lacks does
    not linger from an earlier load.
    """
    written: dict[str, int] = {}
    for table in TABLES:
        target = landing_dir / table.name
        shutil.rmtree(target, ignore_errors=True)
        if table.name not in tables:
            continue
        frame = tables[table.name]
        if table.event_time is None or frame.empty:
            if not frame.empty or TABLES_BY_NAME[table.name].required:
                _write(frame, target / "part-0.parquet")
        else:
            days = frame[table.event_time].dt.strftime("%Y-%m-%d")
            for day, part in frame.groupby(days, sort=True):
                _write(part, target / f"day={day}" / "part-0.parquet")
        written[table.name] = len(frame)
    return written


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
