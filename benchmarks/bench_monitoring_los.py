"""Length-of-stay monitor: first-day detection of case_mix_drift, false alarms on baseline.

The LOS monitor (``monitoring.monitors.LENGTH_OF_STAY``) tests one day of admissions at a
time against the champion's training window, on at-admission features. For each
scenario's `ml.length_of_stay_features`, every day after the training window is run
through the monitor's own drift test (Evidently, the monitor's methods and thresholds)
and data-quality check, and the retrain policy (``monitoring.policy.breaches``,
cooldown ignored) says whether the day would trigger:

- false alarms: on ``baseline``, triggering days / evaluated days;
- detection delay: on ``case_mix_drift@<day>``, days from the start to the first
  triggering day (0: flagged on the first day), and the share of post-start days flagged.

The warehouses come from ``benchmarks/bench_monitoring.py`` (same seed and network): pass
its home folder with ``--reuse``, or omit it to build both scenarios here (20+ min each).
Model quality (MAE) is not measured here: a stay's length is a mature target only 30 days
after admission, so the post-drift days of a 120-day run have few.

Usage: ``python benchmarks/bench_monitoring_los.py --reuse <bench_monitoring home>
[--drift-day 80]``, or ``--numeric-method t_test`` to compare per-column tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_monitoring import START, build, network_arguments  # noqa: E402

from ml import length_of_stay  # noqa: E402
from monitoring.config import ModelMonitor  # noqa: E402
from monitoring.evaluate import monitor_drift  # noqa: E402
from monitoring.monitors import LENGTH_OF_STAY  # noqa: E402
from monitoring.policy import ResultView, breaches  # noqa: E402
from monitoring.quality import quality_report  # noqa: E402
from vigil.settings import Settings  # noqa: E402


def training_window(settings: Settings, features: pd.DataFrame) -> tuple[datetime, datetime]:
    """The LOS champion's training window from the home's registry; else the split's."""
    try:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(settings.mlflow_tracking_uri)
        tags = client.get_model_version_by_alias(LENGTH_OF_STAY.model_name, "champion").tags
        return pd.Timestamp(tags["train_start"]), pd.Timestamp(tags["train_end"])
    except Exception as error:  # no registry or no champion: the window the asset would use
        print(f"  no LOS champion in {settings.home} ({type(error).__name__}): split's window")
        return length_of_stay.time_split(features).train_window


def daily_breaches(
    monitor: ModelMonitor, features: pd.DataFrame, window: tuple[datetime, datetime]
) -> list[tuple[date, int, list[str]]]:
    """(day, rows, breaches) for every day after the training window, as the asset sees it."""
    times = features[monitor.time_column]
    reference = features[times.between(*window)]
    out = []
    first = (window[1] + timedelta(days=1)).date()
    for day in pd.date_range(first, times.max().date()).date:
        start, end = monitor.current_window(day)
        current = features[(times >= start) & (times < end)]
        if len(current) < monitor.thresholds.min_current_rows:
            continue
        _, drift = monitor_drift(monitor, reference, current)
        _, quality = quality_report(
            reference, current, monitor.numeric, monitor.categorical, monitor.ranges
        )
        view = ResultView(
            drift_result_id=str(day),
            model_name=monitor.model_name,
            evaluated_at=datetime.now(),
            partition_date=day,
            current_rows=len(current),
            drifted_share=drift.drifted_share,
            drifted_columns=",".join(drift.drifted_columns),
            max_missing_share_increase=quality.max_missing_increase,
            max_out_of_range_share_increase=quality.max_out_of_range_increase,
        )
        out.append((day, len(current), breaches(view, monitor.thresholds)))
    return out


def main() -> None:
    parser = network_arguments()
    parser.add_argument("--numeric-method", help="override the monitor's numeric test")
    args = parser.parse_args()
    drift_day = START + timedelta(days=args.drift_day)
    monitor = LENGTH_OF_STAY
    if args.numeric_method:
        monitor = replace(monitor, numeric_method=args.numeric_method)
    t = monitor.thresholds
    print(
        f"LOS monitor: {monitor.numeric_method}/{monitor.categorical_method}, p < "
        f"{t.column_p_value:.4f}, drift share >= {t.drift_share:.2f} of {len(monitor.features)}"
        f" columns ({', '.join(monitor.features)}); drift from {drift_day}"
    )
    root = args.reuse or Path(tempfile.mkdtemp(prefix="vigil-bench-monitoring-los-"))
    for spec in ("baseline", f"case_mix_drift@{drift_day}"):
        if args.reuse:
            settings = Settings(home=root / spec.split("@")[0])
        else:
            settings, _ = build(root, spec, argparse.Namespace(**{**vars(args), "reuse": None}))
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
            features = connection.execute(f"select * from {monitor.features_table}").df()
        window = training_window(settings, features)
        days = daily_breaches(monitor, features, window)
        flagged = [(d, n, b) for d, n, b in days if b]
        before = [d for d, _, _ in days if d < drift_day]
        after = [d for d, _, _ in days if d >= drift_day]
        median = pd.Series([n for _, n, _ in days]).median()
        print(
            f"{spec}: reference {window[0]:%Y-%m-%d}..{window[1]:%Y-%m-%d}, "
            f"{len(days)} days evaluated, median {median:.0f} admissions a day"
        )
        if spec == "baseline":
            print(f"  false alarms: {len(flagged)}/{len(days)} days")
        else:
            hits = [d for d, _, _ in flagged if d >= drift_day]
            early = [d for d, _, _ in flagged if d < drift_day]
            print(
                f"  alarms before the start: {len(early)}/{len(before)}; "
                f"flagged from the start: {len(hits)}/{len(after)} days"
            )
            delay = (hits[0] - drift_day).days if hits else None
            print(f"  detection delay: {delay} days (0 = first day)")
        for d, n, b in flagged:
            print(f"    {d} ({n} rows): {'; '.join(b)}")


if __name__ == "__main__":
    main()
