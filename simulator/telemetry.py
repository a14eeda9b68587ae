"""IT and device telemetry for AI operations.

* Interface engine: per hospital, interface and 15-minute interval, messages
  processed, mean lag and queue depth. The ``interface_outage`` scenario stops one
  interface for hours (messages queue up, lag grows), then the backlog drains.
* Bedside monitors (one per ICU and step-down bed): hourly heartbeats received out of
  the 60 expected, and error counts. Failures are preceded by hours of degradation
  (missed heartbeats and errors rising), then the device is offline until replaced;
  the failure times are ground truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.demand import HOUR_SHAPE

MINUTE_NS = 60_000_000_000
HOUR_NS = 60 * MINUTE_NS
INTERVAL_MINUTES = 15
INTERFACES = {"adt": 40.0, "lab": 90.0, "vitals": 160.0, "ed": 35.0}  # messages per 15 min, mean
FAILURES_PER_DEVICE_DAY = 1 / 150
OUTAGE_HOURS = 6.0


def interface_metrics(
    rng: np.random.Generator,
    hospital_ids: list[str],
    beds: list[int],
    start_ns: int,
    days: int,
    outage_start_ns: int = -1,
) -> pd.DataFrame:
    """One row per hospital, interface and 15-minute interval."""
    n = days * 24 * 60 // INTERVAL_MINUTES
    at = start_ns + np.arange(n, dtype=np.int64) * INTERVAL_MINUTES * MINUTE_NS
    hour = (np.arange(n) * INTERVAL_MINUTES // 60) % 24
    frames = []
    for h, hospital_id in enumerate(hospital_ids):
        for interface, mean in INTERFACES.items():
            rate = mean * beds[h] / 120 * HOUR_SHAPE[hour] ** 0.5
            arriving = rng.poisson(rate)
            lag = rng.lognormal(np.log(2.5), 0.5, n)
            queue = rng.poisson(2, n)
            processed = arriving.copy()
            if outage_start_ns >= 0 and h == 0 and interface == "vitals":
                down = (at >= outage_start_ns) & (
                    at < outage_start_ns + int(OUTAGE_HOURS * HOUR_NS)
                )
                backlog = np.cumsum(np.where(down, arriving, 0))
                drained = np.flatnonzero(~down & (at >= outage_start_ns))[:8]
                processed = np.where(down, 0, processed)
                if len(drained):
                    processed[drained] += backlog[-1] // len(drained)
                queue = np.where(down, backlog, queue)
                lag = np.where(down, (at - outage_start_ns) / 1e9 + 60, lag)
                lag[drained] = OUTAGE_HOURS * 3600 / 2
            frames.append(
                pd.DataFrame(
                    {
                        "hospital_id": hospital_id,
                        "interface_name": interface,
                        "interval_start_ns": at,
                        "messages_processed": processed,
                        "mean_lag_seconds": np.round(lag, 2),
                        "queue_depth": queue,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def device_heartbeats(
    rng: np.random.Generator, devices: pd.DataFrame, start_ns: int, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly heartbeats per device, and the ground truth of failures.

    ``devices`` has ``device_id``, ``hospital_id``, ``unit_id``, ``monitor_model``.
    """
    hours = days * 24
    n_dev = len(devices)
    health = np.ones((n_dev, hours))
    truth = []
    for d in range(n_dev):
        n_fail = rng.poisson(FAILURES_PER_DEVICE_DAY * days)
        for fail_hour in np.sort(rng.integers(48, max(hours, 49), n_fail)):
            lead = int(rng.uniform(6, 48))
            down = int(rng.uniform(4, 24))
            first = max(fail_hour - lead, 0)
            health[d, first:fail_hour] = np.minimum(
                health[d, first:fail_hour], np.linspace(0.95, 0.35, fail_hour - first)
            )
            health[d, fail_hour : fail_hour + down] = 0.0
            truth.append(
                (
                    devices["device_id"].iat[d],
                    start_ns + first * HOUR_NS,
                    start_ns + int(fail_hour) * HOUR_NS,
                    start_ns + int(fail_hour + down) * HOUR_NS,
                )
            )
    received = rng.binomial(60, np.clip(health * 0.998, 0, 1))
    errors = rng.poisson(0.05 + 6 * (1 - health) * (health > 0))
    frame = pd.DataFrame(
        {
            "device_id": np.repeat(devices["device_id"].to_numpy(), hours),
            "hospital_id": np.repeat(devices["hospital_id"].to_numpy(), hours),
            "unit_id": np.repeat(devices["unit_id"].to_numpy(), hours),
            "hour_start_ns": np.tile(start_ns + np.arange(hours, dtype=np.int64) * HOUR_NS, n_dev),
            "heartbeats_expected": 60,
            "heartbeats_received": received.ravel(),
            "error_count": errors.ravel(),
        }
    )
    failures = pd.DataFrame(
        truth, columns=["device_id", "degradation_start_ns", "failed_ns", "restored_ns"]
    )
    return frame, failures
