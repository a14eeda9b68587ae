"""Raw assets: each landed Parquet feed loaded as is into the warehouse's `raw` schema.

Event feeds landed by day (``<feed>/day=YYYY-MM-DD/``) are daily-partitioned assets:
materializing a day (or a range of days, in one run) replaces exactly those days' rows,
tagged by their ``landing_day``. Reference feeds are replaced whole.
"""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.raw.partitions import DAY_FOLDER_PREFIX, LANDING_DAYS
from assets.resources import LandingZoneResource, WarehouseResource

WAREHOUSE_POOL = "warehouse"


@dataclass(frozen=True)
class Feed:
    name: str
    folder: str  # relative to the landing zone
    group: str
    description: str
    owner: str
    # Landed as <folder>/day=YYYY-MM-DD/: the asset is partitioned by landing day.
    daily: bool = False


EHR_OWNER = "team:data-platform"
FEEDS = (
    Feed("hospitals", "hospitals", "raw", "Hospitals of the network with staffed beds.", EHR_OWNER),
    Feed(
        "units",
        "units",
        "raw",
        "Inpatient units (ICU, step-down, medical-surgical) and beds.",
        EHR_OWNER,
    ),
    Feed(
        "patients",
        "patients",
        "raw",
        "Patients: age, sex, Charlson index, payer, ZIP3. Pseudonymous.",
        EHR_OWNER,
    ),
    Feed(
        "encounters",
        "encounters",
        "raw",
        "Inpatient encounters from admission to discharge.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "adt_events",
        "adt_events",
        "raw",
        "ADT events: HL7 A01 admit, A02 transfer, A03 discharge.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "vitals",
        "vitals",
        "raw",
        "Charted vital-sign observation sets (NEWS2 parameters).",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "ed_visits",
        "ed_visits",
        "raw",
        "Emergency department visits: ESI triage, provider, decision and departure times.",
        EHR_OWNER,
        daily=True,
    ),
    Feed("payers", "payers", "raw", "Payers and their base rate per DRG weight.", EHR_OWNER),
    Feed("ms_drgs", "ms_drgs", "raw", "MS-DRG catalog: relative weights, mean LOS.", EHR_OWNER),
    Feed(
        "weather_daily",
        "weather_daily",
        "raw",
        "Daily temperature at each hospital (external feed that shifts ED demand).",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "elective_cancellations",
        "elective_cancellations",
        "raw",
        "Elective admissions cancelled on the day for want of a bed.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "lab_results",
        "lab_results",
        "raw",
        "Lab results (LOINC): white cells, creatinine, lactate, with order and result times.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "clinical_events",
        "clinical_events",
        "raw",
        "Clinical events: rapid response, ICU transfer, arrest, death, sepsis, falls, HAIs.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "line_episodes",
        "line_episodes",
        "raw",
        "Central-line and urinary-catheter episodes (NHSN device days).",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "claims",
        "claims",
        "raw",
        "Institutional claims per discharge: charges, expected reimbursement, replacements.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "remittances",
        "remittances",
        "raw",
        "Payer remittances (X12 835): paid amount, denial with CARC code, adjustment.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "nurse_shifts",
        "nurse_shifts",
        "raw",
        "Nurse staffing per unit and 12-hour shift: census, required, overtime, agency.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "unit_costs_daily",
        "unit_costs_daily",
        "raw",
        "Unit costs per day: patient days, nursing and supplies cost.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "interface_metrics",
        "interface_metrics",
        "raw",
        "Interface-engine metrics per 15 minutes: messages, lag, queue depth.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "devices",
        "devices",
        "raw",
        "Bedside monitors per ICU and step-down bed, with their model.",
        EHR_OWNER,
    ),
    Feed(
        "device_heartbeats",
        "device_heartbeats",
        "raw",
        "Bedside-monitor heartbeats and errors per device and hour.",
        EHR_OWNER,
        daily=True,
    ),
    Feed(
        "news2_alerts",
        "streams/news2/alerts",
        "streams",
        "Early-warning alerts raised by the NEWS2 Bytewax dataflow (RCP 2017 bands).",
        "team:clinical-informatics",
    ),
    Feed(
        "news2_scores",
        "streams/news2/scores",
        "streams",
        "NEWS2 score and sub-scores for every observation the dataflow processed.",
        "team:clinical-informatics",
    ),
)


LANDING_DAY_COLUMN = "landing_day"


def _files_sql(files: list[Path]) -> str:
    return ", ".join(f"'{f.as_posix()}'" for f in files)


def load_parquet(connection, table: str, files: list[Path]) -> int:
    """Replace ``table`` with the union of ``files`` (by column name); return its row count."""
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create or replace table {table} as select * from "
        f"read_parquet([{_files_sql(files)}], union_by_name = true, hive_partitioning = false)"
    )
    return connection.execute(f"select count(*) from {table}").fetchone()[0]


def _columns(connection, relation: str) -> dict[str, str]:
    return {row[0]: row[1] for row in connection.execute(f"describe {relation}").fetchall()}


def load_days(connection, table: str, files: list[Path], first_day: str, last_day: str) -> int:
    """Replace the rows of ``table`` landed from ``first_day`` to ``last_day`` with ``files``.

    ``files`` sit in ``day=YYYY-MM-DD`` folders; each row keeps its folder's day as
    ``landing_day``, so reloading a day replaces it instead of duplicating it. Columns
    new in the landed files are added to the table (older days read null). Returns the
    rows loaded.
    """
    connection.execute("create schema if not exists raw")
    connection.execute("begin transaction")
    try:
        connection.execute(
            "create or replace temp view incoming as select * exclude (day), "
            f"cast(day as date) as {LANDING_DAY_COLUMN} from read_parquet("
            f"[{_files_sql(files)}], union_by_name = true, hive_partitioning = true)"
        )
        schema, name = table.split(".")
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
        if exists and LANDING_DAY_COLUMN not in _columns(connection, table):
            connection.execute(f"drop table {table}")  # loaded whole before partitioning
            exists = 0
        if not exists:
            connection.execute(f"create table {table} as select * from incoming where false")
        present = _columns(connection, table)
        for column, column_type in _columns(connection, "incoming").items():
            if column not in present:
                connection.execute(f'alter table {table} add column "{column}" {column_type}')
        connection.execute(
            f"delete from {table} where {LANDING_DAY_COLUMN} between ? and ?",
            [first_day, last_day],
        )
        connection.execute(f"insert into {table} by name select * from incoming")
        loaded = connection.execute("select count(*) from incoming").fetchone()[0]
        connection.execute("drop view incoming")
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return loaded


def _column_schema(connection, table: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=column, type=column_type)
            for column, column_type in _columns(connection, table).items()
        ]
    )


def _missing_feed_error(landing: LandingZoneResource, feed: Feed, what: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"no Parquet files under {landing.path}/{feed.folder}{what}: "
        "run `vigil simulate` (and `vigil stream` for stream outputs) first"
    )


def _load_feed_asset(feed: Feed) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", feed.name],
        description=f"{feed.description} Loaded from `$VIGIL_HOME/landing/{feed.folder}`"
        + (", one partition per landed day." if feed.daily else "."),
        group_name=feed.group,
        owners=[feed.owner],
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
    )
    def _asset(warehouse: WarehouseResource, landing: LandingZoneResource) -> dg.MaterializeResult:
        files = landing.parquet_files(feed.folder)
        if not files:
            raise _missing_feed_error(landing, feed, "")
        with warehouse.connect() as connection:
            rows = load_parquet(connection, f"raw.{feed.name}", files)
            schema = _column_schema(connection, f"raw.{feed.name}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "dagster/column_schema": schema,
                "files": len(files),
                "source": f"{landing.path}/{feed.folder}",
            }
        )

    return _asset


def _load_daily_feed_asset(feed: Feed) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", feed.name],
        description=f"{feed.description} Loaded from `$VIGIL_HOME/landing/{feed.folder}`, "
        "one partition per landed day (a range of days loads in one run).",
        group_name=feed.group,
        owners=[feed.owner],
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
        partitions_def=LANDING_DAYS,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def _asset(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        landing: LandingZoneResource,
    ) -> dg.MaterializeResult:
        days = context.partition_keys
        files = [
            path
            for day in days
            for path in landing.parquet_files(f"{feed.folder}/{DAY_FOLDER_PREFIX}{day}")
        ]
        if not files:
            raise _missing_feed_error(landing, feed, f" for {days[0]}..{days[-1]}")
        with warehouse.connect() as connection:
            loaded = load_days(connection, f"raw.{feed.name}", files, days[0], days[-1])
            rows = connection.execute(f"select count(*) from raw.{feed.name}").fetchone()[0]
            schema = _column_schema(connection, f"raw.{feed.name}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "rows_loaded": loaded,
                "dagster/column_schema": schema,
                "days": len(days),
                "files": len(files),
                "source": f"{landing.path}/{feed.folder}",
            }
        )

    return _asset


raw_assets = [
    _load_daily_feed_asset(feed) if feed.daily else _load_feed_asset(feed) for feed in FEEDS
]
