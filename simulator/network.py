"""Simulate a hospital network: one call returns every feed as a DataFrame.

The order of work, per hospital: weather and the ED arrival process
(:mod:`simulator.demand`), who arrives (:mod:`simulator.population`), triage and ED
times (:mod:`simulator.ed`), then admissions against finite beds
(:mod:`simulator.inpatient`); afterwards the vectorized feeds derived from the stays
(vitals, labs, clinical events, claims, staffing, telemetry). Ground-truth tables
carry the ``ground_truth_`` prefix; :mod:`simulator.landing` writes them apart.

Every random draw comes from one ``numpy.random.Generator`` seeded by the config and
the work runs in a fixed order, so the same config gives identical tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import demand, ed, inpatient
from simulator.config import NetworkConfig
from simulator.inpatient import DAY_NS, HOUR_NS
from simulator.population import draw_patients
from simulator.reference import DRGS, drg_probabilities, drg_table, payer_table, reference_tables
from simulator.tables import build_tables

# Admission mix of non-obstetric beds (HCUP: about two thirds of admissions come
# through the ED; the rest are scheduled, a few transferred in); readmissions add to
# the ED stream.
ED_SHARE, ELECTIVE_SHARE, TRANSFER_SHARE = 0.70, 0.22, 0.04
EXPECTED_ED_ADMIT_RATE = 0.135
EXPECTED_LOS_FACTOR = 1.42  # mean stay / DRG geometric mean LOS, incl. discharge timing
MATERNITY_OCCUPANCY = 0.6


def _drg_mean_gmlos(source: str) -> float:
    idx, p = drg_probabilities(source)
    return float(sum(DRGS[i].gmlos_days * w for i, w in zip(idx, p, strict=True)))


def _respiratory_drgs(rng: np.random.Generator, boost: np.ndarray) -> np.ndarray:
    """An ED admission's DRG, with respiratory DRGs more likely by ``boost`` (>= 1)."""
    idx, p = drg_probabilities("ed")
    resp = np.array([DRGS[i].is_respiratory for i in idx])
    share0 = p[resp].sum()
    share = share0 * boost / (share0 * boost + 1 - share0)
    u = rng.random((2, len(boost)))
    resp_pick = idx[resp][np.searchsorted(np.cumsum(p[resp] / share0), u[1] * 0.999999)]
    other_pick = idx[~resp][np.searchsorted(np.cumsum(p[~resp] / (1 - share0)), u[1] * 0.999999)]
    return np.where(u[0] < share, resp_pick, other_pick)


def _scenario_window(config: NetworkConfig, name: str, days: pd.DatetimeIndex) -> np.ndarray:
    scenario = config.scenario(name)
    if scenario is None:
        return np.zeros(len(days), dtype=bool)
    begin = pd.Timestamp(scenario.start)
    return np.asarray((days >= begin) & (days < begin + pd.Timedelta(days=scenario.days)))


def simulate(config: NetworkConfig) -> dict[str, pd.DataFrame]:
    """Simulate the network; returns one DataFrame per feed, keyed by feed name."""
    rng = np.random.default_rng(config.seed)
    hospitals, units = reference_tables(config)
    start = pd.Timestamp(config.start)
    start_ns, end_ns = start.value, start.value + config.days * DAY_NS
    days = pd.date_range(start, periods=config.days, freq="D")
    weather = demand.weather(rng, config, list(hospitals["hospital_id"]))
    season = demand.respiratory_season(days)
    surge = _scenario_window(config, "surge", days)
    drift_days = _scenario_window(config, "case_mix_drift", days)
    drift_from_ns = start_ns + int(np.argmax(drift_days)) * DAY_NS if drift_days.any() else -1

    patients: list[pd.DataFrame] = []
    n_patients = 0

    def new_patients(n: int, zip3: str, **shift: float) -> np.ndarray:
        nonlocal n_patients
        frame = draw_patients(rng, n, n_patients + 1, zip3, **shift)
        patients.append(frame)
        n_patients += n
        return np.arange(n_patients - n, n_patients)

    ed_frames, outcomes = [], []
    first_encounter = 1
    for hospital in hospitals.itertuples(index=False):
        beds = units[units["hospital_id"] == hospital.hospital_id].set_index("unit_type")[
            "staffed_beds"
        ]
        general = int(beds.drop("maternity").sum())
        admissions_per_day = (
            general * config.target_occupancy / (_drg_mean_gmlos("ed") * EXPECTED_LOS_FACTOR)
        )
        ed_rate = admissions_per_day * ED_SHARE / EXPECTED_ED_ADMIT_RATE
        temps = weather.loc[
            weather["hospital_id"] == hospital.hospital_id, "mean_temperature_celsius"
        ]
        multiplier = (
            (1 + demand.SURGE_AMPLITUDE * season)
            * demand.temperature_effect(temps.to_numpy())
            * np.where(surge, 1.3, 1.0)
        )
        arrivals = demand.ed_arrivals(rng, start, ed_rate, multiplier)
        n_visits = len(arrivals.at_ns)
        pool = new_patients(max(int(n_visits * 0.55), 10), hospital.region_zip3)
        propensity = patients[-1]["visit_propensity"].to_numpy()
        chosen = pool[rng.choice(len(pool), n_visits, p=propensity / propensity.sum())]
        if drift_from_ns >= 0:
            drifted_pool = new_patients(
                max(n_visits // 5, 10),
                hospital.region_zip3,
                age_shift=12,
                charlson_shift=1.0,
                medicaid_shift=0.5,
            )
            swap = (arrivals.at_ns >= drift_from_ns) & (rng.random(n_visits) < 0.45)
            chosen = np.where(
                swap, drifted_pool[rng.integers(0, len(drifted_pool), n_visits)], chosen
            )
        all_patients = pd.concat(patients, ignore_index=True)
        age = all_patients["age_years"].to_numpy()
        charlson = all_patients["charlson_index"].to_numpy()
        esi = ed.esi_levels(rng, age[chosen], charlson[chosen])
        visit = ed.ed_visit_times(rng, arrivals.at_ns, esi, arrivals.crowding, np.ones(n_visits))
        visit_day = (arrivals.at_ns - start_ns) // DAY_NS
        ed_frames.append((hospital.hospital_id, chosen, esi, arrivals.at_ns, visit))

        admitted = np.flatnonzero(visit["is_admitted"])
        ed_drgs = _respiratory_drgs(rng, (1 + 1.5 * season + 1.5 * surge)[visit_day[admitted]])
        # Scheduled admissions: weekdays, 06:00-10:00; transfers in at any hour.
        weekday = days.dayofweek.to_numpy() < 5
        el_counts = rng.poisson(admissions_per_day * ELECTIVE_SHARE * 7 / 5 * weekday)
        el_day = np.repeat(np.arange(config.days), el_counts)
        el_at = (
            start_ns
            + el_day * DAY_NS
            + ((6 + 4 * rng.random(len(el_day))) * HOUR_NS).astype(np.int64)
        )
        el_idx, el_p = drg_probabilities("elective")
        el_drg = rng.choice(el_idx, len(el_day), p=el_p)
        el_patients = new_patients(len(el_day), hospital.region_zip3, age_shift=18)
        tr_counts = rng.poisson(admissions_per_day * TRANSFER_SHARE, config.days)
        tr_day = np.repeat(np.arange(config.days), tr_counts)
        tr_at = start_ns + ((tr_day + rng.random(len(tr_day))) * DAY_NS).astype(np.int64)
        tr_drg = _respiratory_drgs(rng, np.ones(len(tr_day)))
        tr_patients = new_patients(
            len(tr_day), hospital.region_zip3, age_shift=10, charlson_shift=0.5
        )
        mat_rate = (
            beds["maternity"]
            * MATERNITY_OCCUPANCY
            / (_drg_mean_gmlos("maternity") * EXPECTED_LOS_FACTOR)
        )
        mat_counts = rng.poisson(mat_rate, config.days)
        mat_day = np.repeat(np.arange(config.days), mat_counts)
        mat_at = start_ns + ((mat_day + rng.random(len(mat_day))) * DAY_NS).astype(np.int64)
        mat_idx, mat_p = drg_probabilities("maternity")
        mat_drg = rng.choice(mat_idx, len(mat_day), p=mat_p)
        mat_patients = new_patients(len(mat_day), hospital.region_zip3)
        mothers = patients[-1]
        mothers["age_years"] = np.clip(rng.normal(29.5, 5.5, len(mothers)), 16, 46).astype(np.int64)
        mothers["sex"] = "F"
        mothers["charlson_index"] = 0
        mothers["primary_payer"] = rng.choice(
            ["medicaid", "commercial", "self_pay"], len(mothers), p=[0.41, 0.56, 0.03]
        )
        fresh = new_patients(len(admitted) // 2 + 200, hospital.region_zip3, age_shift=10)
        requests = inpatient.Requests(
            at_ns=np.concatenate([visit["decision_ns"][admitted], el_at, tr_at, mat_at]),
            kind=np.concatenate(
                [
                    np.full(len(admitted), inpatient.ED),
                    np.full(len(el_at), inpatient.ELECTIVE),
                    np.full(len(tr_at), inpatient.TRANSFER),
                    np.full(len(mat_at), inpatient.MATERNITY),
                ]
            ),
            patient=np.concatenate([chosen[admitted], el_patients, tr_patients, mat_patients]),
            ed_visit=np.concatenate([admitted, np.full(len(el_at) + len(tr_at) + len(mat_at), -1)]),
            drg=np.concatenate([ed_drgs, el_drg, tr_drg, mat_drg]),
        )
        all_patients = pd.concat(patients, ignore_index=True)
        order = np.argsort(chosen, kind="stable")
        ed_history: dict[int, list[int]] = {}
        for p, t in zip(chosen[order].tolist(), arrivals.at_ns[order].tolist(), strict=True):
            ed_history.setdefault(p, []).append(t)
        outcome = inpatient.simulate_hospital(
            rng,
            requests,
            beds.to_dict(),
            end_ns,
            all_patients["age_years"].to_numpy(),
            all_patients["charlson_index"].to_numpy(),
            ed_history,
            fresh.tolist(),
            first_encounter,
            medicaid=all_patients["primary_payer"].to_numpy() == "medicaid",
            placement_delay_from_ns=drift_from_ns,
        )
        first_encounter += len(outcome.encounters)
        outcomes.append(outcome)

    all_patients = pd.concat(patients, ignore_index=True)
    return build_tables(
        rng,
        config,
        hospitals,
        units,
        all_patients,
        weather,
        ed_frames,
        outcomes,
        drg_table(),
        payer_table(),
    )
