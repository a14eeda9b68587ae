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
from tests.ml.feature_sql import feature_table, readmission_features

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
