"""The default network's statistics fall within published US ranges (docs/simulator.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.calibration import TARGETS, calibration_report

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "cms"


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_metric_within_published_range(calibration_tables, target) -> None:
    report = calibration_report(calibration_tables).set_index("metric")
    value = report.loc[target.name, "value"]
    assert target.low <= value <= target.high, f"{target.name} = {value} ({target.source})"


@pytest.mark.parametrize(
    ("file", "column", "measure", "metric"),
    [
        ("timely_and_effective_care", "score", "OP_18b", "ed_median_minutes_discharged"),
        ("timely_and_effective_care", "score", "OP_22", "ed_lwbs_pct"),
        ("unplanned_hospital_visits", "national_rate", "READM_30_HOSP_WIDE", "readmission_30d_pct"),
    ],
)
def test_cms_national_value_lies_in_the_target_range(
    file: str, column: str, measure: str, metric: str
) -> None:
    """The range each target asserts contains the CMS national figure it cites."""
    national = pd.read_csv(SEEDS / f"cms__{file}_national.csv", dtype=str)
    score = float(national.loc[national["measure_id"] == measure, column].iloc[0])
    target = next(t for t in TARGETS if t.name == metric)
    assert target.low <= score <= target.high


def test_report_flags_a_value_outside_its_range(calibration_tables) -> None:
    """The check can fail: a network whose stays were halved is outside the ALOS range."""
    shortened = dict(calibration_tables)
    enc = calibration_tables["encounters"].copy()
    enc["discharged_at"] = enc["admitted_at"] + (enc["discharged_at"] - enc["admitted_at"]) / 2
    shortened["encounters"] = enc
    report = calibration_report(shortened).set_index("metric")
    assert not report.loc["average_length_of_stay_days", "is_within"]
