"""Resources shared by every asset family, named after their systems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ml.registry import Tracking


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: writers share the `warehouse` pool."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not Path(self.path).exists():
            raise FileNotFoundError(
                f"warehouse {self.path} does not exist yet: materialize the raw assets first"
            )
        connection = duckdb.connect(self.path, read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()


class MlflowResource(dg.ConfigurableResource):
    """MLflow tracking and registry over the SQLite store under VIGIL_HOME.

    A plain resource around the client (rather than dagster-mlflow's hook, which
    ends runs early) so each asset owns its run's lifetime.
    """

    tracking_uri: str
    artifact_dir: str

    def tracking(self) -> Tracking:
        return Tracking(self.tracking_uri, Path(self.artifact_dir))


class LandingZoneResource(dg.ConfigurableResource):
    """The Parquet landing zone the simulator, the adapters and the flows write to."""

    path: str

    def parquet_files(self, folder: str) -> list[Path]:
        return sorted((Path(self.path) / folder).rglob("*.parquet"))
