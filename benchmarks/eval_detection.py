"""Detection performance on the simulator's ground truth.

    VIGIL_HOME=/tmp/x .venv/bin/vigil simulate --days 90 --scenario interface_outage
    .venv/bin/python benchmarks/eval_detection.py --home /tmp/x

Replays ``<home>/landing/vitals`` through the early-warning flow and scores its alerts
against ``<home>/ground_truth/deterioration``; replays interface metrics and device
heartbeats through the anomaly flow and scores its incidents against
``ground_truth/device_failures`` and the ``interface_outage`` scenario windows (see
:mod:`streams.evaluation`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streams.evaluation import evaluate, evaluate_incidents  # noqa: E402
from streams.runner import run_news2, run_ops  # noqa: E402


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

    if not (landing / "interface_metrics").exists():
        print("no interface metrics landed: anomaly detection not evaluated")
        return
    ops = run_ops(landing, out)
    incidents = pd.read_parquet(out / "ops" / "incidents")
    failures = pd.read_parquet(truth / "device_failures")
    scenarios = pd.read_parquet(truth / "scenarios")
    outages = scenarios[scenarios["scenario_name"] == "interface_outage"]
    print(f"\n{ops.records_in:,} metric points, {len(incidents):,} incidents")
    print(f"{'target':<20}{'windows':>8}{'recall':>8}{'incidents':>11}{'precision':>11}")
    for row in evaluate_incidents(incidents, failures, outages):
        print(
            f"{row.target:<20}{row.windows:>8}{row.recall:>8.2f}"
            f"{row.incidents:>11}{row.precision:>11.2f}"
        )


if __name__ == "__main__":
    main()
