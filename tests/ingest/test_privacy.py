"""No input identifier reaches the landing zone, the warehouse or the logs.

Runs `vigil ingest` for every format as a user would (a separate process, output
captured as the log), loads the landing zone into a DuckDB warehouse the way the raw
assets do, then looks for every identifier written into the fixtures in every value
of every Parquet file, every warehouse table, every other file under VIGIL_HOME and
the command's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.ingest.conftest import FIXTURES, IDENTIFIERS, TEST_KEY


def run_ingest(home: Path, source_format: str, path: Path) -> str:
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_PSEUDONYM_KEY": TEST_KEY}
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "ingest", source_format, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def parquet_text(path: Path) -> str:
    table = pq.read_table(path)
    return "\n".join(str(value) for column in table.columns for value in column.to_pylist())


def warehouse_text(path: Path) -> str:
    values = []
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        for schema, name in tables:
            for row in connection.execute(f'select * from "{schema}"."{name}"').fetchall():
                values.extend(str(value) for value in row)
    return "\n".join(values)


def load_warehouse(landing: Path, warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists raw")
        for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
            files = sorted(folder.rglob("*.parquet"))
            if files:
                listed = ", ".join(f"'{f}'" for f in files)
                connection.execute(
                    f'create or replace table raw."{folder.name}" as select * from '
                    f"read_parquet([{listed}], union_by_name = true)"
                )


@pytest.mark.parametrize("source_format", ["hl7v2", "fhir", "synthea"])
def test_no_identifier_survives_intake(tmp_path, source_format) -> None:
    home = tmp_path / "home"
    log = run_ingest(home, source_format, FIXTURES / source_format)
    landing = home / "landing"
    load_warehouse(landing, home / "warehouse.duckdb")
    (home / "ingest.log").write_text(log)

    places = {"log": log, "warehouse": warehouse_text(home / "warehouse.duckdb")}
    for path in sorted(home.rglob("*")):
        if path.suffix == ".parquet":
            places[str(path.relative_to(home))] = parquet_text(path)
        elif path.is_file() and path.suffix != ".duckdb":
            places[str(path.relative_to(home))] = path.read_bytes().decode("utf-8", "replace")
    assert any(name.startswith("landing/vitals") for name in places)
    leaks = [
        (identifier, place)
        for identifier in IDENTIFIERS
        for place, text in places.items()
        if identifier.lower() in text.lower()
    ]
    assert leaks == []


def test_the_identifiers_are_really_in_the_fixtures() -> None:
    """Guards the test above: it must look for strings the input does contain."""
    text = "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for path in FIXTURES.rglob("*")
        if path.is_file()
    )
    assert [identifier for identifier in IDENTIFIERS if identifier not in text] == []
