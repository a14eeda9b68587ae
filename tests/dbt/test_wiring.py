"""The dbt project in Dagster: daily partitions, automation, freshness, checks, column docs."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.definitions import defs
from assets.raw.partitions import LANDING_DAYS

DAILY_MARTS = [["marts", "kpi_daily"], ["marts", "kpi_unit_hourly"]]


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def node(graph, path: list[str]):
    return graph.get(dg.AssetKey(path))


def test_daily_feeds_and_incremental_marts_share_the_landing_day_partitions(graph) -> None:
    for path in [["raw", "encounters"], ["raw", "adt_events"], *DAILY_MARTS]:
        assert node(graph, path).partitions_def == LANDING_DAYS, path
    for path in [["raw", "hospitals"], ["marts", "quality_monthly"]]:
        assert node(graph, path).partitions_def is None, path


def test_marts_refresh_on_upstream_and_carry_a_freshness_policy(graph) -> None:
    for path in [*DAILY_MARTS, ["marts", "quality_monthly"]]:
        mart = node(graph, path)
        assert mart.automation_condition is not None, path
        assert isinstance(mart.freshness_policy, dg.FreshnessPolicy), path
    assert node(graph, ["intermediate", "int_readmissions_linked"]).automation_condition


def test_marts_show_their_documented_columns(graph) -> None:
    schema = node(graph, ["marts", "kpi_daily"]).metadata["dagster/column_schema"]
    described = {column.name: column.description for column in schema.columns}
    assert "CMS OP-22" in described["lwbs_pct"]
    assert all(described.values())


def test_dbt_tests_on_the_marts_are_asset_checks(graph) -> None:
    checks = {key.name for key in graph.asset_check_keys if key.asset_key.path[0] == "marts"}
    assert any(name.startswith("unique_combination_of_columns_kpi_daily") for name in checks)
    assert any("quality_monthly" in name for name in checks)


def test_seeds_are_reference_assets(graph) -> None:
    seed = node(graph, ["reference", "cms__unplanned_hospital_visits_national"])
    assert seed.group_name == "reference"
