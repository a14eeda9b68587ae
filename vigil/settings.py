"""The one place Vigil reads its environment.

Everything Vigil writes at run time lives under ``VIGIL_HOME`` (default ``./.vigil``):
the DuckDB warehouse, the landing zone, ``DAGSTER_HOME``, the MLflow store, dbt's
target and log folders, and reports. Source folders are never written to.

Nothing here touches the disk or the environment at import time: call
:func:`get_settings` (reads the environment) and :meth:`Settings.ensure_dirs`
(creates folders) explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# No network on the target machines: every tool that phones home is told not to.
TELEMETRY_OFF: Mapping[str, str] = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "EVIDENTLY_DISABLE_TELEMETRY": "1",
}

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    """Typed run-time locations, all derived from ``home``."""

    home: Path
    # Secret keying the HMAC pseudonyms the intake adapters give identifiers
    # (VIGIL_PSEUDONYM_KEY); None until set. Never logged, never written.
    pseudonym_key: str | None = field(default=None, repr=False)
    # Where run-failure alerts are POSTed (VIGIL_ALERT_WEBHOOK_URL); "" = table and log only.
    alert_webhook_url: str = ""
    # PostgreSQL for the production deployment (VIGIL_POSTGRES_URL, a libpq URL such as
    # postgresql://vigil@db:5432/vigil): Dagster's run, event and schedule storage and
    # MLflow's tracking and registry store move there. None = the embedded SQLite stores.
    # Kept out of repr: the URL may hold a password.
    postgres_url: str | None = field(default=None, repr=False)

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def landing_dir(self) -> Path:
        """Parquet landing zone: ``<feed>/day=YYYY-MM-DD/part-0.parquet``."""
        return self.home / "landing"

    @property
    def stream_dir(self) -> Path:
        """Outputs of the Bytewax flows (scores, alerts), also Parquet."""
        return self.landing_dir / "streams"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def mlflow_dir(self) -> Path:
        return self.home / "mlflow"

    @property
    def mlflow_tracking_uri(self) -> str:
        """SQLite under VIGIL_HOME, or the PostgreSQL server (SQLAlchemy, psycopg 3 driver)."""
        if self.postgres_url:
            return sqlalchemy_postgres_url(self.postgres_url)
        return f"sqlite:///{(self.mlflow_dir / 'mlflow.db').resolve()}"

    @property
    def mlflow_artifact_dir(self) -> Path:
        return self.mlflow_dir / "artifacts"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def dbt_manifest_path(self) -> Path:
        return self.dbt_target_dir / "manifest.json"

    def ensure_dirs(self) -> None:
        """Create every run-time folder (idempotent)."""
        for path in (
            self.home,
            self.landing_dir,
            self.stream_dir,
            self.dagster_home,
            self.mlflow_artifact_dir,
            self.reports_dir,
            self.dbt_target_dir,
            self.dbt_log_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)

    def process_env(self) -> dict[str, str]:
        """Environment variables the tools under Vigil (Dagster, dbt, MLflow) read."""
        postgres = (
            {
                "VIGIL_POSTGRES_URL": self.postgres_url,
                # dagster-postgres binds NOTIFY payloads the psycopg2 way, and SQLAlchemy
                # 2.1 maps a bare postgresql:// to psycopg 3, so Dagster names its driver.
                "VIGIL_DAGSTER_POSTGRES_URL": sqlalchemy_postgres_url(
                    self.postgres_url, driver="psycopg2"
                ),
            }
            if self.postgres_url
            else {}
        )
        return {
            **TELEMETRY_OFF,
            **postgres,
            "VIGIL_HOME": str(self.home),
            "DAGSTER_HOME": str(self.dagster_home),
            "VIGIL_WAREHOUSE": str(self.warehouse_path),
            "DBT_TARGET_PATH": str(self.dbt_target_dir),
            "DBT_LOG_PATH": str(self.dbt_log_dir),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
        }


def sqlalchemy_postgres_url(url: str, driver: str = "psycopg") -> str:
    """A libpq URL (``postgresql://`` or ``postgres://``) as a SQLAlchemy URL with ``driver``."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in {"postgresql", "postgres"} or not rest:
        raise ValueError(
            "VIGIL_POSTGRES_URL must look like postgresql://user[:password]@host:port/database"
        )
    return f"postgresql+{driver}://{rest}"


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``VIGIL_HOME`` (default ``./.vigil``, made absolute), ``VIGIL_PSEUDONYM_KEY``,
    ``VIGIL_ALERT_WEBHOOK_URL`` and ``VIGIL_POSTGRES_URL``."""
    env = os.environ if environ is None else environ
    home = Path(env.get("VIGIL_HOME") or ".vigil").expanduser().resolve()
    postgres_url = env.get("VIGIL_POSTGRES_URL") or None
    if postgres_url:
        sqlalchemy_postgres_url(postgres_url)  # a malformed URL fails here, not mid-run
    return Settings(
        home=home,
        pseudonym_key=env.get("VIGIL_PSEUDONYM_KEY") or None,
        alert_webhook_url=env.get("VIGIL_ALERT_WEBHOOK_URL", ""),
        postgres_url=postgres_url,
    )


def apply_process_env(settings: Settings) -> None:
    """Export :meth:`Settings.process_env` into ``os.environ`` for child tools.

    Paths always follow ``settings`` (so a test's temporary ``VIGIL_HOME`` wins);
    telemetry switches the user already set are left alone.
    """
    for key, value in settings.process_env().items():
        if key in TELEMETRY_OFF and key in os.environ:
            continue
        os.environ[key] = value
