"""No feature uses data from after its prediction time.

The proof by censoring: rebuild the feature table from the data as it stood at a
cut-off (later admissions removed, later discharges not yet known), and every
discharge known at the cut-off must get exactly the same features. A feature that
peeks past the discharge (a later admission, a later discharge) changes here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.config import NetworkConfig
from simulator.network import simulate
from tests.ml.feature_sql import deterioration_features, feature_table, readmission_features

LABEL_COLUMNS = {"is_readmitted_30d", "is_label_mature"}
TARGET_COLUMNS = {"length_of_stay_days", "is_target_mature"}


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    tables = simulate(NetworkConfig(hospitals=1, days=75, beds_per_hospital=60, seed=5))
    return {name: tables[name] for name in ("encounters", "patients", "ed_visits")}


def censor(raw: dict[str, pd.DataFrame], cutoff: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The data as it stood at ``cutoff``."""
    encounters = raw["encounters"][raw["encounters"]["admitted_at"] <= cutoff].copy()
    open_stays = encounters["discharged_at"] > cutoff
    encounters.loc[open_stays, "discharged_at"] = pd.NaT
    encounters.loc[open_stays, "discharge_disposition"] = None
    visits = raw["ed_visits"][raw["ed_visits"]["arrived_at"] <= cutoff]
    return {"encounters": encounters, "patients": raw["patients"], "ed_visits": visits}


@pytest.mark.parametrize("cutoff_day", [30, 50])
def test_features_at_discharge_do_not_change_when_the_future_is_removed(
    raw: dict[str, pd.DataFrame], cutoff_day: int
) -> None:
    cutoff = raw["encounters"]["admitted_at"].min().normalize() + pd.Timedelta(days=cutoff_day)
    full = readmission_features(raw).set_index("encounter_id")
    censored = readmission_features(censor(raw, cutoff)).set_index("encounter_id")
    known = censored.index.intersection(full.index)
    assert len(known) >= 100, "too few discharges before the cut-off to prove anything"
    assert (censored["discharged_at"] <= cutoff).all()
    features = [c for c in full.columns if c not in LABEL_COLUMNS]
    pd.testing.assert_frame_equal(
        censored.loc[known, features].sort_index(),
        full.loc[known, features].sort_index(),
        check_dtype=False,
    )


def test_censoring_does_change_the_labels(raw: dict[str, pd.DataFrame]) -> None:
    """The check above can fail: the forward-looking label does see the removed future."""
    cutoff = raw["encounters"]["admitted_at"].min().normalize() + pd.Timedelta(days=50)
    full = readmission_features(raw).set_index("encounter_id")
    censored = readmission_features(censor(raw, cutoff)).set_index("encounter_id")
    known = censored.index.intersection(full.index)
    assert (censored.loc[known, "is_readmitted_30d"] != full.loc[known, "is_readmitted_30d"]).any()


def test_length_of_stay_features_at_admission_do_not_change_when_the_future_is_removed(
    raw: dict[str, pd.DataFrame],
) -> None:
    cutoff = raw["encounters"]["admitted_at"].min().normalize() + pd.Timedelta(days=40)
    full = feature_table(raw, "length_of_stay_features").set_index("encounter_id")
    censored = feature_table(censor(raw, cutoff), "length_of_stay_features").set_index(
        "encounter_id"
    )
    assert len(censored) >= 100
    assert set(censored.index) <= set(full.index)
    assert censored["length_of_stay_days"].isna().any(), "open stays at the cut-off expected"
    features = [c for c in full.columns if c not in TARGET_COLUMNS]
    pd.testing.assert_frame_equal(
        censored[features].sort_index(),
        full.loc[censored.index, features].sort_index(),
        check_dtype=False,
    )


DETERIORATION_LABEL_COLUMNS = {"is_deteriorated_24h", "is_label_mature", "hours_to_deterioration"}


@pytest.fixture(scope="module")
def clinical_raw() -> dict[str, pd.DataFrame]:
    tables = simulate(NetworkConfig(hospitals=1, days=60, beds_per_hospital=60, seed=5))
    names = ("encounters", "patients", "units", "vitals", "lab_results", "clinical_events")
    return {name: tables[name] for name in names}


def censor_clinical(raw: dict[str, pd.DataFrame], cutoff: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The clinical feeds as they stood at ``cutoff``: each lands by its own event time."""
    censored = censor(
        {"encounters": raw["encounters"], "patients": raw["patients"], "ed_visits": _no_visits()},
        cutoff,
    )
    return {
        "encounters": censored["encounters"],
        "patients": raw["patients"],
        "units": raw["units"],
        "vitals": raw["vitals"][raw["vitals"]["observed_at"] <= cutoff],
        "lab_results": raw["lab_results"][raw["lab_results"]["resulted_at"] <= cutoff],
        "clinical_events": raw["clinical_events"][raw["clinical_events"]["event_at"] <= cutoff],
    }


def _no_visits() -> pd.DataFrame:
    return pd.DataFrame({"arrived_at": pd.Series([], dtype="datetime64[ns]")})


@pytest.mark.parametrize("cutoff_day", [25, 45])
def test_deterioration_features_do_not_change_when_the_future_is_removed(
    clinical_raw: dict[str, pd.DataFrame], cutoff_day: int
) -> None:
    start = clinical_raw["encounters"]["admitted_at"].min().normalize()
    cutoff = start + pd.Timedelta(days=cutoff_day, hours=7)
    full = deterioration_features(clinical_raw).set_index("observation_id")
    censored = deterioration_features(censor_clinical(clinical_raw, cutoff)).set_index(
        "observation_id"
    )
    assert len(censored) >= 1000, "too few observation sets before the cut-off"
    assert set(censored.index) <= set(full.index)
    assert censored["lactate_mmol_per_l"].notna().sum() >= 100, "labs expected before the cut-off"
    features = [c for c in full.columns if c not in DETERIORATION_LABEL_COLUMNS]
    pd.testing.assert_frame_equal(
        censored[features].sort_index(),
        full.loc[censored.index, features].sort_index(),
        check_dtype=False,
    )


def test_censoring_does_change_the_deterioration_labels(
    clinical_raw: dict[str, pd.DataFrame],
) -> None:
    """The check above can fail: the forward-looking label sees the removed future."""
    events = clinical_raw["clinical_events"]
    deteriorations = events[events["event_type"].isin(["rapid_response", "cardiac_arrest"])]
    start = clinical_raw["encounters"]["admitted_at"].min()
    event_at = deteriorations[deteriorations["event_at"] > start + pd.Timedelta(days=30)][
        "event_at"
    ].min()
    cutoff = event_at - pd.Timedelta(hours=2)
    full = deterioration_features(clinical_raw).set_index("observation_id")
    censored = deterioration_features(censor_clinical(clinical_raw, cutoff)).set_index(
        "observation_id"
    )
    known = censored.index
    assert full.loc[known, "is_deteriorated_24h"].sum() > censored["is_deteriorated_24h"].sum()
