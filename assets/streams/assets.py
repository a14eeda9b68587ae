"""Stream outputs as assets: what the Bytewax flows landed, loaded into `raw`.

`raw/news2_alerts` and `raw/news2_scores` are raw feeds (assets/raw); this family adds
the flow's other outputs. An output the flow did not produce in a run (no dead letters,
say) is loaded as an empty table with the flow's schema, so downstream models and the
health checks always find it.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import pyarrow as pa

from assets.raw.assets import WAREHOUSE_POOL, load_parquet
from assets.resources import LandingZoneResource, WarehouseResource
from streams.census_flow import CENSUS_SCHEMAS
from streams.news2_flow import (
    ACKNOWLEDGEMENT_SCHEMA,
    ALERT_SCHEMA,
    DEAD_LETTER_SCHEMA,
    ESCALATION_SCHEMA,
)
from streams.ops_flow import OPS_SCHEMAS

STREAMS_GROUP = "streams"
STREAMS_OWNER = "team:clinical-informatics"
NEWS2_OUTPUT_DIR = "streams/news2"
CENSUS_OUTPUT_DIR = "streams/census"
OPS_OUTPUT_DIR = "streams/ops"


@dataclass(frozen=True)
class StreamOutput:
    name: str
    folder: str  # relative to the landing zone
    schema: pa.Schema
    description: str


STREAM_OUTPUTS = (
    StreamOutput(
        "news2_sepsis_alerts",
        f"{NEWS2_OUTPUT_DIR}/sepsis_alerts",
        ALERT_SCHEMA,
        "Sepsis-screen alerts from the early-warning dataflow: qSOFA >= 2, or >= 1 with "
        "lactate >= 2 mmol/L (Sepsis-3, Singer et al. JAMA 2016). One row per alert.",
    ),
    StreamOutput(
        "news2_escalations",
        f"{NEWS2_OUTPUT_DIR}/escalations",
        ESCALATION_SCHEMA,
        "Alerts not acknowledged in time (30 min for high, 60 min for medium NEWS2 bands, "
        "RCP 2017 response triggers), escalated by the dataflow. One row per escalation.",
    ),
    StreamOutput(
        "news2_acknowledgements",
        f"{NEWS2_OUTPUT_DIR}/acknowledgements",
        ACKNOWLEDGEMENT_SCHEMA,
        "Acknowledgements of medium, high and sepsis alerts (the nurse's answer to the page), "
        "matched to their alert by the early-warning dataflow, in time or after escalation; "
        "on simulated data the acknowledgements come from simulator.nurse_response. One row "
        "per acknowledged alert; empty when no acknowledgement feed ran.",
    ),
    StreamOutput(
        "news2_dead_letters",
        f"{NEWS2_OUTPUT_DIR}/dead_letters",
        DEAD_LETTER_SCHEMA,
        "Readings the early-warning dataflow rejected (malformed, impossible value, late), "
        "each with its reason. One row per rejected reading.",
    ),
    StreamOutput(
        "census_occupancy",
        f"{CENSUS_OUTPUT_DIR}/occupancy",
        CENSUS_SCHEMAS["occupancy"],
        "Unit census and occupancy (census / staffed beds) after every ADT event, from the "
        "live census dataflow. One row per unit per ADT event that changed it.",
    ),
    StreamOutput(
        "census_capacity_alerts",
        f"{CENSUS_OUTPUT_DIR}/capacity_alerts",
        CENSUS_SCHEMAS["capacity_alerts"],
        "Units reaching the occupancy threshold (default 95 %), from the live census "
        "dataflow. One row per crossing.",
    ),
    StreamOutput(
        "census_boarding_alerts",
        f"{CENSUS_OUTPUT_DIR}/boarding_alerts",
        CENSUS_SCHEMAS["boarding_alerts"],
        "Admitted ED patients boarding longer than 4 h after the admit decision (CMS ED-2 "
        "interval), from the live census dataflow. One row per boarding patient.",
    ),
    StreamOutput(
        "ops_anomaly_scores",
        f"{OPS_OUTPUT_DIR}/anomaly_scores",
        OPS_SCHEMAS["anomaly_scores"],
        "Anomaly score in [0, 1] of every point of every operational series (interface lag, "
        "queue depth and volume per interface; missed-heartbeat share and errors per "
        "bedside monitor), from the ops dataflow's online hour-of-day seasonal median/MAD "
        "detector (clinical.anomaly). One row per series per interval.",
    ),
    StreamOutput(
        "ops_incidents",
        f"{OPS_OUTPUT_DIR}/incidents",
        OPS_SCHEMAS["incidents"],
        "Operational incidents opened and closed by the ops dataflow on its anomaly scores, "
        "with start, end, severity (warning / critical by peak robust z) and whether the "
        "input ended with the incident open. One row per incident. Written by `vigil demo` "
        "and `vigil stream --flow ops`.",
    ),
)


def _stream_output_asset(output: StreamOutput) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", output.name],
        description=f"{output.description} Loaded from `$VIGIL_HOME/landing/{output.folder}`.",
        group_name=STREAMS_GROUP,
        owners=[STREAMS_OWNER],
        kinds={"bytewax", "parquet", "duckdb"},
        pool=WAREHOUSE_POOL,
    )
    def _asset(warehouse: WarehouseResource, landing: LandingZoneResource) -> dg.MaterializeResult:
        files = landing.parquet_files(output.folder)
        with warehouse.connect() as connection:
            if files:
                rows = load_parquet(connection, f"raw.{output.name}", files)
            else:
                empty = output.schema.empty_table()
                connection.execute("create schema if not exists raw")
                connection.register("empty_output", empty)
                connection.execute(
                    f"create or replace table raw.{output.name} as select * from empty_output"
                )
                rows = 0
        return dg.MaterializeResult(
            metadata={"dagster/row_count": rows, "files": len(files), "source": output.folder}
        )

    return _asset


stream_assets = [_stream_output_asset(output) for output in STREAM_OUTPUTS]
