"""The operational-anomaly (AIOps) dataflow: online detectors per metric series.

columnar micro-batches of metric points (:mod:`streams.ops_batch`) -> one run per series
-> per-series detector and incident tracker (:mod:`clinical.anomaly`, batch methods) ->
sink of ``(kind, table)`` where kind is ``anomaly_scores``, ``incidents`` or
``dead_letters``. :func:`build_point_flow` is the same flow one point per item (the
reference the batched flow must equal, and the benchmark's baseline).

Series: interface lag (``mean_lag_seconds``), queue depth and message volume per
hospital interface (15-minute intervals), and the share of missed heartbeats and the
error count per bedside monitor (hourly). Event time is the interval start; per series,
a point older than the latest is dead-lettered as ``late``; a point whose value is not
a number is dead-lettered too. An incident still open when the input ends is closed at
the last point (``is_open_at_end``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import bytewax.operators as op
import pandas as pd
import pyarrow as pa
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.outputs import Sink

from clinical.anomaly import IncidentTracker, SeasonalRobustDetector
from streams.ops_batch import MetricBatch, by_series, metric_frame
from streams.ops_batch import SeriesState as BatchSeriesState

Point = dict[str, Any]  # series, at, value
OPS_KINDS = ("anomaly_scores", "incidents", "dead_letters")
# Absolute floor of each metric's deviation scale, so that a change operations would not
# act on is never anomalous (interface lag is right-skewed: seconds of jitter are normal).
SCALE_FLOORS = {
    "mean_lag_seconds": 5.0,
    "queue_depth": 5.0,
    "messages_processed": 15.0,
    "missed_heartbeat_share": 0.05,
    "error_count": 1.0,
}


@dataclass(frozen=True)
class OpsFlowConfig:
    open_score: float = 0.999
    close_after: int = 3
    scale_floors: dict[str, float] = field(default_factory=lambda: dict(SCALE_FLOORS))


@dataclass
class SeriesState:
    detector: SeasonalRobustDetector
    tracker: IncidentTracker
    last_at: Any = None


OPS_SCHEMAS = {
    "anomaly_scores": pa.schema(
        [
            ("series", pa.string()),
            ("metric", pa.string()),
            ("at", pa.timestamp("us")),
            ("value", pa.float64()),
            ("anomaly_score", pa.float64()),
        ]
    ),
    "incidents": pa.schema(
        [
            ("series", pa.string()),
            ("started_at", pa.timestamp("us")),
            ("ended_at", pa.timestamp("us")),
            ("severity", pa.string()),
            ("peak_z", pa.float64()),
            ("is_open_at_end", pa.bool_()),
        ]
    ),
    "dead_letters": pa.schema(
        [("series", pa.string()), ("at", pa.timestamp("us")), ("reason", pa.string())]
    ),
}


def _table(rows: list[dict[str, Any]], kind: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=OPS_SCHEMAS[kind])


def _step(config: OpsFlowConfig):
    def step(state: SeriesState | None, point: Point):
        series, metric = point["series"], point["metric"]
        if state is None:
            floor = config.scale_floors.get(metric, 1e-6)
            state = SeriesState(
                SeasonalRobustDetector(scale_floor=floor),
                IncidentTracker(
                    series, open_score=config.open_score, close_after=config.close_after
                ),
            )
        if point.get("is_end"):
            closed = state.tracker.close(state.last_at) if state.last_at else None
            return state, [
                ("incidents", _table([{**closed, "is_open_at_end": True}], "incidents"))
            ] if closed else []
        value, at = point.get("value"), point["at"]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return state, [
                (
                    "dead_letters",
                    _table(
                        [{"series": series, "at": at, "reason": "value is not a number"}],
                        "dead_letters",
                    ),
                )
            ]
        if state.last_at is not None and at < state.last_at:
            reason = f"late: older than {state.last_at.isoformat()}"
            return state, [
                (
                    "dead_letters",
                    _table([{"series": series, "at": at, "reason": reason}], "dead_letters"),
                )
            ]
        score = state.detector.score(at, float(value))
        state.last_at = at
        row = {
            "series": series,
            "metric": metric,
            "at": at,
            "value": float(value),
            "anomaly_score": score,
        }
        out = [("anomaly_scores", _table([row], "anomaly_scores"))]
        closed = state.tracker.update(at, score, state.detector.last_z)
        if closed:
            out.append(("incidents", _table([{**closed, "is_open_at_end": False}], "incidents")))
        return state, out

    return step


def _batch_step(config: OpsFlowConfig):
    def step(state: BatchSeriesState | None, keyed_run: tuple[str, MetricBatch]):
        series, run = keyed_run
        if state is None:
            state = BatchSeriesState.new(
                series, run["metric"], config.scale_floors, config.open_score, config.close_after
            )
        if run.get("is_end"):
            ended = state.end()
            return state, [("incidents", _table(ended, "incidents"))] if ended else []
        out = state.process(run["metric"], run["at"], run["value"])
        tagged = []
        if len(out["anomaly_scores"]["at"]):
            scores = pa.Table.from_pydict(
                out["anomaly_scores"], schema=OPS_SCHEMAS["anomaly_scores"]
            )
            tagged.append(("anomaly_scores", scores))
        for kind in ("incidents", "dead_letters"):
            if out[kind]:
                tagged.append((kind, _table(out[kind], kind)))
        return state, tagged

    return step


def build_flow(
    source: Source[MetricBatch],
    sink: Sink[tuple[str, pa.Table]],
    config: OpsFlowConfig | None = None,
) -> Dataflow:
    """Build the operational-anomaly dataflow over batches of ``source`` writing to ``sink``."""
    config = config or OpsFlowConfig()
    flow = Dataflow("ops_anomalies")
    batches = op.input("metric_batches", flow, source)
    # MetricBatch: columns series, metric, at, value (time order), or the end marker
    runs = op.flat_map("by_series", batches, by_series)
    # (series, run of that series' points, or its end marker)
    keyed = op.key_on("key_series", runs, lambda run: run[0])
    # (series, (series, run))
    tagged = op.stateful_flat_map("detector_state", keyed, _batch_step(config))
    # (series, (kind, pa.Table))
    op.output("sink", op.key_rm("drop_series", tagged), sink)
    return flow


def build_point_flow(
    source: Source[Point], sink: Sink[tuple[str, pa.Table]], config: OpsFlowConfig | None = None
) -> Dataflow:
    """The same flow over single points (the reference the batched flow equals)."""
    config = config or OpsFlowConfig()
    flow = Dataflow("ops_anomalies_per_point")
    points = op.input("metric_points", flow, source)
    # Point: one value of one series, or an end-of-input marker for a series
    keyed = op.key_on("by_series", points, lambda p: p["series"])
    # (series, Point)
    tagged = op.stateful_flat_map("detector_state", keyed, _step(config))
    # (series, (kind, pa.Table))
    op.output("sink", op.key_rm("drop_series", tagged), sink)
    return flow


def metric_points(interface_metrics: pd.DataFrame, heartbeats: pd.DataFrame) -> list[Point]:
    """Time-ordered points of every series as records, then one end marker per series."""
    points = metric_frame(interface_metrics, heartbeats)
    records = points.to_dict("records")
    for record in records:
        record["at"] = record["at"].to_pydatetime()
        record["value"] = None if pd.isna(record["value"]) else record["value"]
    ends = [
        {"series": s, "metric": m, "is_end": True}
        for s, m in points[["series", "metric"]].drop_duplicates().itertuples(index=False)
    ]
    return records + ends
