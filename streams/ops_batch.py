"""Columnar micro-batches for the operational-anomaly flow, and the per-series state.

A batch is a dict of numpy columns, in event-time order: ``series`` and ``metric``
(object), ``at`` (``datetime64[us]``, the interval start, UTC) and ``value`` (float;
NaN when not a number). :func:`by_series` cuts a batch into one run per series, and
:class:`SeriesState` folds a run with the detector's and tracker's batch methods
(:meth:`clinical.anomaly.SeasonalRobustDetector.score_batch`), so the results are
exactly those of feeding the points one by one. The last item of a replay is
``{"_ends": [(series, metric), ...]}``: every series closes the incident still open.

Per series, a point that is not a number is dead-lettered; so is a point older than the
latest accepted one (``late``). Pure module: no Bytewax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from clinical.anomaly import IncidentTracker, SeasonalRobustDetector

MetricBatch = dict[str, Any]
Rows = dict[str, list]  # output rows by kind, as columns or records


class _Datetimes:
    """``datetime64[us]`` values as ``datetime`` on access (incidents are rare)."""

    def __init__(self, values: np.ndarray):
        self._values = values

    def __getitem__(self, i: int) -> datetime:
        return self._values[i].item()


def metric_frame(interface_metrics: pd.DataFrame, heartbeats: pd.DataFrame) -> pd.DataFrame:
    """Every series' points, time-ordered: ``series, metric, at, value``."""
    frames = []
    for metric in ("mean_lag_seconds", "queue_depth", "messages_processed"):
        series = (
            "interface/"
            + interface_metrics["hospital_id"]
            + "/"
            + interface_metrics["interface_name"]
            + "/"
            + metric
        )
        frames.append(
            pd.DataFrame(
                {
                    "series": series,
                    "metric": metric,
                    "at": interface_metrics["interval_start_at"],
                    "value": interface_metrics[metric].astype(float),
                }
            )
        )
    missed = 1 - heartbeats["heartbeats_received"] / heartbeats["heartbeats_expected"]
    for metric, values in (
        ("missed_heartbeat_share", missed),
        ("error_count", heartbeats["error_count"]),
    ):
        frames.append(
            pd.DataFrame(
                {
                    "series": "device/" + heartbeats["device_id"] + "/" + metric,
                    "metric": metric,
                    "at": heartbeats["hour_start_at"],
                    "value": values.astype(float),
                }
            )
        )
    points = pd.concat(frames, ignore_index=True).sort_values(["at", "series"], kind="stable")
    points["at"] = pd.to_datetime(points["at"]).dt.floor("us").astype("datetime64[us]")
    return points.reset_index(drop=True)


def metric_batches(frame: pd.DataFrame, batch_rows: int = 100_000) -> list[MetricBatch]:
    """The time-ordered points of :func:`metric_frame` as batches, then the end marker."""
    columns = {
        "series": frame["series"].to_numpy(dtype=object),
        "metric": frame["metric"].to_numpy(dtype=object),
        "at": frame["at"].to_numpy(dtype="datetime64[us]"),
        "value": frame["value"].to_numpy(dtype=float),
    }
    batches = [
        {name: column[start : start + batch_rows] for name, column in columns.items()}
        for start in range(0, len(frame), batch_rows)
    ]
    ends = frame[["series", "metric"]].drop_duplicates()
    return [*batches, {"_ends": list(ends.itertuples(index=False, name=None))}]


def by_series(item: MetricBatch) -> list[tuple[str, MetricBatch]]:
    """One ``(series, run)`` per series of the batch (its points in order), or one end
    marker per series for the end item."""
    if "_ends" in item:
        return [(series, {"metric": metric, "is_end": True}) for series, metric in item["_ends"]]
    if len(item["series"]) == 0:
        return []
    codes, names = pd.factorize(item["series"])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    runs = []
    for code, name in enumerate(names):
        rows = order[bounds[code] : bounds[code + 1]]
        run = {
            "metric": item["metric"][rows[0]],
            "at": item["at"][rows],
            "value": item["value"][rows],
        }
        runs.append((name, run))
    return runs


@dataclass
class SeriesState:
    """One series' detector, incident tracker and latest accepted event time."""

    series: str
    detector: SeasonalRobustDetector
    tracker: IncidentTracker
    last_at: np.datetime64 | None = None

    @classmethod
    def new(
        cls,
        series: str,
        metric: str,
        floors: Mapping[str, float],
        open_score: float,
        close_after: int,
    ) -> SeriesState:
        return cls(
            series,
            SeasonalRobustDetector(scale_floor=floors.get(metric, 1e-6)),
            IncidentTracker(series, open_score=open_score, close_after=close_after),
        )

    def end(self) -> list[dict[str, Any]]:
        """The incident still open at the end of the input, closed at the last point."""
        if self.last_at is None:
            return []
        closed = self.tracker.close(self.last_at.item())
        return [{**closed, "is_open_at_end": True}] if closed else []

    def process(self, metric: str, at: np.ndarray, value: np.ndarray) -> dict[str, Any]:
        """Fold one run of points: ``anomaly_scores`` (columns), ``incidents`` and
        ``dead_letters`` (rows)."""
        dead: list[dict[str, Any]] = []
        number = ~np.isnan(value)
        for i in np.flatnonzero(~number):
            dead.append(
                {"series": self.series, "at": at[i].item(), "reason": "value is not a number"}
            )
        rows = np.flatnonzero(number)
        stamps = at[rows]
        # the latest accepted time before each point: late points never raise it
        before = stamps
        if len(stamps):
            first = self.last_at if self.last_at is not None else stamps[0]
            running = np.maximum.accumulate(stamps)
            before = np.maximum(np.concatenate([[first], running[:-1]]), first)
        late = stamps < before
        for i in np.flatnonzero(late):
            reason = f"late: older than {before[i].item().isoformat()}"
            dead.append({"series": self.series, "at": stamps[i].item(), "reason": reason})
        accepted = rows[~late]
        at_ok, value_ok = at[accepted], value[accepted]
        scores, zs = self.detector.score_batch(at_ok, value_ok)
        closed = self.tracker.update_batch(_Datetimes(at_ok), scores, zs)
        if len(at_ok):
            self.last_at = at_ok[-1]
        return {
            "anomaly_scores": {
                "series": [self.series] * len(at_ok),
                "metric": [metric] * len(at_ok),
                "at": at_ok,
                "value": value_ok,
                "anomaly_score": scores,
            },
            "incidents": [{**c, "is_open_at_end": False} for c in closed],
            "dead_letters": dead,
        }
