"""Demand: daily weather and the emergency department's arrival process.

ED arrivals are a non-homogeneous Poisson process with a piecewise-constant hourly
rate: base rate x hour-of-day x day-of-week x season (a winter respiratory surge
peaking mid-January) x temperature effect (heat and cold both bring more visits)
x scenario multipliers. Each hour's count is Poisson and arrival instants are uniform
within the hour, which is exact for a piecewise-constant rate. Vectorized: no loop
per arrival.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.config import NetworkConfig

# ED arrivals by hour of day (relative), low at 04-06 and peaking late morning to
# evening, the shape reported in NHAMCS ED summaries and ED operations literature.
HOUR_SHAPE = np.array(
    [
        0.55,
        0.45,
        0.40,
        0.36,
        0.34,
        0.36,
        0.48,
        0.70,
        0.95,
        1.20,
        1.35,
        1.40,
        1.40,
        1.38,
        1.35,
        1.32,
        1.30,
        1.30,
        1.28,
        1.22,
        1.12,
        0.98,
        0.82,
        0.67,
    ]
)
HOUR_SHAPE = HOUR_SHAPE / HOUR_SHAPE.mean()
# Monday busiest, weekends quieter (Monday=0).
DOW_SHAPE = np.array([1.10, 1.03, 1.00, 0.99, 0.98, 0.94, 0.96])
DOW_SHAPE = DOW_SHAPE / DOW_SHAPE.mean()
SURGE_PEAK_DAY_OF_YEAR = 20
SURGE_WIDTH_DAYS = 35.0
SURGE_AMPLITUDE = 0.15


def respiratory_season(days: pd.DatetimeIndex) -> np.ndarray:
    """Seasonal respiratory intensity in [0, 1], peaking mid-January (CDC FluView)."""
    doy = days.dayofyear.to_numpy()
    distance = np.minimum(
        np.abs(doy - SURGE_PEAK_DAY_OF_YEAR), 365 - np.abs(doy - SURGE_PEAK_DAY_OF_YEAR)
    )
    return np.exp(-0.5 * (distance / SURGE_WIDTH_DAYS) ** 2)


def weather(
    rng: np.random.Generator, config: NetworkConfig, hospital_ids: list[str]
) -> pd.DataFrame:
    """Daily mean temperature per hospital: a seasonal curve plus AR(1) weather noise."""
    days = pd.date_range(config.start, periods=config.days, freq="D")
    doy = days.dayofyear.to_numpy()
    frames = []
    for h, hospital_id in enumerate(hospital_ids):
        mean_c = 13.0 + 1.5 * h - 11.5 * np.cos(2 * np.pi * (doy - 20) / 365.25)
        shocks = rng.normal(0, 2.2, len(days))
        noise = np.zeros(len(days))
        for i in range(1, len(days)):
            noise[i] = 0.7 * noise[i - 1] + shocks[i]
        frames.append(
            pd.DataFrame(
                {
                    "hospital_id": hospital_id,
                    "weather_date": days.date,
                    "mean_temperature_celsius": np.round(mean_c + noise, 1),
                    "max_temperature_celsius": np.round(
                        mean_c + noise + rng.uniform(3, 8, len(days)), 1
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def temperature_effect(mean_c: np.ndarray) -> np.ndarray:
    """ED demand multiplier: +1.2 % per degree above 24 C, +0.6 % per degree below 0 C."""
    return 1 + 0.012 * np.maximum(mean_c - 24, 0) + 0.006 * np.maximum(0 - mean_c, 0)


@dataclass(frozen=True)
class Arrivals:
    at_ns: np.ndarray  # int64 epoch nanoseconds, sorted
    crowding: np.ndarray  # arrivals in the trailing 3 h over their mean (per arrival)


def ed_arrivals(
    rng: np.random.Generator,
    start: pd.Timestamp,
    daily_rate: float,
    day_multiplier: np.ndarray,
) -> Arrivals:
    """Arrival instants over the days of ``day_multiplier``, ``daily_rate`` a day on average."""
    n_days = len(day_multiplier)
    days = pd.date_range(start, periods=n_days, freq="D")
    dow = DOW_SHAPE[days.dayofweek.to_numpy()]
    hourly = (daily_rate / 24) * np.outer(day_multiplier * dow, HOUR_SHAPE).ravel()
    counts = rng.poisson(hourly)
    hour_index = np.repeat(np.arange(len(counts)), counts)
    offsets = (hour_index + rng.random(len(hour_index))) * 3_600e9
    at_ns = start.value + np.sort(offsets).astype(np.int64)
    trailing = np.convolve(counts, np.ones(3), mode="full")[: len(counts)]
    expected = np.convolve(hourly, np.ones(3), mode="full")[: len(hourly)]
    crowding = (trailing / np.maximum(expected, 1e-9))[np.sort(hour_index)]
    return Arrivals(at_ns=at_ns, crowding=crowding)
