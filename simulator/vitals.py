"""Charted vital-sign observation sets, vectorized over every stay segment.

Charting frequency follows the unit (nursing observation policies behind NEWS2, RCP
2017): ICU hourly, step-down every 1-2 h, wards and maternity every 4-8 h. Values
move with the patient's baseline sickness, with the latent deterioration severity
(ramping from onset to the adverse event, so early warning is possible but
imperfect) and with sepsis (fever, tachycardia, tachypnoea, hypotension). Some
readings are missing and a few are artefacts (a slipped SpO2 probe, a doubled pulse).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOUR_NS = 3_600_000_000_000
# Mean charting interval in hours and its jitter, by unit type.
CHARTING_HOURS = {
    "icu": (1.0, 0.1),
    "stepdown": (1.5, 0.3),
    "medsurg": (6.0, 0.3),
    "maternity": (6.0, 0.3),
}
ACVPU_ALTERED = np.array(["C", "V", "P", "U"])


@dataclass(frozen=True)
class Stays:
    """Stay segments (one per bed held) with per-encounter clinical state, as arrays."""

    encounter: np.ndarray  # encounter number
    unit_type: np.ndarray  # str
    unit_id: np.ndarray  # str
    start_ns: np.ndarray
    end_ns: np.ndarray
    sick: np.ndarray  # baseline sickness of the encounter
    onset_ns: np.ndarray  # deterioration onset, or -1
    event_ns: np.ndarray  # deterioration event, or -1
    sepsis_ns: np.ndarray  # sepsis onset, or -1
    spo2_scale: np.ndarray
    drift_from_ns: np.ndarray  # device drift start for the unit's monitors, or -1


def observation_times(
    rng: np.random.Generator, stays: Stays, end_ns: int
) -> tuple[np.ndarray, np.ndarray]:
    """(segment index, observed_at ns) of every charted observation set before ``end_ns``."""
    mean_h = np.array([CHARTING_HOURS[u][0] for u in stays.unit_type])
    jitter = np.array([CHARTING_HOURS[u][1] for u in stays.unit_type])
    until = np.minimum(stays.end_ns, end_ns)
    span_h = np.maximum(until - stays.start_ns, 0) / HOUR_NS
    counts = np.ceil(span_h / mean_h).astype(np.int64)
    segment = np.repeat(np.arange(len(counts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(len(segment)) - first
    step = k + 0.5 + rng.uniform(-1, 1, len(segment)) * jitter[segment]
    at = stays.start_ns[segment] + (step * mean_h[segment] * HOUR_NS).astype(np.int64)
    keep = at < until[segment]
    return segment[keep], at[keep]


def charted_vitals(rng: np.random.Generator, stays: Stays, end_ns: int) -> pd.DataFrame:
    """One row per observation set; ``encounter`` and ``segment`` columns for joining."""
    seg, at = observation_times(rng, stays, end_ns)
    n = len(seg)
    sick = stays.sick[seg]
    onset, event = stays.onset_ns[seg], stays.event_ns[seg]
    ramp = np.where(
        (onset >= 0) & (at >= onset),
        np.clip((at - onset) / np.maximum(event - onset, 1), 0, 1),
        0.0,
    )
    ramp = np.where((onset >= 0) & (at > event + 6 * HOUR_NS), 0.4, ramp)
    sepsis_at = stays.sepsis_ns[seg]
    sepsis = np.where(
        (sepsis_at >= 0) & (at >= sepsis_at), np.clip((at - sepsis_at) / (6 * HOUR_NS), 0, 1), 0.0
    )
    scale2 = stays.spo2_scale[seg] == 2
    noise = rng.standard_normal((6, n))
    rr = np.round(16 + 1.5 * sick + 9 * ramp + 5 * sepsis + 2 * noise[0]).clip(4, 60)
    spo2 = np.round(97 - 1.2 * sick - 6 * ramp - 2 * sepsis - 5 * scale2 + 1.3 * noise[1])
    drift = stays.drift_from_ns[seg]
    spo2 = (spo2 + 2 * ((drift >= 0) & (at >= drift))).clip(60, 100)
    sbp = np.round(128 - 5 * sick - 32 * ramp - 16 * sepsis + 13 * noise[2]).clip(50, 240)
    pulse = np.round(78 + 6 * sick + 32 * ramp + 20 * sepsis + 10 * noise[3]).clip(30, 200)
    temp = np.round(36.8 + 0.2 * sick + 0.3 * ramp + 1.6 * sepsis + 0.35 * noise[4], 1).clip(33, 42)
    u = rng.random((5, n))
    oxygen = u[0] < 0.04 + 0.1 * np.maximum(sick, 0) + 0.6 * ramp + 0.2 * scale2
    altered = u[1] < 0.003 + 0.01 * np.maximum(sick, 0) + 0.35 * ramp**2
    consciousness = np.where(
        altered, ACVPU_ALTERED[(u[2] * 4 * (0.3 + 0.7 * ramp)).astype(int)], "A"
    )
    # Artefacts: a slipped probe reads low SpO2; a doubled pulse count.
    spo2 = np.where(u[3] < 0.002, np.round(55 + 25 * u[4]), spo2)
    pulse = np.where((u[3] > 0.999) & (pulse < 100), pulse * 2, pulse)
    missing = rng.random((3, n))
    temp = np.where(missing[0] < 0.03, np.nan, temp)
    sbp = np.where(missing[1] < 0.01, np.nan, sbp)
    rr = np.where(missing[2] < 0.008, np.nan, rr)
    return pd.DataFrame(
        {
            "encounter": stays.encounter[seg],
            "unit_id": stays.unit_id[seg],
            "observed_ns": at,
            "respiration_rate": rr,
            "spo2": spo2,
            "on_supplemental_oxygen": oxygen,
            "systolic_bp": sbp,
            "pulse": pulse,
            "consciousness": consciousness,
            "temperature": temp,
            "spo2_scale": stays.spo2_scale[seg].astype(np.int64),
        }
    )
