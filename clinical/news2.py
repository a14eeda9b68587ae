"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017).

Source: Royal College of Physicians. *National Early Warning Score (NEWS) 2:
Standardising the assessment of acute-illness severity in the NHS.* Updated report
of a working party. London: RCP, 2017 (chart 1: the NEWS2 scoring system; chart 2:
thresholds and triggers).

Seven parameters are scored 0-3 and summed. SpO2 has two scales: scale 1 for most
patients, scale 2 for patients with hypercapnic respiratory failure (target 88-92 %),
on which high saturations score only when the patient is on supplemental oxygen.

Clinical-risk bands (RCP chart 2): low (aggregate 0-4), low-medium (a score of 3 in
any single parameter, aggregate below 5), medium (aggregate 5-6), high (7 or more).

One definition serves both paths: the score tables below drive the scalar scorer
(:func:`score`) used per observation and the vectorised kernel
(:func:`score_arrays`) used by the stream layer on micro-batches.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

PARAMETERS = (
    "respiration_rate",
    "spo2",
    "on_supplemental_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)

# Each table: the inclusive upper bound of each band and the score of each band; the
# last score applies above the last bound. A value between two printed integer bands
# belongs to the higher one (a pulse of 90.5 exceeds 90, so it scores as 91-110).
ScoreTable = tuple[tuple[float, ...], tuple[int, ...]]

RESPIRATION_RATE = ((8, 11, 20, 24), (3, 1, 0, 2, 3))
SPO2_SCALE_1 = ((91, 93, 95), (3, 2, 1, 0))
# Scale 2 below 93 % (air or oxygen); at 93 % and above it depends on oxygen.
SPO2_SCALE_2_LOW = ((83, 85, 87, 92), (3, 2, 1, 0, 0))
SPO2_SCALE_2_ON_OXYGEN_HIGH = ((94, 96), (1, 2, 3))
SYSTOLIC_BP = ((90, 100, 110, 219), (3, 2, 1, 0, 3))
PULSE = ((40, 50, 90, 110, 130), (3, 1, 0, 1, 2, 3))
TEMPERATURE = ((35.0, 36.0, 38.0, 39.0), (3, 1, 0, 1, 2))
SUPPLEMENTAL_OXYGEN_SCORE = 2
NEW_CONFUSION_OR_VPU_SCORE = 3
CONSCIOUSNESS_LEVELS = ("A", "C", "V", "P", "U")  # ACVPU; C = new confusion

# Physiologically possible ranges. A value outside is an artefact or a unit error
# (a temperature of 98.6 is Fahrenheit) and is rejected, never scored.
PLAUSIBLE_RANGES: dict[str, tuple[float, float]] = {
    "respiration_rate": (0, 80),
    "spo2": (40, 100),
    "systolic_bp": (30, 300),
    "pulse": (0, 300),
    "temperature": (25.0, 45.0),
}


class Band(IntEnum):
    """RCP clinical-risk band, ordered so that a higher band compares greater."""

    LOW = 0
    LOW_MEDIUM = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return BAND_LABELS[self]


BAND_LABELS = {
    Band.LOW: "low",
    Band.LOW_MEDIUM: "low-medium",
    Band.MEDIUM: "medium",
    Band.HIGH: "high",
}


class InvalidObservation(ValueError):
    """An observation set that cannot be scored; the message says why."""


@dataclass(frozen=True)
class ObservationSet:
    """One complete set of bedside observations."""

    respiration_rate: float
    spo2: float
    on_supplemental_oxygen: bool
    systolic_bp: float
    pulse: float
    consciousness: str
    temperature: float
    spo2_scale: int = 1


@dataclass(frozen=True)
class News2Result:
    respiration_rate: int
    spo2: int
    on_supplemental_oxygen: int
    systolic_bp: int
    pulse: int
    consciousness: int
    temperature: int

    @property
    def subscores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PARAMETERS}

    @property
    def total(self) -> int:
        return sum(self.subscores.values())

    @property
    def band(self) -> Band:
        return band_for(self.total, max(self.subscores.values()))


def _lookup(table: ScoreTable, value: float) -> int:
    bounds, scores = table
    return scores[bisect_left(bounds, value)]


def band_for(total: int, max_subscore: int) -> Band:
    """RCP chart 2 band from the aggregate and the highest single-parameter score."""
    if total >= 7:
        return Band.HIGH
    if total >= 5:
        return Band.MEDIUM
    if max_subscore >= 3:
        return Band.LOW_MEDIUM
    return Band.LOW


def spo2_subscore(spo2: float, on_oxygen: bool, scale: int) -> int:
    if scale == 1:
        return _lookup(SPO2_SCALE_1, spo2)
    if scale == 2:
        if spo2 < 93 or not on_oxygen:
            return _lookup(SPO2_SCALE_2_LOW, spo2)
        return _lookup(SPO2_SCALE_2_ON_OXYGEN_HIGH, spo2)
    raise InvalidObservation(f"spo2_scale must be 1 or 2, got {scale!r}")


def check_values(values: Mapping[str, Any], spo2_scale: int = 1) -> None:
    """Raise :class:`InvalidObservation` for the first impossible value among ``values``.

    Checks only the parameters present, so a partial observation (one vital charted
    alone) can be validated; :func:`validate` also requires all seven.
    """
    for name, (low, high) in PLAUSIBLE_RANGES.items():
        if name in values and not low <= float(values[name]) <= high:
            raise InvalidObservation(
                f"{name}={values[name]} is outside the plausible range {low}-{high}"
            )
    if "consciousness" in values and values["consciousness"] not in CONSCIOUSNESS_LEVELS:
        raise InvalidObservation(
            f"consciousness={values['consciousness']!r} is not one of "
            f"{', '.join(CONSCIOUSNESS_LEVELS)}"
        )
    oxygen = values.get("on_supplemental_oxygen", False)
    if not isinstance(oxygen, bool | np.bool_):
        raise InvalidObservation(f"on_supplemental_oxygen={oxygen!r} is not true or false")
    if spo2_scale not in (1, 2):
        raise InvalidObservation(f"spo2_scale must be 1 or 2, got {spo2_scale!r}")


def is_missing(value: Any) -> bool:
    """None or NaN: a parameter that was not measured."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def validate(obs: ObservationSet) -> None:
    """Raise :class:`InvalidObservation` naming the first missing or impossible value."""
    for name in PARAMETERS:
        if is_missing(getattr(obs, name)):
            raise InvalidObservation(f"{name} is missing")
    check_values({name: getattr(obs, name) for name in PARAMETERS}, obs.spo2_scale)


def score(obs: ObservationSet) -> News2Result:
    """Score one observation set (RCP 2017 chart 1). Raises on invalid input."""
    validate(obs)
    return News2Result(
        respiration_rate=_lookup(RESPIRATION_RATE, obs.respiration_rate),
        spo2=spo2_subscore(obs.spo2, bool(obs.on_supplemental_oxygen), obs.spo2_scale),
        on_supplemental_oxygen=SUPPLEMENTAL_OXYGEN_SCORE if obs.on_supplemental_oxygen else 0,
        systolic_bp=_lookup(SYSTOLIC_BP, obs.systolic_bp),
        pulse=_lookup(PULSE, obs.pulse),
        consciousness=0 if obs.consciousness == "A" else NEW_CONFUSION_OR_VPU_SCORE,
        temperature=_lookup(TEMPERATURE, obs.temperature),
    )


def _lookup_array(
    table: tuple[tuple[float, ...], tuple[int, ...]], values: np.ndarray
) -> np.ndarray:
    bounds, scores = table
    return np.asarray(scores, dtype=np.int8)[
        np.searchsorted(np.asarray(bounds), values, side="left")
    ]


def score_arrays(
    respiration_rate: np.ndarray,
    spo2: np.ndarray,
    on_supplemental_oxygen: np.ndarray,
    systolic_bp: np.ndarray,
    pulse: np.ndarray,
    alert: np.ndarray,
    temperature: np.ndarray,
    spo2_scale_2: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Vectorised NEWS2 over already-validated columns.

    ``alert`` is True where consciousness is A; ``spo2_scale_2`` is True for patients
    on scale 2. Returns int8 sub-score arrays keyed like :data:`PARAMETERS`, plus
    ``total`` and ``band`` (the :class:`Band` value).
    """
    oxygen = np.asarray(on_supplemental_oxygen, dtype=bool)
    spo2 = np.asarray(spo2)
    spo2_score = _lookup_array(SPO2_SCALE_1, spo2)
    if spo2_scale_2 is not None and np.any(spo2_scale_2):
        scale2 = np.where(
            (spo2 >= 93) & oxygen,
            _lookup_array(SPO2_SCALE_2_ON_OXYGEN_HIGH, spo2),
            _lookup_array(SPO2_SCALE_2_LOW, spo2),
        )
        spo2_score = np.where(np.asarray(spo2_scale_2, dtype=bool), scale2, spo2_score)
    subscores = {
        "respiration_rate": _lookup_array(RESPIRATION_RATE, respiration_rate),
        "spo2": spo2_score.astype(np.int8),
        "on_supplemental_oxygen": (oxygen * SUPPLEMENTAL_OXYGEN_SCORE).astype(np.int8),
        "systolic_bp": _lookup_array(SYSTOLIC_BP, systolic_bp),
        "pulse": _lookup_array(PULSE, pulse),
        "consciousness": np.where(np.asarray(alert, dtype=bool), 0, 3).astype(np.int8),
        "temperature": _lookup_array(TEMPERATURE, temperature),
    }
    stacked = np.stack(list(subscores.values()))
    total = stacked.sum(axis=0, dtype=np.int16)
    worst = stacked.max(axis=0)
    band = np.select(
        [total >= 7, total >= 5, worst >= 3],
        [Band.HIGH, Band.MEDIUM, Band.LOW_MEDIUM],
        default=Band.LOW,
    ).astype(np.int8)
    return {**subscores, "total": total, "band": band}
