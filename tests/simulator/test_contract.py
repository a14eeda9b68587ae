"""The simulator fills Vigil's input contract (contract/schema.py) without a reject."""

from __future__ import annotations

from contract.schema import TABLES_BY_NAME
from contract.validate import validate


def test_simulated_feeds_pass_the_input_contract(baseline_tables) -> None:
    tables = {name: frame for name, frame in baseline_tables.items() if name in TABLES_BY_NAME}
    assert {"encounters", "vitals", "lab_results", "claims", "remittances"} <= tables.keys()
    result = validate(tables, "simulator")
    assert len(result.rejects) == 0, result.rejects.groupby(["table", "rule"]).size()
