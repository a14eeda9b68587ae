"""marts.discharge_planning: the readmission scores joined into a discharge worklist, and
wired so that dbt builds it after the scoring asset."""

from __future__ import annotations

import dagster as dg
import duckdb
import jinja2
import pandas as pd
import pytest

from ml import readmission
from tests.ml.feature_sql import model_path
from tests.ml.synthetic import discharges


def render_mart() -> str:
    return jinja2.Template(model_path("discharge_planning").read_text()).render(
        ref=lambda model: {
            "readmission_features": "ml.readmission_features",
            "stg_ehr__hospitals": "staging.stg_ehr__hospitals",
        }[model],
        source=lambda _source, table: f"ml.{table}",
        config=lambda **_: "",
    )


@pytest.fixture(scope="module")
def mart() -> tuple[pd.DataFrame, pd.DataFrame]:
    features = discharges(600, seed=8).drop(columns="true_readmission_risk_30d")
    model = readmission.build_model({"C": 1.0}).fit(
        readmission.model_input(features), features["is_readmitted_30d"]
    )
    scores = readmission.score_discharges(  # noqa: F841 (read by DuckDB by name)
        model,
        features.iloc[:500],
        readmission.RiskTiers(),
        model_name="vigil-readmission",
        model_version="4",
        scored_at=pd.Timestamp("2025-06-01"),
    )
    hospitals = pd.DataFrame(  # noqa: F841 (read by DuckDB by name)
        {"hospital_id": ["H1", "H2"], "hospital_name": ["North", "South"]}
    )
    with duckdb.connect() as connection:
        for schema in ("ml", "staging"):
            connection.execute(f"create schema {schema}")
        connection.execute("create table ml.readmission_features as select * from features")
        connection.execute("create table ml.readmission_scores as select * from scores")
        connection.execute("create table staging.stg_ehr__hospitals as select * from hospitals")
        return connection.execute(render_mart()).df(), scores


def test_one_row_per_scored_discharge_with_its_tier_and_lace(mart) -> None:
    rows, scores = mart
    assert len(rows) == len(scores) == 500
    assert rows["encounter_id"].is_unique
    merged = rows.merge(scores, on="encounter_id", suffixes=("", "_scored"))
    assert (merged["risk_tier"] == merged["risk_tier_scored"]).all()
    assert (merged["lace_score"] == merged["lace_score_scored"]).all()
    assert set(rows["hospital_name"]) == {"North", "South"}
    assert (rows["discharge_date"] == rows["discharged_at"].dt.date).all()
    assert set(rows["risk_tier"]) == {"low", "medium", "high"}


def test_high_risk_missed_by_lace_flags_only_high_tier_below_the_lace_cutoff(mart) -> None:
    rows, _ = mart
    expected = (rows["risk_tier"] == "high") & ~rows["is_lace_high_risk"]
    assert (rows["is_high_risk_missed_by_lace"] == expected).all()
    assert rows["is_high_risk_missed_by_lace"].any()


def test_the_mart_is_built_after_the_scoring_asset() -> None:
    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    mart = graph.get(dg.AssetKey(["marts", "discharge_planning"]))
    assert dg.AssetKey(["ml", "readmission_scores"]) in mart.parent_keys
    assert dg.AssetKey(["ml", "readmission_features"]) in mart.parent_keys
    assert mart.group_name == "marts"
    # The mart is its own dbt step after the scoring asset, so Dagster does not have to
    # split the main dbt step around the ML assets (a split separates dbt tests from the
    # models they reference).
    nodes = {node.name for node in defs.resolve_job_def("vigil_all_job").graph.nodes}
    assert "vigil_dbt_scored_marts" in nodes
    assert not any(name.startswith("vigil_dbt_models_") for name in nodes)
