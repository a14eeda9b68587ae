"""NEWS2 alert performance on the simulator's ground truth.

    VIGIL_HOME=/tmp/x .venv/bin/vigil simulate --days 90
    .venv/bin/python benchmarks/eval_detection.py --home /tmp/x

Replays ``<home>/landing/vitals`` through the early-warning flow and scores its alerts
against ``<home>/ground_truth/deterioration`` (see :mod:`streams.evaluation`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streams.evaluation import evaluate  # noqa: E402
from streams.runner import run_news2  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    landing, truth = args.home / "landing", args.home / "ground_truth"
    out = Path(tempfile.mkdtemp(prefix="vigil-eval-"))
    result = run_news2(landing / "vitals", out)
    alerts = pd.read_parquet(out / "news2" / "alerts")
    events = pd.read_parquet(truth / "deterioration")
    encounters = pd.read_parquet(landing / "encounters")
    end = pd.read_parquet(landing / "vitals", columns=["observed_at"])["observed_at"].max()
    print(
        f"{result.records_in:,} observation sets, {len(encounters):,} encounters, "
        f"{len(events):,} deterioration events ({', '.join(sorted(events['event_type'].unique()))})"
    )
    header = ("threshold", "sens. 24h", "median lead h", "PPV", "alerts/100 pt-days")
    print(f"{header[0]:<12}{header[1]:>10}{header[2]:>15}{header[3]:>7}{header[4]:>20}")
    for row in evaluate(alerts, events, encounters, end):
        lead = (
            f"{row.median_lead_time_hours:.1f}" if row.median_lead_time_hours is not None else "-"
        )
        print(
            f"{row.threshold:<12}{row.sensitivity:>10.2f}{lead:>15}"
            f"{row.positive_predictive_value:>7.2f}{row.alerts_per_100_patient_days:>20.1f}"
        )


if __name__ == "__main__":
    main()
