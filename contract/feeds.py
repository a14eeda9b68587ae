"""Optional operational feeds of the contract: ED visits, safety events, staffing, costs,
telemetry. A hospital that lacks one leaves it out; the metrics that read it are null.
"""

from __future__ import annotations

from contract.schema_types import (
    FLOAT,
    INTEGER,
    STRING,
    TIMESTAMP,
    Column,
    Table,
)

_PATIENT = Column("patient_id", STRING, "patient", references="patients.patient_id")
_ENCOUNTER = Column("encounter_id", STRING, "encounter", references="encounters.encounter_id")
_HOSPITAL = Column("hospital_id", STRING, "hospital", references="hospitals.hospital_id")
_UNIT = Column("unit_id", STRING, "unit", references="units.unit_id")

OPTIONAL_FEEDS: tuple[Table, ...] = (
    Table(
        "ed_visits",
        "one row per emergency department visit",
        "ed_visit_id",
        (
            Column("ed_visit_id", STRING, "ED visit, keyed pseudonym"),
            _PATIENT,
            _HOSPITAL,
            Column("arrived_at", TIMESTAMP, "arrival (door) time, UTC"),
            Column("arrival_mode", STRING, "walk_in, ambulance, ...", required=False),
            Column(
                "esi_level",
                INTEGER,
                "Emergency Severity Index v4 (AHRQ)",
                False,
                minimum=1,
                maximum=5,
            ),
            Column("provider_seen_at", TIMESTAMP, "first provider contact, UTC", required=False),
            Column("disposition_decided_at", TIMESTAMP, "disposition decision, UTC", False),
            Column("departed_at", TIMESTAMP, "departure from the ED, UTC", required=False),
            Column(
                "disposition",
                STRING,
                "admitted, discharged, transferred, left_without_being_seen (CMS OP-22)",
                required=False,
            ),
        ),
        required=False,
        event_time="arrived_at",
        ordering=(("arrived_at", "provider_seen_at"), ("arrived_at", "departed_at")),
    ),
    Table(
        "clinical_events",
        "one row per safety or deterioration event (rapid response, arrest, fall, ...)",
        "clinical_event_id",
        (
            Column("clinical_event_id", STRING, "event, keyed pseudonym"),
            _ENCOUNTER,
            _PATIENT,
            _HOSPITAL,
            Column("unit_id", STRING, "unit", required=False, references="units.unit_id"),
            Column("event_type", STRING, "event type (lowercase)", pattern=r"^[a-z][a-z_]*$"),
            Column("event_at", TIMESTAMP, "event time, UTC"),
        ),
        required=False,
        event_time="event_at",
    ),
    Table(
        "line_episodes",
        "one row per device episode (central line, urinary catheter): NHSN device days",
        "line_episode_id",
        (
            Column("line_episode_id", STRING, "device episode, keyed pseudonym"),
            _ENCOUNTER,
            _PATIENT,
            _HOSPITAL,
            Column("unit_id", STRING, "unit", required=False, references="units.unit_id"),
            Column("device_type", STRING, "central_line, urinary_catheter (NHSN)"),
            Column("inserted_at", TIMESTAMP, "insertion, UTC"),
            Column("removed_at", TIMESTAMP, "removal, UTC; null in place", required=False),
        ),
        required=False,
        event_time="inserted_at",
        ordering=(("inserted_at", "removed_at"),),
    ),
    Table(
        "nurse_shifts",
        "one row per unit per shift (staffing)",
        "nurse_shift_id",
        (
            Column("nurse_shift_id", STRING, "shift"),
            _UNIT,
            _HOSPITAL,
            Column("shift_date", TIMESTAMP, "shift day"),
            Column("shift_name", STRING, "day, night, ..."),
            Column("patient_census", INTEGER, "patients at shift start", False, minimum=0),
            Column("nurses_required", INTEGER, "nurses required by ratio", False, minimum=0),
            Column("regular_hours", FLOAT, "regular nursing hours (HPPD numerator)", minimum=0),
            Column("overtime_hours", FLOAT, "overtime nursing hours", False, minimum=0),
            Column("agency_hours", FLOAT, "agency nursing hours", False, minimum=0),
        ),
        required=False,
        event_time="shift_date",
    ),
    Table(
        "unit_costs_daily",
        "one row per unit per day (direct costs, HFMA)",
        ("unit_id", "cost_date"),
        (
            _UNIT,
            _HOSPITAL,
            Column("cost_date", TIMESTAMP, "day"),
            Column("patient_days", INTEGER, "patient days", False, minimum=0),
            Column("nursing_cost_usd", FLOAT, "nursing cost", False, minimum=0),
            Column("supplies_cost_usd", FLOAT, "supplies cost", False, minimum=0),
        ),
        required=False,
        event_time="cost_date",
    ),
    Table(
        "interface_metrics",
        "one row per interface per interval (integration engine telemetry)",
        ("hospital_id", "interface_name", "interval_start_at"),
        (
            _HOSPITAL,
            Column("interface_name", STRING, "adt, lab, vitals, ed, ..."),
            Column("messages_processed", INTEGER, "messages in the interval", minimum=0),
            Column("mean_lag_seconds", FLOAT, "mean delivery lag", False, minimum=0),
            Column("queue_depth", INTEGER, "queued messages", False, minimum=0),
            Column("interval_start_at", TIMESTAMP, "interval start, UTC"),
        ),
        required=False,
        event_time="interval_start_at",
    ),
    Table(
        "devices",
        "one row per bedside monitor",
        "device_id",
        (
            Column("device_id", STRING, "device"),
            _HOSPITAL,
            _UNIT,
            Column("monitor_model", STRING, "model", required=False),
        ),
        required=False,
    ),
    Table(
        "device_heartbeats",
        "one row per device per hour (telemetry)",
        ("device_id", "hour_start_at"),
        (
            Column("device_id", STRING, "device", references="devices.device_id"),
            _HOSPITAL,
            _UNIT,
            Column("heartbeats_expected", INTEGER, "expected heartbeats", minimum=0),
            Column("heartbeats_received", INTEGER, "received heartbeats", minimum=0),
            Column("error_count", INTEGER, "device errors", False, minimum=0),
            Column("hour_start_at", TIMESTAMP, "hour start, UTC"),
        ),
        required=False,
        event_time="hour_start_at",
    ),
    Table(
        "weather_daily",
        "one row per hospital per day (external demand driver)",
        ("hospital_id", "weather_date"),
        (
            _HOSPITAL,
            Column("weather_date", TIMESTAMP, "day"),
            Column("mean_temperature_celsius", FLOAT, "daily mean temperature", required=False),
            Column("max_temperature_celsius", FLOAT, "daily maximum temperature", required=False),
        ),
        required=False,
        event_time="weather_date",
    ),
)
