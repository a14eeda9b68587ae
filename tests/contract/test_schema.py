"""The contract is well formed, and the simulator writes exactly it."""

from __future__ import annotations

from datetime import date

import pytest

from contract.schema import CORE_TABLES, TABLES, TABLES_BY_NAME, TIMESTAMP
from contract.validate import validate
from simulator.config import NetworkConfig
from simulator.landing import GROUND_TRUTH_PREFIX
from simulator.network import simulate


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_table_is_well_formed(table) -> None:
    names = table.column_names
    assert len(set(names)) == len(names)
    assert set(table.key_columns) <= set(names)
    if table.event_time is not None:
        assert table.column(table.event_time).dtype == TIMESTAMP
    for earlier, later in table.ordering:
        assert table.column(earlier).dtype == table.column(later).dtype == TIMESTAMP
    for column in table.columns:
        assert column.description
        if column.references:
            parent, parent_column = column.references.split(".")
            assert parent_column in TABLES_BY_NAME[parent].column_names
            # Parents are validated first, so their valid keys are known.
            assert [t.name for t in TABLES].index(parent) < [t.name for t in TABLES].index(
                table.name
            )


def test_core_tables_are_what_the_marts_read() -> None:
    assert CORE_TABLES == ("hospitals", "units", "patients", "encounters", "adt_events", "vitals")


@pytest.fixture(scope="module")
def simulated() -> dict:
    tables = simulate(NetworkConfig(hospitals=2, days=6, start=date(2025, 1, 1), seed=11))
    return {k: v for k, v in tables.items() if not k.startswith(GROUND_TRUTH_PREFIX)}


def test_simulator_writes_only_contract_tables_and_columns(simulated) -> None:
    """Any divergence between the simulator and the contract shows here."""
    assert set(simulated) <= set(TABLES_BY_NAME), "simulator feeds outside the contract"
    for name, frame in simulated.items():
        undeclared = set(frame.columns) - set(TABLES_BY_NAME[name].column_names)
        assert not undeclared, f"{name} has columns the contract does not declare"
        missing = {c.name for c in TABLES_BY_NAME[name].columns if c.required} - set(frame)
        assert not missing, f"{name} lacks required contract columns"


def test_simulator_output_validates_against_the_contract(simulated) -> None:
    result = validate(simulated, "simulator")
    assert result.rejects.empty, result.rejects[
        ["table_name", "rule", "column_name"]
    ].drop_duplicates()
    for name, frame in simulated.items():
        assert len(result.tables[name]) == len(frame)


def test_simulator_partitions_by_the_contract_event_time() -> None:
    from simulator.landing import FEED_EVENT_TIME

    for feed, time_column in FEED_EVENT_TIME.items():
        assert TABLES_BY_NAME[feed].event_time == time_column, feed
