"""End to end: `vigil ingest hl7v2 --build` on the fixtures, then no identifier anywhere.

Builds the whole graph (raw, dbt staging and marts, models) from ingested data, then
searches the warehouse (every schema), the landing zone, the Dagster and dbt logs and
every other file under VIGIL_HOME, and the command's output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest

from tests.ingest.conftest import FIXTURES, IDENTIFIERS, TEST_KEY
from tests.ingest.test_privacy import parquet_text, warehouse_text


def wait_for_warehouse(path, seconds: float = 180.0) -> None:
    """Worker processes of the run (dbt, training) may hold the lock a moment after exit."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            duckdb.connect(str(path), read_only=True).close()
            return
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


@pytest.mark.integration
def test_built_platform_holds_no_identifier(tmp_path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_PSEUDONYM_KEY": TEST_KEY}
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", "ingest", "hl7v2", str(FIXTURES / "hl7v2"), "--build"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    log = result.stdout + result.stderr
    assert "assets materialized" in log, log[-3000:]
    wait_for_warehouse(home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        schemas = {
            row[0]
            for row in connection.execute("select schema_name from duckdb_schemas()").fetchall()
        }
    assert {"raw", "staging", "marts"} <= schemas

    places = {"output": log, "warehouse": warehouse_text(home / "warehouse.duckdb")}
    for path in sorted(home.rglob("*")):
        if not path.is_file() or path.suffix in {".duckdb", ".wal"}:
            continue
        if path.suffix == ".parquet":
            places[str(path.relative_to(home))] = parquet_text(path)
        else:
            places[str(path.relative_to(home))] = path.read_bytes().decode("utf-8", "replace")
    assert any("dagster" in place for place in places)
    leaks = [
        (identifier, place)
        for identifier in IDENTIFIERS
        for place, text in places.items()
        if identifier.lower() in text.lower()
    ]
    assert leaks == []
