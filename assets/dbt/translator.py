"""How dbt nodes become Dagster assets: keys ``[schema, name]`` like the warehouse.

Incremental models are partitioned by landing day like the raw event feeds; every
model refreshes through an automation condition when its upstream lands, and the
marts carry a freshness policy.

A daily model reads its days' raw rows through staging views and whole-table
intermediate models, none of them partitioned, so Dagster alone cannot tell which of its
days an upstream change touched. The daily models therefore also depend directly on the
daily raw feeds they read (day to day), and their condition requests a day when that
day's raw partition (re)lands; a change of an unpartitioned upstream (a reference table,
a rebuilt intermediate model) requests only the latest day, not every day since 2020.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from assets.raw.assets import FEEDS
from assets.raw.partitions import LANDING_DAYS

# Warehouse schema -> (Dagster group, default owner).
SCHEMA_GROUPS = {
    "staging": ("staging", "team:analytics-engineering"),
    "marts": ("marts", "team:analytics-engineering"),
    "intermediate": ("intermediate", "team:analytics-engineering"),
    "ml": ("ml_features", "team:ml-engineering"),
    "reference": ("reference", "team:analytics-engineering"),
}
# Stakeholders read the marts every morning: a mart not rebuilt within a day is stale.
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=24)
)
DAILY_RAW_KEYS = frozenset(dg.AssetKey(["raw", feed.name]) for feed in FEEDS if feed.daily)
DAILY_RAW = dg.AssetSelection.assets(*DAILY_RAW_KEYS)
# Unpartitioned models: eager, for any landed day (simulated history is not the latest
# wall-clock day), and not held back by the raw feeds' days that never landed (every
# day since FIRST_LANDING_DAY is a partition; most are missing by design).
REFRESH_WHEN_UPSTREAM_LANDS = (
    dg.AutomationCondition.eager()
    .without(dg.AutomationCondition.in_latest_time_window())
    .without(~dg.AutomationCondition.any_deps_missing())
    & ~dg.AutomationCondition.any_deps_missing().ignore(DAILY_RAW)
).with_label("refresh_when_upstream_lands")
# Daily models: a day whose raw partition (re)landed; the latest day when an unpartitioned
# upstream changed. Requested one tick after the last upstream update, and never while an
# upstream runs: the intermediate models a day reads are requested on the tick its raw
# day lands and run before it. (``will_be_requested`` of an unpartitioned parent is not
# visible from a partitioned child, dagster-io/dagster#32935, so the wait is by tick.)
DAY_LANDED = dg.AutomationCondition.any_deps_match(dg.AutomationCondition.newly_updated()).allow(
    DAILY_RAW
)
UNPARTITIONED_UPSTREAM_CHANGED = dg.AutomationCondition.any_deps_updated().ignore(DAILY_RAW)
REFRESH_LANDED_DAYS = (
    (
        DAY_LANDED
        | (dg.AutomationCondition.in_latest_time_window() & UNPARTITIONED_UPSTREAM_CHANGED)
    ).since_last_handled()
    & ~dg.AutomationCondition.any_deps_match(dg.AutomationCondition.newly_updated())
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("refresh_landed_days")


def upstream_daily_raw_keys(
    manifest: Mapping[str, Any], unique_id: str, key_of: Any
) -> list[dg.AssetKey]:
    """The daily raw feeds a dbt node reads, through any depth of models."""
    parents = manifest["parent_map"]
    seen, stack, found = set(), list(parents.get(unique_id, [])), set()
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if node_id.startswith("source."):
            key = key_of(manifest["sources"][node_id])
            if key in DAILY_RAW_KEYS:
                found.add(key)
        else:
            stack.extend(parents.get(node_id, []))
    return sorted(found, key=lambda key: key.to_user_string())


def is_daily_model(dbt_resource_props: Mapping[str, Any]) -> bool:
    """Incremental models are built per landing day (the partition arrives as dbt vars)."""
    return dbt_resource_props.get("config", {}).get("materialized") == "incremental"


class VigilDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.key.path[0] == "marts" and unique_id.startswith("model."):
            spec = spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
        if unique_id.startswith("model.") and is_daily_model(manifest["nodes"][unique_id]):
            raw = upstream_daily_raw_keys(manifest, unique_id, self.get_asset_key)
            spec = spec.merge_attributes(deps=[dg.AssetDep(key) for key in raw])
        return spec

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # Sources (schema raw) line up with the raw assets; models with their schema.
        name = (
            dbt_resource_props.get("alias")
            or dbt_resource_props.get("identifier")
            or dbt_resource_props["name"]
        )
        return dg.AssetKey([dbt_resource_props["schema"], name])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return SCHEMA_GROUPS.get(dbt_resource_props["schema"], ("dbt", ""))[0]

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        owners = super().get_owners(dbt_resource_props)
        return owners or [
            SCHEMA_GROUPS.get(dbt_resource_props["schema"], ("", "team:analytics-engineering"))[1]
        ]

    def get_partitions_def(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.PartitionsDefinition | None:
        return LANDING_DAYS if is_daily_model(dbt_resource_props) else None

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        if dbt_resource_props["resource_type"] not in {"model", "seed", "snapshot"}:
            return None
        if is_daily_model(dbt_resource_props):
            return REFRESH_LANDED_DAYS
        return REFRESH_WHEN_UPSTREAM_LANDS
