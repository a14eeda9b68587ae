"""Labs, clinical events and line/catheter episodes, vectorized over encounters.

* Labs (LOINC): white cell count 6690-2, creatinine 2160-0 and lactate 2524-7, with
  order, collection and result times. An admission panel, morning labs at 05:00 while
  in house, and lactate when sepsis is recognised or a patient deteriorates (Surviving
  Sepsis Campaign hour-1 bundle). Sepsis raises lactate, white cells and creatinine.
* Clinical events as the EHR records them: the deterioration events
  (rapid-response call, unplanned ICU transfer, cardiac arrest, death), sepsis
  recognition (hours after the true onset, which only the ground truth holds), falls
  (about 3.5 per 1,000 patient days, NDNQI), hospital-acquired pressure injuries
  (about 2 % of longer stays, AHRQ), CLABSI and CAUTI (NHSN device-associated rates).
* Central-line and urinary-catheter episodes, from which device days are counted
  (NHSN denominators).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HOUR_NS = 3_600_000_000_000
DAY_NS = 24 * HOUR_NS
MORNING_LAB_HOUR = 5
FALLS_PER_PATIENT_DAY = 3.5 / 1000
CLABSI_PER_LINE_DAY = 1.0 / 1000
CAUTI_PER_CATHETER_DAY = 1.2 / 1000
# (LOINC, name, UCUM unit, low, high reference limits).
LABS = {
    "wbc": ("6690-2", "Leukocytes [#/volume] in Blood", "10*3/uL", 4.0, 11.0),
    "creatinine": ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.3),
    "lactate": ("2524-7", "Lactate [Moles/volume] in Serum or Plasma", "mmol/L", 0.5, 2.0),
}


@dataclass(frozen=True)
class Encounters:
    """Per-encounter arrays the derived feeds need."""

    encounter: np.ndarray
    admit_ns: np.ndarray
    discharge_ns: np.ndarray
    charlson: np.ndarray
    onset_ns: np.ndarray  # deterioration onset or -1
    event_ns: np.ndarray
    sepsis_ns: np.ndarray  # sepsis onset or -1


def _state(enc: Encounters, row: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(deterioration ramp, sepsis intensity) in [0, 1] at ``at`` for encounter rows ``row``."""
    onset, event, sepsis_at = enc.onset_ns[row], enc.event_ns[row], enc.sepsis_ns[row]
    ramp = np.where(
        (onset >= 0) & (at >= onset), np.clip((at - onset) / np.maximum(event - onset, 1), 0, 1), 0
    )
    sepsis = np.where(
        (sepsis_at >= 0) & (at >= sepsis_at), np.clip((at - sepsis_at) / (6 * HOUR_NS), 0, 1), 0
    )
    return ramp, sepsis


def _orders(rng: np.random.Generator, enc: Encounters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(encounter row, collected_at ns, test) of every specimen collected."""
    n = len(enc.encounter)
    rows, times, tests = [], [], []
    # Admission panel, collected within the first hour; lactate for a third.
    panel_at = enc.admit_ns + (rng.uniform(0.2, 1.0, n) * HOUR_NS).astype(np.int64)
    for test in ("wbc", "creatinine"):
        rows.append(np.arange(n))
        times.append(panel_at)
        tests.append(np.full(n, test))
    with_lactate = np.flatnonzero((rng.random(n) < 0.3) | (enc.sepsis_ns >= 0))
    rows.append(with_lactate)
    times.append(panel_at[with_lactate])
    tests.append(np.full(len(with_lactate), "lactate"))
    # Morning labs at 05:00 on each in-house morning, for 80 % of mornings.
    first = (enc.admit_ns - MORNING_LAB_HOUR * HOUR_NS) // DAY_NS + 1
    last = (enc.discharge_ns - MORNING_LAB_HOUR * HOUR_NS) // DAY_NS
    counts = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(n), counts)
    k = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    at = (first[row] + k) * DAY_NS + MORNING_LAB_HOUR * HOUR_NS
    at = at + (rng.uniform(0, 0.75, len(row)) * HOUR_NS).astype(np.int64)
    drawn = rng.random(len(row)) < 0.8
    for test in ("wbc", "creatinine"):
        rows.append(row[drawn])
        times.append(at[drawn])
        tests.append(np.full(drawn.sum(), test))
    # Lactate when sepsis is recognised (and repeated 3 h later), or at deterioration.
    recognised = np.flatnonzero(enc.sepsis_ns >= 0)
    first_lactate = np.maximum(enc.sepsis_ns[recognised], enc.admit_ns[recognised]) + (
        rng.uniform(1, 4, len(recognised)) * HOUR_NS
    ).astype(np.int64)
    for delay in (0, 3 * HOUR_NS):
        rows.append(recognised)
        times.append(first_lactate + delay)
        tests.append(np.full(len(recognised), "lactate"))
    deteriorating = np.flatnonzero((enc.onset_ns >= 0) & (rng.random(n) < 0.5))
    rows.append(deteriorating)
    times.append(
        enc.onset_ns[deteriorating]
        + (rng.uniform(1, 4, len(deteriorating)) * HOUR_NS).astype(np.int64)
    )
    tests.append(np.full(len(deteriorating), "lactate"))
    row, at, test = np.concatenate(rows), np.concatenate(times), np.concatenate(tests)
    keep = at < enc.discharge_ns[row]
    return row[keep], at[keep], test[keep]


def lab_results(rng: np.random.Generator, enc: Encounters, end_ns: int) -> pd.DataFrame:
    """One row per resulted lab; ``encounter`` column for joining."""
    row, collected, test = _orders(rng, enc)
    ramp, sepsis = _state(enc, row, collected)
    n = len(row)
    z = rng.standard_normal(n)
    charlson = enc.charlson[row]
    value = np.select(
        [test == "wbc", test == "creatinine"],
        [
            np.exp(np.log(7.8) + 0.3 * z) + 9 * sepsis + 3 * ramp,
            np.exp(np.log(0.95) + 0.3 * z) * (1 + 0.08 * charlson) + 0.7 * sepsis + 0.3 * ramp,
        ],
        np.exp(np.log(1.2) + 0.35 * z) + 2.8 * sepsis + 2.0 * ramp,
    )
    value = np.round(value, 2)
    turnaround = np.where(test == "lactate", rng.uniform(15, 40, n), rng.uniform(35, 100, n))
    resulted = collected + (turnaround * 60e9).astype(np.int64)
    ordered = collected - (rng.uniform(5, 40, n) * 60e9).astype(np.int64)
    keep = resulted < end_ns
    low = np.array([LABS[t][3] for t in test])
    high = np.array([LABS[t][4] for t in test])
    flag = np.where(value > high, "H", np.where(value < low, "L", None))
    frame = pd.DataFrame(
        {
            "encounter": enc.encounter[row],
            "loinc_code": [LABS[t][0] for t in test],
            "test_name": [LABS[t][1] for t in test],
            "value_numeric": value,
            "unit_of_measure": [LABS[t][2] for t in test],
            "abnormal_flag": flag,
            "ordered_ns": ordered,
            "collected_ns": collected,
            "resulted_ns": resulted,
        }
    )
    return frame[keep].sort_values(["resulted_ns", "encounter"], kind="stable")


def line_episodes(
    rng: np.random.Generator, segments: pd.DataFrame, discharge_ns: np.ndarray
) -> pd.DataFrame:
    """Central lines (most ICU segments) and urinary catheters, per stay segment.

    ``segments`` has ``encounter``, ``unit_type``, ``unit_id``, ``from_ns``, ``to_ns``;
    ``discharge_ns`` is aligned with it.
    """
    n = len(segments)
    icu = (segments["unit_type"] == "icu").to_numpy()
    start = segments["from_ns"].to_numpy()
    span = segments["to_ns"].to_numpy() - start
    frames = []
    for device, probability, duration_days in (
        ("central_line", np.where(icu, 0.5, 0.03), 4.5),
        ("urinary_catheter", np.where(icu, 0.6, 0.12), 2.5),
    ):
        has = rng.random(n) < probability
        inserted = start + (rng.uniform(0, 0.15, n) * span).astype(np.int64)
        removed = inserted + (rng.exponential(duration_days, n) * DAY_NS).astype(np.int64)
        removed = np.minimum(removed, discharge_ns - HOUR_NS)
        has &= removed > inserted
        frames.append(
            pd.DataFrame(
                {
                    "encounter": segments["encounter"].to_numpy()[has],
                    "unit_id": segments["unit_id"].to_numpy()[has],
                    "device_type": device,
                    "inserted_ns": inserted[has],
                    "removed_ns": removed[has],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def clinical_events(
    rng: np.random.Generator,
    enc: Encounters,
    deterioration: pd.DataFrame,
    lines: pd.DataFrame,
) -> pd.DataFrame:
    """Recorded clinical events; ``deterioration`` rows are (encounter, event_ns, event_type)."""
    frames = [
        deterioration[["encounter", "event_ns", "event_type"]],
    ]
    septic = np.flatnonzero(enc.sepsis_ns >= 0)
    recognised = np.maximum(enc.sepsis_ns[septic], enc.admit_ns[septic] - HOUR_NS) + (
        rng.uniform(1, 8, len(septic)) * HOUR_NS
    ).astype(np.int64)
    frames.append(
        pd.DataFrame(
            {"encounter": enc.encounter[septic], "event_ns": recognised, "event_type": "sepsis"}
        )
    )
    stay = enc.discharge_ns - enc.admit_ns
    falls = rng.poisson(FALLS_PER_PATIENT_DAY * stay / DAY_NS)
    row = np.repeat(np.arange(len(stay)), falls)
    frames.append(
        pd.DataFrame(
            {
                "encounter": enc.encounter[row],
                "event_ns": enc.admit_ns[row] + (rng.random(len(row)) * stay[row]).astype(np.int64),
                "event_type": "fall",
            }
        )
    )
    injured = np.flatnonzero(
        (stay > 3 * DAY_NS) & (rng.random(len(stay)) < 0.02 * (1 + 0.1 * enc.charlson))
    )
    frames.append(
        pd.DataFrame(
            {
                "encounter": enc.encounter[injured],
                "event_ns": enc.admit_ns[injured]
                + ((0.4 + 0.5 * rng.random(len(injured))) * stay[injured]).astype(np.int64),
                "event_type": "pressure_injury",
            }
        )
    )
    # Device-associated infections: NHSN counts them after the device's day 2.
    days = (lines["removed_ns"] - lines["inserted_ns"]).to_numpy() / DAY_NS
    rate = np.where(
        lines["device_type"] == "central_line", CLABSI_PER_LINE_DAY, CAUTI_PER_CATHETER_DAY
    )
    infected = (days > 2) & (rng.random(len(lines)) < 1 - np.exp(-rate * days * 1.5))
    when = lines["inserted_ns"].to_numpy() + (
        (2 + (days - 2) * rng.random(len(lines))) * DAY_NS
    ).astype(np.int64)
    frames.append(
        pd.DataFrame(
            {
                "encounter": lines["encounter"].to_numpy()[infected],
                "event_ns": when[infected],
                "event_type": np.where(
                    lines["device_type"].to_numpy()[infected] == "central_line", "clabsi", "cauti"
                ),
            }
        )
    )
    return pd.concat(frames, ignore_index=True)
