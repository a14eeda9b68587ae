"""Every headline metric of the marts equals its recomputation from the raw landed feeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.marts import recompute
from tests.marts.warehouse import landing_frame
from vigil.settings import Settings


@pytest.fixture(scope="module")
def feeds(marts_settings: Settings) -> dict[str, pd.DataFrame]:
    landing = marts_settings.landing_dir
    return {
        name: landing_frame(landing, name)
        for name in ("hospitals", "patients", "encounters", "adt_events", "ed_visits")
    }


def assert_same(mart: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Same keys, and every expected column equal (floats to 1e-9, NaN matching NaN)."""
    merged = expected.merge(mart, on=keys, how="outer", suffixes=("_expected", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in expected.columns.difference(keys):
        want = merged[f"{column}_expected"].astype(float).to_numpy()
        got = merged[column].astype(float).to_numpy()
        bad = ~np.isclose(want, got, rtol=1e-9, atol=1e-9, equal_nan=True)
        assert not bad.any(), f"{column}: {merged.loc[bad, keys + [f'{column}_expected', column]]}"


def test_kpi_daily_matches_raw_feeds(warehouse, feeds) -> None:
    expected = recompute.kpi_daily(
        feeds["encounters"], feeds["hospitals"], feeds["adt_events"], feeds["ed_visits"]
    )
    columns = ", ".join(expected.columns)
    mart = warehouse.execute(f"select {columns} from marts.kpi_daily").df()
    mart["kpi_date"] = pd.to_datetime(mart["kpi_date"])
    assert_same(mart, expected, ["hospital_id", "kpi_date"])
    # Counts in = counts out: every encounter admitted and every ED visit counted once.
    assert mart["admissions"].sum() == len(feeds["encounters"])
    assert mart["ed_arrivals"].sum() == len(feeds["ed_visits"])
    assert mart["midnight_census"].max() > 0 and mart["lwbs_pct"].max() > 0


def test_kpi_daily_news2_acknowledgement_matches_stream_outputs(
    warehouse, feeds, marts_settings
) -> None:
    landing = marts_settings.landing_dir
    expected = recompute.news2_responses(
        landing_frame(landing, "streams/news2/alerts"),
        landing_frame(landing, "streams/news2/acknowledgements"),
        landing_frame(landing, "streams/news2/escalations"),
        feeds["encounters"],
    )
    columns = ", ".join(expected.columns)
    mart = warehouse.execute(
        f"select {columns} from marts.kpi_daily where news2_alerts_raised > 0"
    ).df()
    mart["kpi_date"] = pd.to_datetime(mart["kpi_date"])
    assert_same(mart, expected, ["hospital_id", "kpi_date"])
    # Nurses answer most alerts, some late: the median is a real, positive time.
    assert expected["news2_alerts_acknowledged"].sum() > 0
    assert expected["news2_alerts_escalated"].sum() > 0
    assert expected["median_news2_minutes_to_acknowledgement"].max() > 0


def test_kpi_unit_hourly_census_matches_adt(warehouse, feeds) -> None:
    expected = recompute.unit_hourly_census(feeds["adt_events"])
    mart = warehouse.execute(
        "select unit_id, hour_start_at, census from marts.kpi_unit_hourly"
    ).df()
    assert_same(mart, expected, ["unit_id", "hour_start_at"])
    moves = warehouse.execute(
        "select sum(admissions), sum(transfers_in), sum(transfers_out) from marts.kpi_unit_hourly"
    ).fetchone()
    events = feeds["adt_events"]["event_type"].value_counts()
    assert moves[0] == events["A01"]
    assert moves[1] == moves[2] == events.get("A02", 0)


def test_kpi_unit_hourly_boarders_match_ed_visits(warehouse, feeds) -> None:
    expected = recompute.unit_hourly_boarders(
        feeds["ed_visits"], feeds["encounters"], feeds["adt_events"]
    )
    mart = warehouse.execute(
        "select unit_id, hour_start_at, boarders from marts.kpi_unit_hourly"
    ).df()
    assert_same(mart, expected, ["unit_id", "hour_start_at"])
    assert expected["boarders"].max() > 0  # the network does board patients


def test_quality_monthly_readmissions_follow_cms_hwr(warehouse, feeds, marts_settings) -> None:
    data_end = feeds["adt_events"]["event_at"].max()
    landing = marts_settings.landing_dir
    planned = recompute.paa_planned_admissions(
        landing_frame(landing, "diagnoses"), landing_frame(landing, "procedures")
    )
    per_discharge = recompute.hwr_readmissions(feeds["encounters"], data_end, planned)
    expected = (
        per_discharge.groupby(["hospital_id", "quality_month"])
        .agg(
            index_admissions=("is_index", "sum"),
            unplanned_readmissions_30d=("is_readmitted", "sum"),
        )
        .reset_index()
    )
    mart = warehouse.execute(
        "select hospital_id, quality_month, index_admissions, unplanned_readmissions_30d, "
        "readmission_rate_pct from marts.quality_monthly"
    ).df()
    mart["quality_month"] = pd.to_datetime(mart["quality_month"])
    assert_same(
        mart.drop(columns="readmission_rate_pct"), expected, ["hospital_id", "quality_month"]
    )
    assert expected["index_admissions"].sum() > 100
    assert expected["unplanned_readmissions_30d"].sum() > 0
    # The simulator's elective surgery and deliveries are planned admissions by the PAA.
    assert len(planned) > 0
    with_index = mart[mart["index_admissions"] > 0]
    np.testing.assert_allclose(
        with_index["readmission_rate_pct"],
        100 * with_index["unplanned_readmissions_30d"] / with_index["index_admissions"],
    )


def test_quality_monthly_mortality_and_oe_ratio(warehouse, feeds) -> None:
    expected = recompute.mortality(feeds["encounters"], feeds["patients"])
    mart = warehouse.execute(
        "select hospital_id, quality_month, discharges, in_hospital_deaths, expected_deaths, "
        "mortality_oe_ratio from marts.quality_monthly"
    ).df()
    mart["quality_month"] = pd.to_datetime(mart["quality_month"])
    keys = ["hospital_id", "quality_month"]
    assert_same(
        mart[keys + ["discharges", "in_hospital_deaths"]],
        expected.drop(columns="expected_deaths"),
        keys,
    )
    # The same risk model refitted here: equal up to the solver's convergence.
    merged = expected.merge(mart, on=keys, suffixes=("_expected", ""))
    np.testing.assert_allclose(
        merged["expected_deaths"], merged["expected_deaths_expected"], rtol=1e-6, atol=1e-9
    )
    # Logistic regression with an intercept: over the fitting population (every discharge
    # of the network) expected deaths equal observed deaths.
    assert mart["expected_deaths"].sum() == pytest.approx(
        mart["in_hospital_deaths"].sum(), rel=1e-8
    )
    assert mart["in_hospital_deaths"].sum() > 0
    # The model discriminates: hospital-months differ in expected deaths per discharge.
    assert (mart["expected_deaths"] / mart["discharges"]).std() > 0
    ratio = mart["in_hospital_deaths"] / mart["expected_deaths"]
    np.testing.assert_allclose(
        mart["mortality_oe_ratio"].dropna(), ratio[mart["mortality_oe_ratio"].notna()]
    )


def test_financial_monthly_cmi_denials_and_days_in_ar(warehouse, marts_settings) -> None:
    landing = marts_settings.landing_dir
    expected = recompute.finance(
        landing_frame(landing, "encounters"),
        landing_frame(landing, "claims"),
        landing_frame(landing, "remittances"),
    )
    columns = ", ".join(expected.columns)
    mart = warehouse.execute(f"select {columns} from marts.financial_monthly").df()
    mart["finance_month"] = pd.to_datetime(mart["finance_month"])
    assert_same(mart, expected, ["hospital_id", "finance_month", "payer_id"])
    assert expected["denial_rate_pct"].max() > 0
    assert expected["case_mix_index"].between(0.5, 5).all()


def test_benchmark_against_network_and_nation(warehouse, feeds) -> None:
    bench = warehouse.execute("select * from marts.benchmark").df()
    # LWBS per hospital-month, straight from the ED feed, next to CMS OP-22 (3 %).
    ed = feeds["ed_visits"].assign(
        period_month=feeds["ed_visits"]["arrived_at"].dt.to_period("M").dt.to_timestamp()
    )
    lwbs = (
        ed.groupby(["hospital_id", "period_month"])["disposition"]
        .apply(lambda d: 100.0 * (d == "left_without_being_seen").mean())
        .rename("metric_value")
        .reset_index()
    )
    got = bench[bench["metric_id"] == "lwbs_pct"].copy()
    got["period_month"] = pd.to_datetime(got["period_month"])
    assert_same(
        got[["hospital_id", "period_month", "metric_value"]], lwbs, ["hospital_id", "period_month"]
    )
    assert (got["national_value"] == 3.0).all() and (got["flag_reference"] == "national").all()
    # The network median is the median over hospitals; the flag follows the direction.
    for (_, _), group in bench.groupby(["metric_id", "period_month"]):
        assert group["network_median"].iloc[0] == pytest.approx(group["metric_value"].median())
    readmissions = bench[bench["metric_id"] == "readmission_rate_pct"]
    assert readmissions["national_value"].eq(14.6).all()
    worse = readmissions["metric_value"] > 14.6 * 1.05
    assert (readmissions.loc[worse, "performance_flag"] == "worse").all()
    assert bench.loc[bench["is_lower_better"].isna(), "performance_flag"].isna().all()
