"""The dbt project (staging, marts, ML features) as Dagster assets; dbt tests are asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from assets.dbt.translator import VigilDbtTranslator
from assets.raw.assets import WAREHOUSE_POOL


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=VigilDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def vigil_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Build the selected dbt models and run their tests (dbt build)."""
        yield from dbt.cli(["build"], context=context).stream()

    return vigil_dbt_models
