"""Shared simulated networks (simulated once per test session)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from simulator.config import NetworkConfig, parse_scenarios
from simulator.network import simulate

# The calibration network: the default hospitals over half a year.
CALIBRATION = NetworkConfig(hospitals=2, days=180, seed=7)
SCENARIO_START = date(2025, 2, 15)
SCENARIOS = NetworkConfig(
    hospitals=2,
    days=75,
    seed=11,
    scenarios=parse_scenarios(
        "surge@2025-02-15,case_mix_drift@2025-02-15,device_drift@2025-02-15,"
        "interface_outage@2025-02-15",
        date(2025, 1, 1),
        75,
    ),
)
BASELINE = NetworkConfig(hospitals=2, days=75, seed=11)


@pytest.fixture(scope="session")
def calibration_tables() -> dict[str, pd.DataFrame]:
    return simulate(CALIBRATION)


@pytest.fixture(scope="session")
def baseline_tables() -> dict[str, pd.DataFrame]:
    return simulate(BASELINE)


@pytest.fixture(scope="session")
def scenario_tables() -> dict[str, pd.DataFrame]:
    return simulate(SCENARIOS)
