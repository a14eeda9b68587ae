"""Build the marts of a small simulated network the way the platform does, for tests.

Loads the landing zone with the raw assets' own loaders (daily feeds by landing day) and
runs ``dbt build`` on the marts and everything upstream of them, in a given VIGIL_HOME.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb

from assets.dbt.project import dbt_executable
from assets.raw.assets import FEEDS, load_days, load_parquet
from assets.raw.partitions import landed_days
from simulator.config import NetworkConfig
from vigil.pipeline import simulate
from vigil.settings import DBT_PROJECT_DIR, Settings

MARTS = ["kpi_daily", "kpi_unit_hourly", "quality_monthly", "financial_monthly", "benchmark"]


def land(settings: Settings, config: NetworkConfig) -> None:
    """Simulate the network into the landing zone and run the NEWS2 flow over its vitals,
    lactate results and simulated acknowledgements."""
    from streams.runner import run_news2

    settings.ensure_dirs()
    simulate(config, settings.landing_dir, settings.home / "ground_truth")
    run_news2(
        settings.landing_dir / "vitals",
        settings.stream_dir,
        lab_results_dir=settings.landing_dir / "lab_results",
        nurse_seed=config.seed,  # the simulated nurses' acknowledgements, as the demo runs it
    )


def load_raw(settings: Settings) -> None:
    """Load every landed feed into ``raw``, the daily ones day range by day range.

    Stream outputs (escalations, acknowledgements, ...) load like their assets do: an
    output the flow did not write is an empty table with the flow's schema. The
    simulator codes diagnoses and procedures, the optional contract tables.
    """
    from assets.ingest.assets import EHR_ONLY_TABLES
    from assets.streams.assets import STREAM_OUTPUTS

    with duckdb.connect(str(settings.warehouse_path)) as connection:
        # Coded diagnoses and procedures: one table over every landed day.
        for name in EHR_ONLY_TABLES:
            files = sorted((settings.landing_dir / name).rglob("*.parquet"))
            load_parquet(connection, f"raw.{name}", files)
        for output in STREAM_OUTPUTS:
            files = sorted((settings.landing_dir / output.folder).rglob("*.parquet"))
            if files:
                load_parquet(connection, f"raw.{output.name}", files)
            else:
                connection.execute("create schema if not exists raw")
                connection.register("empty_output", output.schema.empty_table())
                connection.execute(
                    f"create or replace table raw.{output.name} as select * from empty_output"
                )
        for feed in FEEDS:
            folder = settings.landing_dir / feed.folder
            files = sorted(folder.rglob("*.parquet"))
            if not files:
                continue
            if feed.daily:
                days = landed_days(folder)
                load_days(connection, f"raw.{feed.name}", files, days[0], days[-1])
            else:
                load_parquet(connection, f"raw.{feed.name}", files)


def dbt(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **settings.process_env()}
    return subprocess.run(
        [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def build_marts(settings: Settings, *extra: str) -> None:
    selection = " ".join(f"+{mart}" for mart in MARTS)
    # Cautious: skip tests that also read models outside the selection (other feeds).
    result = dbt(
        settings, "build", "--select", selection, "--indirect-selection", "cautious", *extra
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-4000:]}")


def landing_frame(landing_dir: Path, feed: str):
    """A landed feed as pandas, straight from the Parquet files (not the warehouse)."""
    import pandas as pd

    files = sorted((landing_dir / feed).rglob("*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
