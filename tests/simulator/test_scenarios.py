"""Named scenarios change the network from their start date, and are recorded as truth."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from simulator.config import Scenario, parse_scenarios
from simulator.inpatient import PLACEMENT_DELAY_FACTOR
from tests.simulator.conftest import SCENARIO_START

START = pd.Timestamp(SCENARIO_START)


def _after(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame[frame[column] >= START + pd.Timedelta(days=3)]


def test_parse_defaults_and_errors() -> None:
    parsed = parse_scenarios("surge,interface_outage@2025-01-10:2, baseline", date(2025, 1, 1), 30)
    assert parsed == (
        Scenario("surge", date(2025, 1, 16), 15),
        Scenario("interface_outage", date(2025, 1, 10), 2),
    )
    with pytest.raises(ValueError, match="unknown scenario"):
        parse_scenarios("meteor", date(2025, 1, 1), 30)


def test_surge_brings_more_ed_arrivals(baseline_tables, scenario_tables) -> None:
    base = _after(baseline_tables["ed_visits"], "arrived_at")
    surge = _after(scenario_tables["ed_visits"], "arrived_at")
    assert len(surge) > 1.15 * len(base)


def test_case_mix_drift_admits_older_sicker_patients(baseline_tables, scenario_tables) -> None:
    def admitted_age(tables) -> float:
        enc = _after(tables["encounters"], "admitted_at")
        return float(enc.merge(tables["patients"], on="patient_id")["age_years"].mean())

    assert admitted_age(scenario_tables) > admitted_age(baseline_tables) + 2


def _medicaid_stay_ratio(tables, after: bool) -> float:
    """Geometric-mean stay of Medicaid over other patients' (births excepted), by period."""
    enc = tables["encounters"].merge(tables["patients"], on="patient_id")
    # Births are the only 'direct' admissions: the delay leaves them alone.
    enc = enc[enc["discharged_at"].notna() & (enc["admission_source"] != "direct")]
    enc = enc[(enc["admitted_at"] >= START) == after]
    log_days = np.log((enc["discharged_at"] - enc["admitted_at"]).dt.total_seconds() / 86400)
    medicaid = enc["primary_payer"] == "medicaid"
    return float(np.exp(log_days[medicaid].mean() - log_days[~medicaid].mean()))


def test_case_mix_drift_lengthens_medicaid_stays_from_its_start(
    baseline_tables, scenario_tables
) -> None:
    # The concept half of the drift: the same features, a longer stay (placement delay).
    before = _medicaid_stay_ratio(scenario_tables, after=False)
    after = _medicaid_stay_ratio(scenario_tables, after=True)
    assert after / before == pytest.approx(PLACEMENT_DELAY_FACTOR, rel=0.2)
    baseline_shift = _medicaid_stay_ratio(baseline_tables, True) / _medicaid_stay_ratio(
        baseline_tables, False
    )
    assert baseline_shift == pytest.approx(1.0, abs=0.15)


def test_device_drift_reads_spo2_high_on_vm200_units(baseline_tables, scenario_tables) -> None:
    def spo2(tables, model: str) -> float:
        units = tables["units"].query("monitor_model == @model")["unit_id"]
        vitals = _after(tables["vitals"], "observed_at")
        return float(vitals.loc[vitals["unit_id"].isin(units), "spo2"].mean())

    assert spo2(scenario_tables, "VM-200") > spo2(baseline_tables, "VM-200") + 1.2
    assert abs(spo2(scenario_tables, "VM-100") - spo2(baseline_tables, "VM-100")) < 0.6


def test_interface_outage_delivers_late_then_backfills(scenario_tables) -> None:
    truth = scenario_tables["ground_truth_scenarios"].set_index("scenario_name")
    begin, end = truth.loc["interface_outage", ["started_at", "ended_at"]]
    vitals = scenario_tables["vitals"]
    held = vitals[
        (vitals["observed_at"] >= begin)
        & (vitals["observed_at"] < end)
        & vitals["unit_id"].str.startswith("H01")
    ]
    assert len(held) > 0 and (held["received_at"] >= end).all()
    metrics = scenario_tables["interface_metrics"]
    down = metrics[
        (metrics["interval_start_at"] >= begin)
        & (metrics["interval_start_at"] < end)
        & (metrics["hospital_id"] == "H01")
        & (metrics["interface_name"] == "vitals")
    ]
    assert (down["messages_processed"] == 0).all() and down["queue_depth"].is_monotonic_increasing


def test_scenario_windows_are_ground_truth(scenario_tables, baseline_tables) -> None:
    truth = scenario_tables["ground_truth_scenarios"]
    assert set(truth["scenario_name"]) == {
        "surge",
        "case_mix_drift",
        "device_drift",
        "interface_outage",
    }
    assert (truth.set_index("scenario_name").loc["surge", "started_at"]) == START
    assert baseline_tables["ground_truth_scenarios"].empty
