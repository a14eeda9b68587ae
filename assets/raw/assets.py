"""Raw assets: each landed Parquet feed loaded as is into the warehouse's `raw` schema."""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.resources import LandingZoneResource, WarehouseResource

WAREHOUSE_POOL = "warehouse"


@dataclass(frozen=True)
class Feed:
    name: str
    folder: str  # relative to the landing zone
    group: str
    description: str
    owner: str


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
    ),
    Feed(
        "adt_events",
        "adt_events",
        "raw",
        "ADT events: HL7 A01 admit, A02 transfer, A03 discharge.",
        EHR_OWNER,
    ),
    Feed(
        "vitals",
        "vitals",
        "raw",
        "Charted vital-sign observation sets (NEWS2 parameters).",
        EHR_OWNER,
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


def load_parquet(connection, table: str, files: list[Path]) -> int:
    """Replace ``table`` with the union of ``files`` (by column name); return its row count."""
    paths = ", ".join(f"'{f.as_posix()}'" for f in files)
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create or replace table {table} as "
        f"select * from read_parquet([{paths}], union_by_name = true, hive_partitioning = false)"
    )
    return connection.execute(f"select count(*) from {table}").fetchone()[0]


def _load_feed_asset(feed: Feed) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", feed.name],
        description=f"{feed.description} Loaded from `$VIGIL_HOME/landing/{feed.folder}`.",
        group_name=feed.group,
        owners=[feed.owner],
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
    )
    def _asset(warehouse: WarehouseResource, landing: LandingZoneResource) -> dg.MaterializeResult:
        files = landing.parquet_files(feed.folder)
        if not files:
            raise FileNotFoundError(
                f"no Parquet files under {landing.path}/{feed.folder}: "
                "run `vigil simulate` (and `vigil stream` for stream outputs) first"
            )
        with warehouse.connect() as connection:
            rows = load_parquet(connection, f"raw.{feed.name}", files)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "files": len(files),
                "source": f"{landing.path}/{feed.folder}",
            }
        )

    return _asset


raw_assets = [_load_feed_asset(feed) for feed in FEEDS]
