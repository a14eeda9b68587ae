"""The dbt project (staging, marts, ML features) as Dagster assets; dbt tests are asset checks.

Two definitions over one manifest: the incremental models, partitioned by landing day
(the partition range reaches dbt as the vars ``from_day`` / ``to_day``), and every other
model, seed and snapshot, rebuilt whole.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from assets.dbt.translator import VigilDbtTranslator
from assets.raw.assets import WAREHOUSE_POOL
from assets.raw.partitions import LANDING_DAYS

DAILY_SELECTION = "config.materialized:incremental"


def partition_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's partition range as the dbt vars the incremental models filter on."""
    keys = context.partition_key_range
    return {"from_day": keys.start, "to_day": keys.end}


def build_dbt_assets(project: DbtProject) -> list[dg.AssetsDefinition]:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=VigilDbtTranslator(),
        exclude=DAILY_SELECTION,
        pool=WAREHOUSE_POOL,
    )
    def vigil_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Build the selected dbt models and run their tests (dbt build)."""
        yield from dbt.cli(["build"], context=context).stream()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=VigilDbtTranslator(),
        select=DAILY_SELECTION,
        partitions_def=LANDING_DAYS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
    )
    def vigil_dbt_daily_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Build the incremental models for the run's landing days (dbt build --vars)."""
        args = ["build", "--vars", json.dumps(partition_vars(context))]
        yield from dbt.cli(args, context=context).stream()

    return [vigil_dbt_models, vigil_dbt_daily_models]
