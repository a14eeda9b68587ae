"""Build ML feature tables from the project's own dbt SQL, without a dbt run.

The staging and feature models only use ``ref``/``source``/``config``, so rendering
them with Jinja over DuckDB tables named like the warehouse gives the same table dbt
would build, fast enough for unit tests (leakage, end-to-end training).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pandas as pd

from vigil.settings import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
READMISSION_CHAIN = {
    "staging": ["stg_ehr__encounters", "stg_ehr__patients", "stg_ehr__ed_visits"],
    "ml": ["readmission_features", "length_of_stay_features"],
}
DETERIORATION_CHAIN = {
    "staging": [
        "stg_ehr__encounters",
        "stg_ehr__patients",
        "stg_ehr__units",
        "stg_ehr__vitals",
        "stg_ehr__lab_results",
        "stg_ehr__clinical_events",
    ],
    "ml": ["deterioration_observations", "deterioration_features"],
}


def model_path(name: str) -> Path:
    return next(MODELS.rglob(f"{name}.sql"))


def render(name: str, schemas: dict[str, str]) -> str:
    """The model's SQL with refs to ``schema.model`` and sources to ``raw.table``."""
    template = jinja2.Template(model_path(name).read_text())
    return template.render(
        ref=lambda model: f"{schemas[model]}.{model}",
        source=lambda _source, table: f"raw.{table}",
        config=lambda **_: "",
    )


def build_features(
    connection: duckdb.DuckDBPyConnection,
    raw: dict[str, pd.DataFrame],
    chain: dict[str, list[str]] = READMISSION_CHAIN,
) -> None:
    """Load ``raw`` tables into schema raw, then build ``chain`` (schema -> models) in order."""
    schemas = {model: schema for schema, models in chain.items() for model in models}
    for schema in ("raw", *chain):
        connection.execute(f"create schema if not exists {schema}")
    for table, frame in raw.items():
        connection.register("frame", frame)
        connection.execute(f"create or replace table raw.{table} as select * from frame")
        connection.unregister("frame")
    for schema, models in chain.items():
        for model in models:
            sql = render(model, schemas)
            connection.execute(f"create or replace table {schema}.{model} as {sql}")


def feature_table(
    raw: dict[str, pd.DataFrame], table: str, chain: dict[str, list[str]] = READMISSION_CHAIN
) -> pd.DataFrame:
    """``ml.<table>`` built from ``raw`` (the tables ``chain`` reads) through ``chain``."""
    with duckdb.connect() as connection:
        build_features(connection, raw, chain)
        return connection.execute(f"select * from ml.{table}").df()


def readmission_features(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return feature_table(raw, "readmission_features")


def deterioration_features(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return feature_table(raw, "deterioration_features", DETERIORATION_CHAIN)
