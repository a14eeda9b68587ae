"""Stream health: dead-letter rate and event-time lag of the early-warning flow's outputs.

Both read the landed Parquet directly (no warehouse lock), so they can run while the
warehouse is busy.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pyarrow.compute as pc
import pyarrow.dataset as ds

from assets.resources import LandingZoneResource
from assets.streams.assets import NEWS2_OUTPUT_DIR

MAX_DEAD_LETTER_RATE = 0.01
MAX_EVENT_TIME_LAG = timedelta(hours=1)


def _rows(landing: LandingZoneResource, folder: str) -> int:
    files = landing.parquet_files(folder)
    return ds.dataset(files).count_rows() if files else 0


def _latest(landing: LandingZoneResource, folder: str, column: str):
    files = landing.parquet_files(folder)
    if not files:
        return None
    return pc.max(ds.dataset(files).to_table(columns=[column])[column]).as_py()


@dg.asset_check(
    asset=dg.AssetKey(["raw", "news2_dead_letters"]),
    description=f"Dead-letter rate of the early-warning flow (rejected / records in) is at "
    f"most {MAX_DEAD_LETTER_RATE:.0%}; above it, a feed or an interface is sending bad data.",
)
def news2_dead_letter_rate_check(landing: LandingZoneResource) -> dg.AssetCheckResult:
    dead = _rows(landing, f"{NEWS2_OUTPUT_DIR}/dead_letters")
    records_in = dead + _rows(landing, f"{NEWS2_OUTPUT_DIR}/scores")
    rate = dead / records_in if records_in else 0.0
    return dg.AssetCheckResult(
        passed=rate <= MAX_DEAD_LETTER_RATE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"dead_letters": dead, "records_in": records_in, "dead_letter_rate": rate},
    )


@dg.asset_check(
    asset=dg.AssetKey(["raw", "news2_scores"]),
    description="Event-time lag of the early-warning flow: the latest scored observation is "
    f"within {MAX_EVENT_TIME_LAG} of the latest landed vital sign.",
)
def news2_stream_lag_check(landing: LandingZoneResource) -> dg.AssetCheckResult:
    landed = _latest(landing, "vitals", "observed_at")
    scored = _latest(landing, f"{NEWS2_OUTPUT_DIR}/scores", "observed_at")
    if landed is None or scored is None:
        return dg.AssetCheckResult(
            passed=False, metadata={"reason": "no landed vitals or no scores yet"}
        )
    lag = landed - scored
    return dg.AssetCheckResult(
        passed=lag <= MAX_EVENT_TIME_LAG,
        metadata={
            "lag_minutes": lag.total_seconds() / 60,
            "latest_vital_at": str(landed),
            "latest_score_at": str(scored),
        },
    )


stream_checks = [news2_dead_letter_rate_check, news2_stream_lag_check]
