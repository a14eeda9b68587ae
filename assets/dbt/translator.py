"""How dbt nodes become Dagster assets: keys ``[schema, name]`` like the warehouse."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

# Warehouse schema -> (Dagster group, default owner).
SCHEMA_GROUPS = {
    "staging": ("staging", "team:analytics-engineering"),
    "marts": ("marts", "team:analytics-engineering"),
    "ml": ("ml_features", "team:ml-engineering"),
}


class VigilDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

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
