"""A sensor that materializes the stream-output assets when the flow lands new files."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.resources import LandingZoneResource
from assets.streams.assets import (
    CENSUS_OUTPUT_DIR,
    NEWS2_OUTPUT_DIR,
    OPS_OUTPUT_DIR,
    STREAM_OUTPUTS,
)

STREAM_OUTPUT_KEYS = [
    dg.AssetKey(["raw", "news2_alerts"]),
    dg.AssetKey(["raw", "news2_scores"]),
    *(dg.AssetKey(["raw", output.name]) for output in STREAM_OUTPUTS),
]
STREAM_TARGET = dg.AssetSelection.assets(*STREAM_OUTPUT_KEYS) | dg.AssetSelection.assets(
    dg.AssetKey(["staging", "stg_streams__news2_alerts"]),
    dg.AssetKey(["staging", "stg_streams__news2_escalations"]),
    dg.AssetKey(["staging", "stg_streams__news2_acknowledgements"]),
)


def landed_signature(landing_dir: Path) -> dict[str, int]:
    """Number of output files and the newest modification time under the flows' outputs."""
    files = [
        *(landing_dir / NEWS2_OUTPUT_DIR).glob("*/*.parquet"),
        *(landing_dir / CENSUS_OUTPUT_DIR).glob("*/*.parquet"),
        *(landing_dir / OPS_OUTPUT_DIR).glob("*/*.parquet"),
    ]
    newest = max((f.stat().st_mtime_ns for f in files), default=0)
    return {"files": len(files), "newest_ns": newest}


@dg.sensor(
    name="news2_stream_sensor",
    target=STREAM_TARGET,
    minimum_interval_seconds=30,
    description="When the early-warning, census or ops flow lands new output files, materialize "
    "the stream-output assets and the staging models that read the alerts, escalations and "
    "acknowledgements.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def news2_stream_sensor(context: dg.SensorEvaluationContext, landing: LandingZoneResource):
    signature = landed_signature(Path(landing.path))
    if signature["files"] == 0:
        return dg.SkipReason("the early-warning flow has landed nothing yet")
    if context.cursor and json.loads(context.cursor) == signature:
        return dg.SkipReason("no new stream output since the last run")
    context.update_cursor(json.dumps(signature))
    return dg.RunRequest(run_key=f"news2-{signature['newest_ns']}-{signature['files']}")
