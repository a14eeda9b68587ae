"""dbt's accepted-values tests on staged codes are the input contract's allowed values.

Contract validation rejects any other code at intake, so staging accepts exactly the
contract's set: a narrower list fails the builds of sources that use the rest of it
(Synthea's `other` disposition), a wider one hides a drift between the two.
"""

from __future__ import annotations

import pytest
import yaml

from contract.schema import ADMISSION_SOURCES, DISPOSITIONS
from vigil.settings import DBT_PROJECT_DIR

EHR_MODELS = DBT_PROJECT_DIR / "models" / "staging" / "ehr" / "_ehr__models.yml"


def accepted_values(model: str, column: str) -> list[str]:
    spec = yaml.safe_load(EHR_MODELS.read_text())
    (found,) = [m for m in spec["models"] if m["name"] == model]
    (col,) = [c for c in found["columns"] if c["name"] == column]
    (test,) = [t["accepted_values"] for t in col["data_tests"] if "accepted_values" in t]
    assert test.get("config", {}).get("severity", "error") == "error"
    return test["arguments"]["values"]


@pytest.mark.parametrize(
    ("column", "allowed"),
    [("admission_source", ADMISSION_SOURCES), ("discharge_disposition", DISPOSITIONS)],
)
def test_staged_encounter_codes_are_the_contracts(column: str, allowed: tuple[str, ...]) -> None:
    assert sorted(accepted_values("stg_ehr__encounters", column)) == sorted(allowed)
