"""The intake's reject rate, as an asset check on the last load's accounting."""

from __future__ import annotations

import dagster as dg

from assets.resources import WarehouseResource
from ingest.intake import MAX_REJECT_RATE, reject_rates
from ingest.landing import BATCHES_TABLE


@dg.asset_check(
    asset=dg.AssetKey(["raw", BATCHES_TABLE]),
    description=f"Share of rejected messages (and of rejected records) in the last intake "
    f"load is at most {MAX_REJECT_RATE:.0%}; above it, an interface mapping or a feed is "
    "broken. See raw.intake_rejects for the rule and record of each reject.",
)
def intake_reject_rate_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as connection:
        cursor = connection.execute(f"select * from raw.{BATCHES_TABLE}")
        columns = [d[0] for d in cursor.description]
        batches = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    if not batches:
        return dg.AssetCheckResult(passed=True, metadata={"batches": 0, "note": "no intake load"})
    rates = [reject_rates(batch) for batch in batches]
    worst = max(max(rate.values()) for rate in rates)
    batch = batches[-1]
    return dg.AssetCheckResult(
        passed=worst <= MAX_REJECT_RATE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "source": batch["source"],
            "messages_in": batch["messages_in"],
            "messages_rejected": batch["messages_rejected"],
            "records_rejected": batch["records_rejected"],
            **{name: float(value) for name, value in rates[-1].items()},
            "max_reject_rate": MAX_REJECT_RATE,
        },
    )


ingest_checks = [intake_reject_rate_check]
