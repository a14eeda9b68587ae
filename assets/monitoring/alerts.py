"""Run-failure alerts: any failed Vigil run lands in `monitoring.run_failure_alerts`,
the log, and (when configured) a webhook."""

import logging
import time
from datetime import UTC, datetime

import dagster as dg

from assets.monitoring.sensors import WAREHOUSE_BUSY
from assets.resources import WarehouseResource
from monitoring.audit import RUN_FAILURE_ALERTS_DDL, RunFailureAlert, upsert_sql
from monitoring.webhook import post_json

logger = logging.getLogger("vigil.alerts")
WRITE_ATTEMPTS = 10


class AlertsResource(dg.ConfigurableResource):
    """Where run-failure alerts go besides the table and the log.

    ``webhook_url``: an HTTP endpoint receiving a JSON POST per failed run (Slack-style
    ``text`` plus fields); empty disables it. ``dagster_ui_url`` builds the run links.
    """

    webhook_url: str = ""
    dagster_ui_url: str = "http://127.0.0.1:3000"
    timeout_seconds: float = 5.0


def record_alert(warehouse: WarehouseResource, row: dict) -> None:
    """Insert the alert, waiting out a busy warehouse (another run may hold the lock)."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with warehouse.connect(wait_seconds=0) as connection:
                connection.execute(RUN_FAILURE_ALERTS_DDL)
                connection.execute(
                    upsert_sql("monitoring.run_failure_alerts", "run_id", row), list(row.values())
                )
            return
        except WAREHOUSE_BUSY:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(1.0)


def failure_message(context: dg.RunFailureSensorContext) -> str:
    """The run's failure plus each failed step's error, so the alert says what broke."""
    parts = [context.failure_event.message or "run failed"]
    for event in context.get_step_failure_events():
        error = event.event_specific_data.error
        while error is not None and error.cause is not None:
            error = error.cause  # Dagster wraps the user's exception: report the root
        if error is not None:
            parts.append(f"{event.step_key}: {error.cls_name}: {error.message.strip()}")
    return " | ".join(parts)


@dg.run_failure_sensor(
    name="vigil_run_failure_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every failed Vigil run: an ERROR in the log, a row of `monitoring.run_failure_alerts`, "
        "and a POST to the alerts webhook when one is configured (VIGIL_ALERT_WEBHOOK_URL)."
    ),
)
def vigil_run_failure_sensor(
    context: dg.RunFailureSensorContext, warehouse: WarehouseResource, alerts: AlertsResource
) -> None:
    run = context.dagster_run
    alert = RunFailureAlert(
        run_id=run.run_id,
        job_name=run.job_name,
        failed_at=datetime.now(UTC).replace(tzinfo=None),
        message=failure_message(context)[:2000],
        dagster_run_url=f"{alerts.dagster_ui_url}/runs/{run.run_id}",
    )
    logger.error(alert.payload()["text"])
    context.log.error(alert.payload()["text"])
    error = None
    if alerts.webhook_url:
        error = post_json(alerts.webhook_url, alert.payload(), alerts.timeout_seconds)
        if error:
            logger.error(f"alert webhook {alerts.webhook_url} not delivered: {error}")
    record_alert(
        warehouse,
        alert.row(delivered=bool(alerts.webhook_url) and error is None, webhook_error=error),
    )
