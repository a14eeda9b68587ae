"""Audit trail `monitoring.retraining_events` and alerts table `monitoring.run_failure_alerts`.

Retraining events, one row each, linked by ``drift_result_id``:

- ``retrain_requested``: a result passed a threshold; the sensor asked for a run.
- ``suppressed_by_cooldown``: a result passed a threshold inside the cooldown.
- ``regate_requested``: the post-drift labels of a drift-triggered retrain have
  matured; the re-gate sensor asked for one more retrain of that drift.
- ``run_succeeded`` / ``run_failed`` / ``run_canceled``: how the retrain run ended.
- ``gate_decision``: the promotion gate's verdict on the new version (promoted or
  kept as challenger), with the gate's reasons; the new version's and the old
  champion's primary metric on the retrain's holdout, and on its rows from the drifted
  day on (post-drift data neither model trained on), when there are enough.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

RETRAINING_EVENTS_DDL = """
create schema if not exists monitoring;
create table if not exists monitoring.retraining_events (
    retraining_event_id varchar primary key,
    model_name varchar not null,
    event_type varchar not null,
    event_at timestamp not null,
    drift_result_id varchar,
    partition_date date,
    run_id varchar,
    model_version varchar,
    champion_version varchar,
    is_promoted boolean,
    reasons varchar
);
alter table monitoring.retraining_events add column if not exists primary_metric varchar;
alter table monitoring.retraining_events add column if not exists new_version_score double;
alter table monitoring.retraining_events add column if not exists old_champion_score double;
alter table monitoring.retraining_events add column if not exists post_drift_rows integer;
alter table monitoring.retraining_events
    add column if not exists post_drift_new_version_score double;
alter table monitoring.retraining_events
    add column if not exists post_drift_old_champion_score double;
"""

RUN_FAILURE_ALERTS_DDL = """
create schema if not exists monitoring;
create table if not exists monitoring.run_failure_alerts (
    run_id varchar primary key,
    job_name varchar not null,
    failed_at timestamp not null,
    message varchar,
    dagster_run_url varchar,
    is_webhook_delivered boolean not null,
    webhook_error varchar
);
"""

EVENT_TYPES = (
    "retrain_requested",
    "suppressed_by_cooldown",
    "regate_requested",
    "run_succeeded",
    "run_failed",
    "run_canceled",
    "gate_decision",
)


@dataclass(frozen=True)
class RetrainingEvent:
    model_name: str
    event_type: str
    event_at: datetime
    drift_result_id: str | None = None
    partition_date: date | None = None
    run_id: str | None = None
    model_version: str | None = None
    champion_version: str | None = None
    is_promoted: bool | None = None
    reasons: str | None = None
    primary_metric: str | None = None
    new_version_score: float | None = None
    old_champion_score: float | None = None
    post_drift_rows: int | None = None
    post_drift_new_version_score: float | None = None
    post_drift_old_champion_score: float | None = None

    def __post_init__(self) -> None:
        if self.event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event_type!r}; one of {EVENT_TYPES}")

    @property
    def retraining_event_id(self) -> str:
        """Deterministic: the same event recorded twice (a retried tick) keeps one row."""
        key = (
            f"{self.model_name}|{self.event_type}|{self.drift_result_id}|{self.run_id}"
            f"|{self.model_version}"
        )
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def row(self) -> dict[str, Any]:
        return {"retraining_event_id": self.retraining_event_id, **asdict(self)}


@dataclass(frozen=True)
class RunFailureAlert:
    run_id: str
    job_name: str
    failed_at: datetime
    message: str
    dagster_run_url: str

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body (Slack-style ``text`` plus the fields)."""
        return {
            "text": f"Vigil job {self.job_name} failed (run {self.run_id}): {self.message}",
            "run_id": self.run_id,
            "job_name": self.job_name,
            "failed_at": self.failed_at.isoformat(),
            "message": self.message,
            "dagster_run_url": self.dagster_run_url,
        }

    def row(self, delivered: bool, webhook_error: str | None) -> dict[str, Any]:
        return {
            **asdict(self),
            "is_webhook_delivered": delivered,
            "webhook_error": webhook_error,
        }


def upsert_sql(table: str, key: str, row: dict[str, Any]) -> str:
    """Insert ``row`` unless a row with the same ``key`` exists (idempotent retries)."""
    return (
        f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))}) "
        f"on conflict ({key}) do nothing"
    )
