"""The dbt project (staging, marts, ML features) as Dagster assets; dbt tests are asset checks.

Three definitions over one manifest: the incremental models, partitioned by landing day
(the partition range reaches dbt as the vars ``from_day`` / ``to_day``), the marts that
join ML scores (tag ``after_scoring``, built after the scoring assets), and every other
model, seed and snapshot, rebuilt whole.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from assets.dbt.translator import VigilDbtTranslator
from assets.raw.assets import WAREHOUSE_POOL
from assets.raw.partitions import LANDING_DAYS

DAILY_SELECTION = "config.materialized:incremental"
# Marts that read ML scores (dbt sources in schema ml written by the scoring assets) are
# their own step, after the scoring assets; inside the main step they would make Dagster
# split it around the ML assets, separating tests from the models they reference.
AFTER_SCORING_SELECTION = "tag:after_scoring"


def partition_vars(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's partition range as the dbt vars the incremental models filter on."""
    keys = context.partition_key_range
    return {"from_day": keys.start, "to_day": keys.end}


def build_dbt_assets(project: DbtProject) -> list[dg.AssetsDefinition]:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=VigilDbtTranslator(),
        exclude=f"{DAILY_SELECTION} {AFTER_SCORING_SELECTION}",
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

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=VigilDbtTranslator(),
        select=AFTER_SCORING_SELECTION,
        pool=WAREHOUSE_POOL,
    )
    def vigil_dbt_scored_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Build the marts that join ML scores (after the scoring assets) and run their tests."""
        yield from dbt.cli(["build"], context=context).stream()

    return [vigil_dbt_models, vigil_dbt_daily_models, vigil_dbt_scored_marts]
