"""Behaviour of the simulated network: capacity, flow, deterioration, sepsis, revenue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.config import NetworkConfig
from simulator.demand import ed_arrivals
from simulator.inpatient import readmission_logit
from simulator.network import simulate


def test_readmission_risk_rises_with_each_factor() -> None:
    base = dict(age=70, charlson=2, los_days=4, acuity=1, prior=1, ed_visits=1)
    reference = readmission_logit(**base)
    for factor, more in [
        ("age", 85),
        ("charlson", 5),
        ("los_days", 9),
        ("acuity", 2),
        ("prior", 3),
        ("ed_visits", 3),
    ]:
        assert readmission_logit(**{**base, factor: more}) > reference, factor


def test_arrivals_follow_hour_of_day_and_multiplier() -> None:
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2025-01-06")
    arrivals = ed_arrivals(rng, start, 200.0, np.r_[np.ones(14), np.full(14, 1.5)])
    hours = pd.to_datetime(arrivals.at_ns).hour
    assert (hours == 12).sum() > 2.5 * (hours == 4).sum()
    days = (arrivals.at_ns - start.value) // 86_400_000_000_000
    assert (days >= 14).sum() > 1.3 * (days < 14).sum()
    assert np.all(np.diff(arrivals.at_ns) >= 0)


def test_units_never_hold_more_patients_than_beds_in_one_bed(baseline_tables) -> None:
    """No bed holds two patients at once (overflow beds are numbered past the unit)."""
    adt = baseline_tables["adt_events"].sort_values(["encounter_id", "event_at"], kind="stable")
    stays = adt.assign(until=adt.groupby("encounter_id")["event_at"].shift(-1))
    stays = (
        stays[stays["event_type"] != "A03"]
        .dropna(subset=["until"])
        .sort_values(["bed_id", "event_at"])
    )
    previous_until = stays.groupby("bed_id")["until"].shift(1)
    assert (stays["event_at"] >= previous_until).where(previous_until.notna(), True).all()


def test_full_units_make_ed_patients_board_and_cancel_electives() -> None:
    crowded = simulate(NetworkConfig(hospitals=1, days=40, seed=4, target_occupancy=0.97))
    calm = simulate(NetworkConfig(hospitals=1, days=40, seed=4, target_occupancy=0.5))

    def boarding_hours(tables) -> float:
        ed = tables["ed_visits"]
        admitted = ed[ed["disposition"] == "admitted"].dropna(subset=["departed_at"])
        return float(
            (
                (admitted["departed_at"] - admitted["disposition_decided_at"]).dt.total_seconds()
                / 3600
            ).mean()
        )

    assert boarding_hours(crowded) > boarding_hours(calm) + 1

    def cancelled_share(tables) -> float:
        electives = (tables["encounters"]["admission_source"] == "elective").sum()
        cancelled = len(tables["elective_cancellations"])
        return cancelled / (cancelled + electives)

    assert cancelled_share(crowded) > cancelled_share(calm) + 0.05
    assert (crowded["elective_cancellations"]["cancellation_reason"] == "no_bed").all()


def test_ed_times_are_ordered(baseline_tables) -> None:
    ed = baseline_tables["ed_visits"].dropna(subset=["provider_seen_at", "departed_at"])
    assert (ed["arrived_at"] <= ed["provider_seen_at"]).all()
    assert (ed["provider_seen_at"] <= ed["disposition_decided_at"]).all()
    assert (ed["disposition_decided_at"] <= ed["departed_at"]).all()
    lwbs = baseline_tables["ed_visits"].query("disposition == 'left_without_being_seen'")
    assert lwbs["provider_seen_at"].isna().all()


def test_admitted_ed_visits_link_to_their_encounter(baseline_tables) -> None:
    enc = baseline_tables["encounters"].dropna(subset=["ed_visit_id"])
    ed = baseline_tables["ed_visits"].set_index("ed_visit_id")
    linked = ed.loc[enc["ed_visit_id"]]
    assert (linked["disposition"] == "admitted").all()
    assert (linked["patient_id"].to_numpy() == enc["patient_id"].to_numpy()).all()
    assert (linked["departed_at"].to_numpy() == enc["admitted_at"].to_numpy()).all()


def test_nothing_is_known_after_the_window(baseline_tables) -> None:
    end = pd.Timestamp("2025-01-01") + pd.Timedelta(days=75)
    for feed, column in [
        ("ed_visits", "departed_at"),
        ("encounters", "discharged_at"),
        ("adt_events", "event_at"),
        ("vitals", "observed_at"),
        ("lab_results", "resulted_at"),
        ("clinical_events", "event_at"),
        ("claims", "submitted_at"),
        ("remittances", "adjudicated_at"),
    ]:
        values = baseline_tables[feed][column].dropna()
        assert len(values) and (values < end).all(), feed


def test_vitals_worsen_before_deterioration_events(baseline_tables) -> None:
    """Early warning is possible: pulse and respiration climb in the hours before."""
    from simulator.network import simulate as _  # noqa: F401  (tables come from the fixture)

    events = baseline_tables["clinical_events"]
    targets = events[events["event_type"].isin(["rapid_response", "unplanned_icu_transfer"])]
    vitals = baseline_tables["vitals"].merge(
        targets[["encounter_id", "event_at"]], on="encounter_id"
    )
    before = vitals["event_at"] - vitals["observed_at"]
    near = vitals[(before > pd.Timedelta(0)) & (before <= pd.Timedelta(hours=2))]
    far = vitals[before > pd.Timedelta(hours=24)]
    assert len(near) > 20 and len(far) > 20
    assert near["pulse"].mean() > far["pulse"].mean() + 10
    assert near["respiration_rate"].mean() > far["respiration_rate"].mean() + 3


def test_sepsis_raises_lactate(baseline_tables) -> None:
    labs = baseline_tables["lab_results"].query("loinc_code == '2524-7'")
    septic = set(baseline_tables["clinical_events"].query("event_type == 'sepsis'")["encounter_id"])
    is_septic = labs["encounter_id"].isin(septic)
    assert (
        labs.loc[is_septic, "value_numeric"].median()
        > labs.loc[~is_septic, "value_numeric"].median() + 0.5
    )


def test_claims_follow_drg_weight_and_payer(baseline_tables) -> None:
    claims = baseline_tables["claims"].query("claim_frequency_code == '1'")
    assert claims["encounter_id"].is_unique
    per_weight = claims.merge(baseline_tables["ms_drgs"], on="ms_drg_code").assign(
        rate=lambda c: c["expected_reimbursement_usd"] / c["relative_weight"]
    )
    by_payer = per_weight.groupby("payer_category")["rate"].agg(["min", "max"])
    assert np.allclose(by_payer["min"], by_payer["max"], rtol=1e-3)
    assert by_payer.loc["commercial", "min"] > by_payer.loc["medicare", "min"]
    remits = baseline_tables["remittances"]
    assert remits["claim_id"].isin(baseline_tables["claims"]["claim_id"]).all()
    denied = remits[remits["is_denied"]]
    assert denied["carc_code"].notna().all() and (denied["paid_amount_usd"] == 0).all()


@pytest.mark.parametrize("feed", ["vitals", "lab_results", "adt_events", "ed_visits"])
def test_event_feeds_are_time_ordered(baseline_tables, feed: str) -> None:
    column = {
        "vitals": "observed_at",
        "lab_results": "resulted_at",
        "adt_events": "event_at",
        "ed_visits": "arrived_at",
    }[feed]
    assert baseline_tables[feed][column].is_monotonic_increasing


def test_every_bedded_ed_admission_is_one_encounter(baseline_tables) -> None:
    """Counts in = counts out: each admitted ED visit that reached a bed is exactly one
    encounter from the ED, and each encounter from the ED has its visit."""
    ed = baseline_tables["ed_visits"]
    bedded = ed[(ed["disposition"] == "admitted") & ed["departed_at"].notna()]
    enc = baseline_tables["encounters"]
    from_ed = enc[enc["admission_source"] == "ed"]
    assert from_ed["ed_visit_id"].notna().all()
    assert sorted(from_ed["ed_visit_id"]) == sorted(bedded["ed_visit_id"])
