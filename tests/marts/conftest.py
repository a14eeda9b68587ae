"""One small simulated network, landed, loaded and built once for every marts test."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from simulator.config import NetworkConfig
from tests.marts.warehouse import build_marts, land, load_raw
from vigil.settings import Settings

SMALL = NetworkConfig(hospitals=2, days=60, seed=11)


@pytest.fixture(scope="session")
def marts_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(home=Path(tmp_path_factory.mktemp("marts")) / "home")
    land(settings, SMALL)
    load_raw(settings)
    build_marts(settings)
    return settings


@pytest.fixture(scope="module")
def warehouse(marts_settings: Settings):
    """Read-only, per module: modules that run dbt need the file free of readers."""
    with duckdb.connect(str(marts_settings.warehouse_path), read_only=True) as connection:
        yield connection
