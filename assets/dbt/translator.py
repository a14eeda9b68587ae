"""How dbt nodes become Dagster assets: keys ``[schema, name]`` like the warehouse.

Incremental models are partitioned by landing day like the raw event feeds; every
model refreshes through an automation condition when its upstream lands, and the
marts carry a freshness policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

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
# Eager, but for any day that landed (simulated history is not the latest wall-clock day).
REFRESH_WHEN_UPSTREAM_LANDS = dg.AutomationCondition.eager().without(
    dg.AutomationCondition.in_latest_time_window()
)


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
        if dbt_resource_props["resource_type"] in {"model", "seed", "snapshot"}:
            return REFRESH_WHEN_UPSTREAM_LANDS
        return None
