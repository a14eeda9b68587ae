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

:meth:`SeasonalRobustDetector.score_batch` and :meth:`IncidentTracker.update_batch` do
the same for a run of points at once (a dataflow's columnar micro-batch): same state,
same results bit for bit, point after point; the windows are medians of numpy arrays.

Timestamps are UTC: a naive ``datetime`` is read as UTC (never as the machine's zone).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

import numpy as np

MAD_TO_SIGMA = 1.4826
SQRT2 = math.sqrt(2.0)
BATCH_MIN = 4  # runs shorter than this are scored point by point (same results)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(timestamp: datetime) -> float:
    """Seconds since 1970-01-01 UTC; a naive timestamp is UTC."""
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    return (timestamp - _EPOCH).total_seconds()


def _medians(windows: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and median absolute deviation of each row's last ``lengths[i]`` values
    (rows right-aligned after NaN padding), as :func:`statistics.median` computes them:
    the middle value, or ``(a + b) / 2`` of the two middle values."""
    rows = np.arange(len(windows))
    half = lengths // 2
    odd = lengths % 2 == 1

    def middle(values: np.ndarray) -> np.ndarray:
        ordered = np.sort(values, axis=1)  # NaN (the padding) sorts last
        high = ordered[rows, half]
        low = ordered[rows, np.maximum(half - 1, 0)]
        return np.where(odd, high, (low + high) / 2)

    center = middle(windows)
    return center, middle(np.abs(windows - center[:, None]))


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
        seconds = epoch_seconds(timestamp) % self.season.total_seconds()
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
        return math.erf(z / SQRT2)

    def score_batch(
        self, timestamps: np.ndarray, values: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and robust z of a run of points (``datetime64`` or epoch seconds, and
        floats), in order: exactly what :meth:`score` gives point after point, and the
        same state after."""
        values = np.asarray(values, dtype=float)
        n = len(values)
        scores, zs = np.zeros(n), np.zeros(n)
        stamps = np.asarray(timestamps)
        is_datetime = np.issubdtype(stamps.dtype, np.datetime64)
        if n < BATCH_MIN and is_datetime:  # a few points: array set-up costs more than it saves
            moments = stamps.astype("datetime64[us]").tolist()
            for i, (moment, value) in enumerate(zip(moments, values.tolist(), strict=True)):
                scores[i] = self.score(moment, value)
                zs[i] = self.last_z
            return scores, zs
        learned = np.flatnonzero(~np.isnan(values))
        if len(learned) == 0:
            self.last_z = 0.0
            return scores, zs
        if is_datetime:
            stamps = stamps.astype("datetime64[us]").astype(np.int64) / 1e6
        season = self.season.total_seconds()
        value = values[learned]
        slot = ((stamps[learned] % season) // (season / self.slots)).astype(np.int64)
        m = len(value)
        # recent window of each point: the last `recent` learned values before it
        past = np.fromiter(self._recent, float, len(self._recent))
        padded = np.concatenate([np.full(self.recent, np.nan), past, value])
        recent_rows = np.lib.stride_tricks.sliding_window_view(padded, self.recent)
        recent_windows = recent_rows[len(past) : len(past) + m]
        recent_len = np.minimum(len(past) + np.arange(m), self.recent)
        # slot window: the last `history` values of the point's slot before it
        order = np.argsort(slot, kind="stable")
        keys, firsts = np.unique(slot[order], return_index=True)
        groups = [
            (int(key), order[a:b])
            for key, a, b in zip(
                keys.tolist(), firsts.tolist(), [*firsts[1:].tolist(), m], strict=True
            )
        ]
        pieces, where, slot_len = [], np.empty(m, np.int64), np.empty(m, np.int64)
        offset = 0
        for key, mine in groups:
            history = self._by_slot.get(key, ())
            segment = [np.full(self.history, np.nan), np.fromiter(history, float), value[mine]]
            start = offset + len(history)
            where[mine] = start + np.arange(len(mine))
            slot_len[mine] = np.minimum(len(history) + np.arange(len(mine)), self.history)
            pieces += segment
            offset += self.history + len(history) + len(mine)
        slot_rows = np.lib.stride_tricks.sliding_window_view(np.concatenate(pieces), self.history)
        use_slot = slot_len >= self.min_history
        use_recent = ~use_slot & (recent_len >= self.min_history)
        z = np.zeros(m)
        for use, windows, lengths in (
            (use_slot, slot_rows[where[use_slot]], slot_len[use_slot]),
            (use_recent, recent_windows[use_recent], recent_len[use_recent]),
        ):
            if not use.any():
                continue
            center, mad = _medians(windows, lengths)
            scale = np.maximum(
                np.maximum(MAD_TO_SIGMA * mad, self.relative_floor * np.abs(center)),
                self.scale_floor,
            )
            z[use] = np.abs(value[use] - center) / scale
        zs[learned] = z
        scores[learned] = [math.erf(x) for x in (z / SQRT2).tolist()]
        for key, mine in groups:
            self._by_slot.setdefault(key, deque(maxlen=self.history)).extend(value[mine].tolist())
        self._recent.extend(value.tolist())
        self.last_z = float(zs[-1])
        return scores, zs


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

    def update_batch(
        self, timestamps: Sequence[Any], scores: np.ndarray, zs: np.ndarray
    ) -> list[dict[str, Any]]:
        """:meth:`update` point after point; the incidents that close, in order. Points
        before the first one that opens an incident (none open) are skipped at once."""
        closed = []
        start = 0
        if self._open is None:
            opening = np.flatnonzero(np.asarray(scores) >= self.open_score)
            if len(opening) == 0:
                return closed
            start = int(opening[0])
        score_list, z_list = np.asarray(scores).tolist(), np.asarray(zs).tolist()
        for i in range(start, len(score_list)):
            if self._open is None and score_list[i] < self.open_score:
                continue
            incident = self.update(timestamps[i], score_list[i], z_list[i])
            if incident is not None:
                closed.append(incident)
        return closed

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
