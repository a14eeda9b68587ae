"""The feeds derived from the simulated stays: labs, clinical events, lines, revenue
cycle, staffing and costs, IT and device telemetry; plus the scenario ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator import clinical_events, finance, operations, telemetry
from simulator.config import NetworkConfig

NS = "datetime64[ns]"
HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
OUTAGE_START_HOUR = 8


def to_ts(ns, end_ns: int) -> np.ndarray:
    """Nanoseconds to timestamps; negative (absent) or at/after the end -> NaT."""
    ns = np.asarray(ns, dtype=np.int64)
    out = ns.astype(NS)
    out[(ns < 0) | (ns >= end_ns)] = np.datetime64("NaT")
    return out


def outage_window(config: NetworkConfig) -> tuple[int, int]:
    """(start, end) ns of the interface outage of the first hospital's vitals, or (-1, -1)."""
    scenario = config.scenario("interface_outage")
    if scenario is None:
        return -1, -1
    begin = pd.Timestamp(scenario.start).value + OUTAGE_START_HOUR * HOUR_NS
    return begin, begin + int(telemetry.OUTAGE_HOURS * HOUR_NS)


def received_at(
    rng: np.random.Generator,
    event_ns: np.ndarray,
    hospital: np.ndarray,
    config: NetworkConfig,
    first_hospital: str,
) -> np.ndarray:
    """When the interface delivered each record: minutes after the event, or, during an
    outage of the first hospital's feed, in the backfill after it ends."""
    lag = (rng.exponential(4.0, len(event_ns)) * 60e9).astype(np.int64)
    received = event_ns + lag
    begin, end = outage_window(config)
    if begin >= 0:
        held = (hospital == first_hospital) & (event_ns >= begin) & (event_ns < end)
        backfill = (rng.uniform(0, 2, held.sum()) * HOUR_NS).astype(np.int64)
        received[held] = end + backfill
    return received


def derived_feeds(
    rng: np.random.Generator,
    config: NetworkConfig,
    hospitals: pd.DataFrame,
    units: pd.DataFrame,
    enc: pd.DataFrame,
    seg: pd.DataFrame,
    det: pd.DataFrame,
    end_ns: int,
) -> dict[str, pd.DataFrame]:
    """``enc``: one row per encounter number with encounter_id, patient_id, hospital_id,
    payer_class, admit/discharge ns, charlson, onset/event/sepsis ns, drg code/weight."""
    start_ns = pd.Timestamp(config.start).value
    first_hospital = hospitals["hospital_id"].iat[0]
    arrays = clinical_events.Encounters(
        encounter=enc.index.to_numpy(),
        admit_ns=enc["admit_ns"].to_numpy(),
        discharge_ns=enc["discharge_ns"].to_numpy(),
        charlson=enc["charlson"].to_numpy(),
        onset_ns=enc["onset_ns"].to_numpy().astype(np.int64),
        event_ns=enc["event_ns"].to_numpy().astype(np.int64),
        sepsis_ns=enc["sepsis_ns"].to_numpy().astype(np.int64),
    )
    ids = enc[["encounter_id", "patient_id", "hospital_id"]]

    labs = clinical_events.lab_results(rng, arrays, end_ns)
    labs = labs.join(ids, on="encounter")
    lab_results = pd.DataFrame(
        {
            "lab_result_id": [f"L{i + 1:09d}" for i in range(len(labs))],
            "patient_id": labs["patient_id"].to_numpy(),
            "encounter_id": labs["encounter_id"].to_numpy(),
            "loinc_code": labs["loinc_code"].to_numpy(),
            "test_name": labs["test_name"].to_numpy(),
            "value_numeric": labs["value_numeric"].to_numpy(),
            "unit_of_measure": labs["unit_of_measure"].to_numpy(),
            "abnormal_flag": labs["abnormal_flag"].to_numpy(),
            "ordered_at": to_ts(labs["ordered_ns"], end_ns),
            "collected_at": to_ts(labs["collected_ns"], end_ns),
            "resulted_at": to_ts(labs["resulted_ns"], end_ns),
            "received_at": received_at(
                rng,
                labs["resulted_ns"].to_numpy(),
                labs["hospital_id"].to_numpy(),
                config,
                first_hospital,
            ).astype(NS),
        }
    )

    discharge_of_segment = enc["discharge_ns"].to_numpy()[enc.index.get_indexer(seg["encounter"])]
    lines = clinical_events.line_episodes(rng, seg, discharge_of_segment)
    lines = lines[lines["inserted_ns"] < end_ns].join(ids, on="encounter")
    lines = lines.sort_values(["inserted_ns", "encounter"], kind="stable")
    line_episodes = pd.DataFrame(
        {
            "line_episode_id": [f"D{i + 1:08d}" for i in range(len(lines))],
            "encounter_id": lines["encounter_id"].to_numpy(),
            "patient_id": lines["patient_id"].to_numpy(),
            "hospital_id": lines["hospital_id"].to_numpy(),
            "unit_id": lines["unit_id"].to_numpy(),
            "device_type": lines["device_type"].to_numpy(),
            "inserted_at": to_ts(lines["inserted_ns"], end_ns),
            "removed_at": to_ts(lines["removed_ns"], end_ns),
        }
    )

    observed = det.rename(columns={"event_ns": "event_ns"})[["encounter", "event_ns", "event_type"]]
    events = clinical_events.clinical_events(rng, arrays, observed, lines)
    events = events.astype({"encounter": np.int64, "event_ns": np.int64})
    events = events[events["event_ns"] < end_ns].sort_values(
        ["event_ns", "encounter"], kind="stable"
    )
    where = seg.sort_values("from_ns")[["encounter", "from_ns", "unit_id"]]
    located = pd.merge_asof(
        events.reset_index(drop=True), where, left_on="event_ns", right_on="from_ns", by="encounter"
    ).join(ids, on="encounter")
    clinical = pd.DataFrame(
        {
            "clinical_event_id": [f"K{i + 1:08d}" for i in range(len(located))],
            "encounter_id": located["encounter_id"].to_numpy(),
            "patient_id": located["patient_id"].to_numpy(),
            "hospital_id": located["hospital_id"].to_numpy(),
            "unit_id": located["unit_id"].to_numpy(),
            "event_type": located["event_type"].to_numpy(),
            "event_at": to_ts(located["event_ns"], end_ns),
        }
    )

    discharged = enc[enc["discharge_ns"] < end_ns]
    claims, remits = finance.claims_and_remittances(
        rng,
        pd.DataFrame(
            {
                "patient_id": discharged["patient_id"],
                "encounter_id": discharged["encounter_id"],
                "payer_class": discharged["payer_class"],
                "ms_drg_code": discharged["ms_drg_code"],
                "ms_drg_weight": discharged["ms_drg_weight"],
                "discharge_ns": discharged["discharge_ns"],
            }
        ),
        end_ns,
    )
    claims["submitted_at"] = to_ts(claims.pop("submitted_ns"), end_ns)
    remits.insert(0, "remittance_id", [f"R{i + 1:08d}" for i in range(len(remits))])
    remits["adjudicated_at"] = to_ts(remits.pop("adjudicated_ns"), end_ns)

    shifts, costs = operations.staffing_and_costs(rng, seg, units, start_ns, config.days)

    outage_begin, _ = outage_window(config)
    interfaces = telemetry.interface_metrics(
        rng,
        list(hospitals["hospital_id"]),
        list(hospitals["staffed_beds"]),
        start_ns,
        config.days,
        outage_begin,
    )
    interfaces = interfaces.sort_values(
        ["interval_start_ns", "hospital_id", "interface_name"], kind="stable"
    ).reset_index(drop=True)
    interfaces["interval_start_at"] = to_ts(interfaces.pop("interval_start_ns"), end_ns)
    monitored = units[units["unit_type"].isin(["icu", "stepdown"])]
    devices = pd.DataFrame(
        [
            (f"{u.unit_id}-MON{b + 1:03d}", u.hospital_id, u.unit_id, u.monitor_model)
            for u in monitored.itertuples(index=False)
            for b in range(u.staffed_beds)
        ],
        columns=["device_id", "hospital_id", "unit_id", "monitor_model"],
    )
    heartbeats, failures = telemetry.device_heartbeats(rng, devices, start_ns, config.days)
    heartbeats["hour_start_at"] = to_ts(heartbeats.pop("hour_start_ns"), end_ns)
    heartbeats = heartbeats.sort_values(["hour_start_at", "device_id"], kind="stable")

    return {
        "lab_results": lab_results,
        "clinical_events": clinical,
        "line_episodes": line_episodes,
        "claims": claims,
        "remittances": remits,
        "nurse_shifts": shifts,
        "unit_costs_daily": costs,
        "interface_metrics": interfaces,
        "devices": devices,
        "device_heartbeats": heartbeats.reset_index(drop=True),
        "ground_truth_device_failures": pd.DataFrame(
            {
                "device_id": failures["device_id"],
                "degradation_start_at": failures["degradation_start_ns"].to_numpy().astype(NS),
                "failed_at": failures["failed_ns"].to_numpy().astype(NS),
                "restored_at": failures["restored_ns"].to_numpy().astype(NS),
            }
        )[failures["degradation_start_ns"].to_numpy() < end_ns],
        "ground_truth_scenarios": scenario_truth(config),
    }


def scenario_truth(config: NetworkConfig) -> pd.DataFrame:
    """One row per active scenario with its window (the monitoring loop's truth)."""
    begin, end = outage_window(config)
    rows = []
    for s in config.scenarios:
        start = pd.Timestamp(s.start)
        stop = start + pd.Timedelta(days=s.days)
        if s.name == "interface_outage":
            start, stop = pd.Timestamp(begin), pd.Timestamp(end)
        rows.append((s.name, start, stop))
    return pd.DataFrame(rows, columns=["scenario_name", "started_at", "ended_at"]).astype(
        {"started_at": NS, "ended_at": NS}
    )
