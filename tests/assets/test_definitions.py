"""The code location loads, and every asset is catalogued for the people reading the UI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assets.definitions import defs

SNAPSHOT = Path(__file__).with_name("asset_keys.json")


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_definitions_validate() -> None:
    # Raises if resources, jobs or sensors do not line up.
    defs.resolve_all_job_defs()
    assert defs.resolve_job_def("vigil_all_job") is not None
    assert defs.resolve_sensor_def("readmission_drift_sensor") is not None


def test_every_asset_has_description_group_owner_and_kinds(graph) -> None:
    problems = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        for attribute in ("description", "group_name", "owners", "kinds"):
            if not getattr(node, attribute):
                problems.append(f"{key.to_user_string()} has no {attribute}")
        if node.group_name == "default":
            problems.append(f"{key.to_user_string()} is in the default group")
    assert problems == []


def test_asset_keys_match_snapshot(graph) -> None:
    """Renames must be visible in review: update asset_keys.json together with the change."""
    keys = sorted(key.to_user_string() for key in graph.get_all_asset_keys())
    assert keys == json.loads(SNAPSHOT.read_text())


def test_dbt_tests_are_asset_checks(graph) -> None:
    checks = {check.name for check in graph.asset_check_keys}
    assert any(name.startswith("unique_") for name in checks)
    assert any(name.startswith("relationships_") for name in checks)


def test_dbt_sources_are_the_raw_assets(graph) -> None:
    staging = graph.get(
        next(k for k in graph.get_all_asset_keys() if k.path == ["staging", "stg_ehr__vitals"])
    )
    assert [k.path for k in staging.parent_keys] == [["raw", "vitals"]]
