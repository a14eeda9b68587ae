"""Resources shared by every asset family, named after their systems."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ml.registry import Tracking


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: writers share the `warehouse` pool.

    DuckDB locks the file per process, and a reader (a sensor's read-only tick) blocks a
    writer too: a writer waits up to ``lock_wait_seconds`` (or the ``wait_seconds`` it
    asks for: sensors keep their ticks short) for such short reads to end instead of
    failing its run. Readers never wait (sensors skip and retry next tick).
    """

    path: str
    lock_wait_seconds: float = 60.0

    def _open(self, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + (0 if read_only else wait_seconds)
        while True:
            try:
                return duckdb.connect(self.path, read_only=read_only)
            except duckdb.IOException as error:
                if "lock" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    @contextmanager
    def connect(
        self, read_only: bool = False, wait_seconds: float | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not Path(self.path).exists():
            raise FileNotFoundError(
                f"warehouse {self.path} does not exist yet: materialize the raw assets first"
            )
        wait = self.lock_wait_seconds if wait_seconds is None else wait_seconds
        connection = self._open(read_only, wait)
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
