"""Validation on load: each rule rejects what it should, with the rule named, and counts add up."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from contract.validate import ContractError, validate


def minimal() -> dict[str, pd.DataFrame]:
    at = pd.Timestamp("2025-03-01 10:00")
    return {
        "hospitals": pd.DataFrame(
            {"hospital_id": ["H1"], "hospital_name": ["A"], "staffed_beds": [10]}
        ),
        "units": pd.DataFrame(
            {
                "unit_id": ["H1-ICU"],
                "hospital_id": ["H1"],
                "unit_type": ["icu"],
                "staffed_beds": [4],
            }
        ),
        "patients": pd.DataFrame(
            {"patient_id": ["P1", "P2"], "age_years": [70, 40], "sex": ["F", "M"]}
        ),
        "encounters": pd.DataFrame(
            {
                "encounter_id": ["E1", "E2"],
                "patient_id": ["P1", "P2"],
                "hospital_id": ["H1", "H1"],
                "encounter_type": ["inpatient", "emergency"],
                "admitted_at": [at, at],
                "discharged_at": [at + pd.Timedelta(days=2), None],
            }
        ),
        "adt_events": pd.DataFrame(
            {
                "adt_event_id": ["A1"],
                "encounter_id": ["E1"],
                "patient_id": ["P1"],
                "hospital_id": ["H1"],
                "unit_id": ["H1-ICU"],
                "event_type": ["A01"],
                "event_at": [at],
            }
        ),
        "vitals": pd.DataFrame(
            {
                "observation_id": ["O1"],
                "patient_id": ["P1"],
                "encounter_id": ["E1"],
                "unit_id": ["H1-ICU"],
                "observed_at": [at],
                "pulse": [88.0],
            }
        ),
    }


def test_valid_input_passes_whole() -> None:
    result = validate(minimal(), "test")
    assert result.rejects.empty
    assert result.records_in == {name: len(frame) for name, frame in minimal().items()}
    assert result.tables["encounters"]["admitted_at"].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("table", "column", "value", "rule"),
    [
        ("patients", "sex", "X", "allowed_value"),
        ("patients", "age_years", 130, "range"),
        ("patients", "age_years", "forty", "type"),
        ("patients", "age_years", None, "required"),
        ("encounters", "encounter_type", "teleport", "allowed_value"),
        ("encounters", "admitted_at", "not a time", "type"),
        ("encounters", "discharged_at", pd.Timestamp("2025-02-01"), "time_order"),
        ("encounters", "patient_id", "P404", "referential_integrity"),
        ("encounters", "encounter_id", "E2", "duplicate_key"),
        ("vitals", "pulse", 900.0, "range"),
        ("adt_events", "event_type", "Z99", "allowed_value"),
        ("adt_events", "unit_id", "", "required"),
    ],
)
def test_each_rule_rejects_the_record_with_its_name(table, column, value, rule) -> None:
    tables = minimal()
    frame = tables[table].astype(object)
    frame.loc[0, column] = value
    tables[table] = frame
    result = validate(tables, "test")
    assert rule in set(result.rejects["rule"])
    rejected = result.rejects[result.rejects["rule"] == rule].iloc[0]
    assert rejected["table_name"] == table
    assert rule in rejected["reason"]
    assert isinstance(json.loads(rejected["record_json"]), dict)
    for name in tables:
        assert result.records_in[name] == len(result.tables[name]) + result.records_rejected[name]


def test_rejected_parent_rejects_its_children() -> None:
    tables = minimal()
    tables["encounters"].loc[0, "encounter_type"] = "teleport"  # E1 rejected
    result = validate(tables, "test")
    assert result.records_rejected["adt_events"] == 1
    assert result.records_rejected["vitals"] == 1
    assert set(result.rejects["rule"]) == {"allowed_value", "referential_integrity"}


def test_code_formats_depend_on_the_code_system() -> None:
    tables = minimal()
    tables["diagnoses"] = pd.DataFrame(
        {
            "diagnosis_id": ["D1", "D2", "D3"],
            "patient_id": ["P1"] * 3,
            "encounter_id": ["E1"] * 3,
            "code_system": ["ICD-10-CM", "ICD-10-CM", "SNOMED-CT"],
            "diagnosis_code": ["J18.9", "18.9J", "233604007"],
            "diagnosed_at": [pd.Timestamp("2025-03-01")] * 3,
        }
    )
    result = validate(tables, "test")
    assert result.tables["diagnoses"]["diagnosis_id"].tolist() == ["D1", "D3"]
    assert result.rejects["record_key"].tolist() == ["D2"]


def test_missing_required_table_or_column_is_a_contract_error() -> None:
    tables = minimal()
    del tables["vitals"]
    with pytest.raises(ContractError, match="vitals"):
        validate(tables, "test")
    tables = minimal()
    tables["encounters"] = tables["encounters"].drop(columns=["admitted_at"])
    with pytest.raises(ContractError, match="admitted_at"):
        validate(tables, "test")


def test_optional_table_absent_is_fine_and_extra_columns_pass_through() -> None:
    tables = minimal()
    tables["patients"]["favourite_colour"] = "blue"
    result = validate(tables, "test")
    assert "lab_results" not in result.tables
    assert "favourite_colour" in result.tables["patients"]
