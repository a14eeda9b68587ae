"""Intake assets: the accounting and the rejects of the last `vigil ingest` load.

The adapters (``ingest/``) land a hospital's HL7 v2, FHIR R4 or Synthea files in the
contract's tables, which the raw assets load as they load simulated feeds. These two
assets bring the intake's own records into the warehouse: one row per load with its
counts (``raw.intake_batches``) and one row per rejected record and rule
(``raw.intake_rejects``). Both are empty when the data comes from the simulator.
"""

from __future__ import annotations

import dagster as dg

from assets.raw.assets import WAREHOUSE_POOL, load_parquet
from assets.resources import LandingZoneResource, WarehouseResource
from contract.schema import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    REJECTS_TABLE,
    TABLES_BY_NAME,
    TIMESTAMP,
)
from contract.validate import REJECT_COLUMNS
from ingest.landing import BATCHES_TABLE

INGEST_OWNER = "team:data-platform"
BATCH_COLUMNS = {
    "source": "varchar",
    "loaded_at": "timestamp",
    "messages_in": "bigint",
    "messages_loaded": "bigint",
    "messages_rejected": "bigint",
    "messages_skipped": "bigint",
    "records_in": "bigint",
    "records_loaded": "bigint",
    "records_rejected": "bigint",
}


def _load_or_empty(connection, table: str, files, columns: dict[str, str]) -> int:
    if files:
        return load_parquet(connection, table, files)
    connection.execute("create schema if not exists raw")
    listed = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    connection.execute(f"create or replace table {table} ({listed})")
    return 0


@dg.asset(
    key=["raw", BATCHES_TABLE],
    description="One row per intake load (`vigil ingest hl7v2|fhir|synthea`): messages in, "
    "loaded, rejected and skipped, records in, loaded and rejected. Empty for simulated data.",
    group_name="ingest",
    owners=[INGEST_OWNER],
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
)
def intake_batches(
    warehouse: WarehouseResource, landing: LandingZoneResource
) -> dg.MaterializeResult:
    files = landing.parquet_files(BATCHES_TABLE)
    with warehouse.connect() as connection:
        rows = _load_or_empty(connection, f"raw.{BATCHES_TABLE}", files, BATCH_COLUMNS)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "files": len(files)})


@dg.asset(
    key=["raw", REJECTS_TABLE],
    description="Records the intake rejected, one row per record and broken rule (parse, "
    "required, type, code_format, allowed_value, range, duplicate_key, time_order, "
    "referential_integrity), with the pseudonymised record. Never the source text.",
    group_name="ingest",
    owners=[INGEST_OWNER],
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
)
def intake_rejects(
    warehouse: WarehouseResource, landing: LandingZoneResource
) -> dg.MaterializeResult:
    files = landing.parquet_files(REJECTS_TABLE)
    columns = {column: "varchar" for column in REJECT_COLUMNS}
    with warehouse.connect() as connection:
        rows = _load_or_empty(connection, f"raw.{REJECTS_TABLE}", files, columns)
        by_rule = dict(
            connection.execute(
                f"select rule, count(*) from raw.{REJECTS_TABLE} group by rule order by rule"
            ).fetchall()
        )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": rows, **{f"rule {k}": v for k, v in by_rule.items()}}
    )


DUCKDB_TYPES = {INTEGER: "bigint", FLOAT: "double", BOOLEAN: "boolean", TIMESTAMP: "timestamp"}
# Optional contract tables loaded from the landing zone: the simulator writes them (coded
# from each stay's MS-DRG) and HL7 v2 / FHIR / Synthea intake fills them.
EHR_ONLY_TABLES = ("diagnoses", "procedures")


def _optional_table_asset(name: str) -> dg.AssetsDefinition:
    table = TABLES_BY_NAME[name]

    @dg.asset(
        key=["raw", name],
        description=f"Optional contract table: {table.grain} (from HL7 v2, FHIR or Synthea "
        f"intake). Loaded from `$VIGIL_HOME/landing/{name}`; empty when the source has none, "
        "so the metrics that need it are null rather than failing.",
        group_name="ingest",
        owners=[INGEST_OWNER],
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
    )
    def _asset(warehouse: WarehouseResource, landing: LandingZoneResource) -> dg.MaterializeResult:
        files = landing.parquet_files(name)
        columns = {c.name: DUCKDB_TYPES.get(c.dtype, "varchar") for c in table.columns}
        with warehouse.connect() as connection:
            rows = _load_or_empty(connection, f"raw.{name}", files, columns)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "files": len(files)})

    return _asset


ingest_assets = [
    intake_batches,
    intake_rejects,
    *(_optional_table_asset(name) for name in EHR_ONLY_TABLES),
]
