"""ED arrivals' case mix: first-day detection of case_mix_drift, false alarms on baseline.

Every day after the reference window, the day's ED arrivals (``monitoring.intake.
INTAKE_SQL`` on the warehouse's staging models) go through the monitors' intake check
(:func:`monitoring.intake.intake_drift`: Evidently t-test / chi-square per column plus an
effect size) against the arrivals of the champion's training window, exactly as the
monitoring assets run it:

- false alarms: on ``baseline`` (and ``device_drift``, which leaves the case mix alone),
  flagged days / evaluated days;
- detection delay: on ``case_mix_drift@<day>``, days from the start to the first flagged
  day (0: flagged on the first day), and the share of post-start days flagged.

The warehouses come from ``benchmarks/bench_monitoring.py`` (same seed and network): pass
its home folder with ``--reuse``. The reference is the readmission champion's training
window when the home's registry has one (the window the readmission monitor uses).

Usage: ``python benchmarks/bench_monitoring_intake.py --reuse <bench_monitoring home>``
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_monitoring import START, network_arguments  # noqa: E402

from monitoring.config import IntakeThresholds  # noqa: E402
from monitoring.intake import INTAKE_SQL, TIME_COLUMN, intake_drift  # noqa: E402
from monitoring.monitors import READMISSION  # noqa: E402
from vigil.settings import Settings  # noqa: E402

# The readmission split's training window on the benchmark's network, when no registry.
DEFAULT_WINDOW = (datetime(2025, 1, 1), datetime(2025, 3, 10, 23, 59))


def reference_window(settings: Settings) -> tuple[datetime, datetime]:
    try:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(settings.mlflow_tracking_uri)
        tags = client.get_model_version_by_alias(READMISSION.model_name, "champion").tags
        return pd.Timestamp(tags["train_start"]), pd.Timestamp(tags["train_end"])
    except Exception as error:  # no registry or no champion
        print(f"  no champion in {settings.home} ({type(error).__name__}): {DEFAULT_WINDOW}")
        return DEFAULT_WINDOW


def daily_flags(
    arrivals: pd.DataFrame, window: tuple[datetime, datetime], thresholds: IntakeThresholds
) -> pd.DataFrame:
    times = arrivals[TIME_COLUMN]
    reference = arrivals[times.between(*window)]
    rows = []
    first = (pd.Timestamp(window[1]) + timedelta(days=1)).normalize()
    for day in pd.date_range(first, times.max().normalize()):
        current = arrivals[(times >= day) & (times < day + timedelta(days=1))]
        _, verdict = intake_drift(reference, current, thresholds)
        rows.append(
            {
                "day": day.date(),
                "arrivals": len(current),
                "is_drift": verdict.is_drift,
                "drifted_columns": ",".join(verdict.drifted_columns),
                "smallest_p_value": min(c.p_value for c in verdict.columns),
                "largest_effect": max(abs(c.effect) for c in verdict.columns),
                "columns (p, effect)": " ".join(
                    f"{c.column}={c.p_value:.0e}/{c.effect:+.2f}" for c in verdict.columns
                ),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = network_arguments()
    args = parser.parse_args()
    if args.reuse is None:
        parser.error("--reuse <home of a bench_monitoring.py run> is required")
    drift_day = START + timedelta(days=args.drift_day)
    thresholds = IntakeThresholds()
    print(
        f"intake check: p < {thresholds.p_value:g} and effect >= {thresholds.min_effect}, "
        f">= {thresholds.min_columns} column(s), >= {thresholds.min_rows} arrivals"
    )
    for name in ("baseline", "case_mix_drift", "device_drift"):
        settings = Settings(home=args.reuse / name)
        if not settings.warehouse_path.exists():
            print(f"{name}: no warehouse in {settings.home}, skipped")
            continue
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
            arrivals = connection.execute(INTAKE_SQL).df()
        window = reference_window(settings)
        started = time.perf_counter()
        days = daily_flags(arrivals, window, thresholds)
        seconds = time.perf_counter() - started
        flagged = days[days["is_drift"]]
        print(
            f"{name}: reference {window[0]:%Y-%m-%d}..{window[1]:%Y-%m-%d}, {len(days)} days, "
            f"median {days['arrivals'].median():.0f} arrivals a day, {seconds:.0f} s"
        )
        if name == "case_mix_drift":
            before = days[days["day"] < drift_day]
            after = days[days["day"] >= drift_day]
            print(f"  false alarms before the start: {int(before['is_drift'].sum())}/{len(before)}")
            hits = after[after["is_drift"]]
            delay = (hits["day"].iloc[0] - drift_day).days if len(hits) else None
            print(f"  detection delay: {delay} days (0 = first day); flagged "
                  f"{len(hits)}/{len(after)} days from the start")  # fmt: skip
            print(after.head(3).to_string(index=False))
        else:
            print(f"  false alarms: {len(flagged)}/{len(days)} days")
            quiet = days.sort_values("smallest_p_value").head(3)
            print("  closest days:\n" + quiet.to_string(index=False))


if __name__ == "__main__":
    main()
