"""Online anomaly detection for univariate operational series (AIOps).

One interface for any series: feed ``(timestamp, value)`` pairs in arrival order to
:meth:`SeasonalRobustDetector.score` and get an anomaly score in [0, 1], using only the
past (no look-ahead), so the same detector runs in a dataflow and on public benchmark
series (e.g. the Numenta Anomaly Benchmark's CSVs, which use this `timestamp,value` form).

Method: a seasonal baseline with robust deviation. The season (default one day) is cut
into slots (default 24, one per hour); each slot keeps its last ``history`` values and
the detector compares a new value with that slot's median, scaled by the median absolute
deviation (MAD x 1.4826, a consistent estimator of the standard deviation for normal
data: Rousseeuw & Croux, JASA 1993). Until a slot has ``min_history`` values (default 16), the
non-seasonal recent window stands in. The robust z-score ``z`` becomes a score by the
two-sided normal probability ``erf(z / sqrt(2))``: 0.683 at 1 MAD-sigma, 0.997 at 3.

:class:`IncidentTracker` turns scores into incidents with start, end and severity:
open at ``open_score`` or above, close after ``close_after`` consecutive points below
``close_score``; severity is ``critical`` when the peak robust z reaches
``critical_z``, else ``warning``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

MAD_TO_SIGMA = 1.4826


@dataclass
class SeasonalRobustDetector:
    """Per-series online detector; picklable state, so a dataflow can recover it."""

    season: timedelta = timedelta(days=1)
    slots: int = 24
    history: int = 64
    min_history: int = 16
    recent: int = 64
    scale_floor: float = 1e-6  # absolute floor on the deviation scale
    relative_floor: float = 0.01  # floor as a share of |median|, for near-constant series
    _by_slot: dict[int, deque[float]] = field(default_factory=dict, repr=False)
    _recent: deque[float] = field(default_factory=deque, repr=False)
    last_z: float = 0.0

    def __post_init__(self) -> None:
        self._recent = deque(self._recent, maxlen=self.recent)

    def slot_of(self, timestamp: datetime) -> int:
        seconds = timestamp.timestamp() % self.season.total_seconds()
        return int(seconds // (self.season.total_seconds() / self.slots))

    def score(self, timestamp: datetime, value: float) -> float:
        """Score ``value`` against the past, then learn it. NaN values score 0, unlearned."""
        if value is None or math.isnan(value):
            self.last_z = 0.0
            return 0.0
        slot = self._by_slot.setdefault(self.slot_of(timestamp), deque(maxlen=self.history))
        reference = slot if len(slot) >= self.min_history else self._recent
        if len(reference) < self.min_history:
            z = 0.0
        else:
            center = median(reference)
            mad = median(abs(x - center) for x in reference)
            scale = max(MAD_TO_SIGMA * mad, self.relative_floor * abs(center), self.scale_floor)
            z = abs(value - center) / scale
        slot.append(value)
        self._recent.append(value)
        self.last_z = z
        return math.erf(z / math.sqrt(2.0))


@dataclass
class IncidentTracker:
    """Opens and closes incidents from a detector's scores on one series."""

    series: str
    open_score: float = 0.999
    close_score: float = 0.99
    close_after: int = 3
    critical_z: float = 6.0
    _open: dict[str, Any] | None = None
    _quiet: int = 0

    def update(self, timestamp: datetime, score: float, z: float) -> dict[str, Any] | None:
        """Feed one scored point; return the incident when one closes, else None."""
        if self._open is None:
            if score >= self.open_score:
                self._open = {"series": self.series, "started_at": timestamp, "peak_z": z}
                self._quiet = 0
            return None
        self._open["peak_z"] = max(self._open["peak_z"], z)
        self._quiet = self._quiet + 1 if score < self.close_score else 0
        if self._quiet < self.close_after:
            return None
        return self.close(timestamp)

    def close(self, timestamp: datetime) -> dict[str, Any] | None:
        """Close the open incident (if any) at ``timestamp``, e.g. at the end of a replay."""
        if self._open is None:
            return None
        incident, self._open = self._open, None
        peak = incident.pop("peak_z")
        return {
            **incident,
            "ended_at": timestamp,
            "severity": "critical" if peak >= self.critical_z else "warning",
            "peak_z": round(peak, 3),
        }
