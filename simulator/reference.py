"""Reference data of the simulated network: hospitals, units, payers and MS-DRGs.

MS-DRG relative weights and geometric mean LOS are rounded from CMS's FY2024 IPPS
Final Rule Table 5 (public domain); they set each stay's expected length and the
claim's expected reimbursement (payer base rate x DRG weight), as in IPPS.
Payer contract terms are illustrative, chosen so that the network's initial denial
rate and days in A/R fall within published ranges (see docs/simulator.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.config import NetworkConfig

# Share of a hospital's staffed inpatient beds per unit type; ED treatment bays are
# sized relative to inpatient beds (about one bay per 5 beds in community hospitals).
UNIT_MIX = (("icu", 0.10), ("stepdown", 0.12), ("medsurg", 0.68), ("maternity", 0.10))
ED_BAYS_PER_BED = 0.2
# Hospital sizes vary around the configured bed count, deterministically by position.
SIZE_FACTORS = (1.0, 0.75, 1.3, 0.6, 1.5, 0.9, 1.15)
MONITOR_MODELS = ("VM-100", "VM-200")


@dataclass(frozen=True)
class Payer:
    payer_id: str
    payer_name: str
    payer_class: str
    base_rate_usd: float  # payment per 1.0 DRG weight
    denial_probability: float  # initial denial of a clean-looking claim
    median_payment_days: float  # bill date to paid date
    collection_share: float  # share of expected actually paid (self-pay bad debt)


PAYERS = (
    Payer("PAY-MCR", "Medicare fee-for-service", "medicare", 6_500.0, 0.07, 24.0, 1.0),
    Payer("PAY-MCD", "State Medicaid", "medicaid", 5_400.0, 0.13, 45.0, 1.0),
    Payer("PAY-COM", "Commercial PPO", "commercial", 10_400.0, 0.11, 40.0, 1.0),
    Payer("PAY-SLF", "Self-pay", "self_pay", 6_500.0, 0.0, 90.0, 0.25),
)
PAYER_BY_CLASS = {p.payer_class: p for p in PAYERS}


@dataclass(frozen=True)
class Drg:
    code: str
    title: str
    weight: float
    gmlos_days: float
    source: str  # ed, elective or maternity
    icu_share: float
    stepdown_share: float
    mortality_factor: float  # scales deterioration risk
    is_respiratory: bool = False
    is_sepsis: bool = False


DRGS = (
    Drg(
        "871",
        "Septicemia or severe sepsis w/o MV >96 hours w MCC",
        1.87,
        4.6,
        "ed",
        0.30,
        0.25,
        2.6,
        is_sepsis=True,
    ),
    Drg(
        "872",
        "Septicemia or severe sepsis w/o MV >96 hours w/o MCC",
        1.03,
        3.4,
        "ed",
        0.05,
        0.20,
        1.3,
        is_sepsis=True,
    ),
    Drg("291", "Heart failure and shock w MCC", 1.35, 3.9, "ed", 0.12, 0.35, 1.8),
    Drg("292", "Heart failure and shock w CC", 0.89, 3.0, "ed", 0.02, 0.25, 0.9),
    Drg(
        "193",
        "Simple pneumonia and pleurisy w MCC",
        1.28,
        4.0,
        "ed",
        0.10,
        0.20,
        1.7,
        is_respiratory=True,
    ),
    Drg(
        "194",
        "Simple pneumonia and pleurisy w CC",
        0.87,
        3.0,
        "ed",
        0.02,
        0.10,
        0.8,
        is_respiratory=True,
    ),
    Drg(
        "190",
        "Chronic obstructive pulmonary disease w MCC",
        1.15,
        3.5,
        "ed",
        0.08,
        0.25,
        1.3,
        is_respiratory=True,
    ),
    Drg(
        "189",
        "Pulmonary edema and respiratory failure",
        1.23,
        3.5,
        "ed",
        0.25,
        0.30,
        2.0,
        is_respiratory=True,
    ),
    Drg(
        "207",
        "Respiratory system diagnosis w ventilator support >96 hours",
        5.50,
        12.0,
        "ed",
        1.0,
        0.0,
        4.0,
        is_respiratory=True,
    ),
    Drg("683", "Renal failure w CC", 0.89, 3.3, "ed", 0.02, 0.10, 0.8),
    Drg("690", "Kidney and urinary tract infections w/o MCC", 0.80, 2.9, "ed", 0.0, 0.05, 0.4),
    Drg("603", "Cellulitis w/o MCC", 0.85, 3.3, "ed", 0.0, 0.02, 0.2),
    Drg("378", "G.I. hemorrhage w CC", 0.99, 3.1, "ed", 0.10, 0.20, 0.9),
    Drg(
        "392",
        "Esophagitis, gastroenteritis and misc digestive disorders w/o MCC",
        0.76,
        2.5,
        "ed",
        0.0,
        0.02,
        0.2,
    ),
    Drg(
        "065",
        "Intracranial hemorrhage or cerebral infarction w CC or tPA in 24 hrs",
        1.03,
        2.8,
        "ed",
        0.15,
        0.30,
        1.2,
    ),
    Drg("312", "Syncope and collapse", 0.84, 2.2, "ed", 0.0, 0.20, 0.2),
    Drg("885", "Psychoses", 1.30, 5.8, "ed", 0.0, 0.0, 0.1),
    Drg(
        "897",
        "Alcohol, drug abuse or dependence w/o rehabilitation therapy w/o MCC",
        0.75,
        3.3,
        "ed",
        0.05,
        0.10,
        0.3,
    ),
    Drg(
        "853",
        "Infectious and parasitic diseases w O.R. procedure w MCC",
        5.00,
        10.8,
        "ed",
        0.50,
        0.20,
        3.0,
        is_sepsis=True,
    ),
    Drg(
        "329",
        "Major small and large bowel procedures w MCC",
        4.95,
        10.5,
        "elective",
        0.40,
        0.20,
        2.0,
    ),
    Drg(
        "247",
        "Percutaneous cardiovascular procedures w drug-eluting stent w/o MCC",
        2.05,
        1.8,
        "elective",
        0.10,
        0.50,
        0.4,
    ),
    Drg(
        "470", "Major hip and knee joint replacement w/o MCC", 1.90, 2.0, "elective", 0.0, 0.05, 0.1
    ),
    Drg("460", "Spinal fusion except cervical w/o MCC", 3.95, 2.6, "elective", 0.02, 0.10, 0.1),
    Drg(
        "743",
        "Uterine and adnexa procedures for non-malignancy w/o CC/MCC",
        1.05,
        1.5,
        "elective",
        0.0,
        0.0,
        0.05,
    ),
    Drg(
        "807",
        "Vaginal delivery w/o sterilization/D&C w/o CC/MCC",
        0.64,
        2.0,
        "maternity",
        0.0,
        0.0,
        0.02,
    ),
    Drg(
        "788",
        "Cesarean section w/o sterilization w/o CC/MCC",
        0.95,
        2.6,
        "maternity",
        0.0,
        0.0,
        0.03,
    ),
)
# Relative frequency of each DRG within its admission source (ED admissions and
# elective admissions), roughly following HCUP's most frequent principal diagnoses.
DRG_FREQUENCY = {
    "871": 9,
    "872": 4,
    "291": 8,
    "292": 4,
    "193": 5,
    "194": 4,
    "190": 4,
    "189": 4,
    "207": 0.8,
    "683": 5,
    "690": 5,
    "603": 5,
    "378": 4,
    "392": 5,
    "065": 4,
    "312": 4,
    "885": 4,
    "897": 3,
    "853": 0.8,
    "329": 2,
    "247": 3,
    "470": 6,
    "460": 2,
    "743": 2,
    "807": 7,
    "788": 3,
}
DRG_INDEX = {d.code: i for i, d in enumerate(DRGS)}


def drg_table() -> pd.DataFrame:
    """The MS-DRG catalog as a feed (one row per DRG)."""
    return pd.DataFrame(
        {
            "ms_drg_code": [d.code for d in DRGS],
            "ms_drg_title": [d.title for d in DRGS],
            "relative_weight": [d.weight for d in DRGS],
            "geometric_mean_los_days": [d.gmlos_days for d in DRGS],
            "drg_type": [
                "surgical"
                if d.source == "elective"
                else "obstetric"
                if d.source == "maternity"
                else "medical"
                for d in DRGS
            ],
        }
    )


def payer_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "payer_id": [p.payer_id for p in PAYERS],
            "payer_name": [p.payer_name for p in PAYERS],
            "payer_class": [p.payer_class for p in PAYERS],
            "base_rate_usd": [p.base_rate_usd for p in PAYERS],
        }
    )


def hospital_beds(config: NetworkConfig) -> list[int]:
    return [
        max(20, round(config.beds_per_hospital * SIZE_FACTORS[h % len(SIZE_FACTORS)]))
        for h in range(config.hospitals)
    ]


def reference_tables(config: NetworkConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hospitals (beds, ED bays) and their units (beds, monitor model)."""
    beds = hospital_beds(config)
    hospital_ids = [f"H{h + 1:02d}" for h in range(config.hospitals)]
    units = []
    for h, hospital_id in enumerate(hospital_ids):
        for u, (unit_type, share) in enumerate(UNIT_MIX):
            units.append(
                {
                    "unit_id": f"{hospital_id}-{unit_type.upper()}",
                    "hospital_id": hospital_id,
                    "unit_type": unit_type,
                    "staffed_beds": max(2, round(beds[h] * share)),
                    "monitor_model": MONITOR_MODELS[(h + u) % len(MONITOR_MODELS)],
                }
            )
    units_df = pd.DataFrame(units)
    inpatient_beds = units_df.groupby("hospital_id", sort=False)["staffed_beds"].sum()
    hospitals = pd.DataFrame(
        {
            "hospital_id": hospital_ids,
            "hospital_name": [f"Vigil General {h + 1}" for h in range(config.hospitals)],
            "staffed_beds": inpatient_beds.loc[hospital_ids].to_numpy(),
            "ed_bays": [max(4, round(b * ED_BAYS_PER_BED)) for b in beds],
            "region_zip3": [f"{100 + 37 * h:03d}" for h in range(config.hospitals)],
        }
    )
    return hospitals, units_df


def drg_probabilities(source: str) -> tuple[np.ndarray, np.ndarray]:
    """Indices into DRGS and probabilities of each DRG for one admission source."""
    idx = np.array([i for i, d in enumerate(DRGS) if d.source == source])
    weights = np.array([DRG_FREQUENCY[DRGS[i].code] for i in idx], dtype=float)
    return idx, weights / weights.sum()


# Principal diagnosis (ICD-10-CM) and principal procedure (ICD-10-PCS; None for medical
# stays) coded for each simulated MS-DRG: a representative code of the DRG, so that the
# CMS Planned Readmission Algorithm (v4.0) can classify readmissions by diagnosis and
# procedure as it does on claims. Elective surgical DRGs carry potentially planned
# procedures (PCI, arthroplasty, spinal fusion, colorectal resection, hysterectomy);
# deliveries an always-planned diagnosis or procedure.
DRG_CODES: dict[str, tuple[str, str | None]] = {
    "871": ("A41.9", None),  # sepsis, unspecified organism
    "872": ("A41.9", None),
    "291": ("I50.9", None),  # heart failure, unspecified
    "292": ("I50.9", None),
    "193": ("J18.9", None),  # pneumonia, unspecified organism
    "194": ("J18.9", None),
    "190": ("J44.1", None),  # COPD with acute exacerbation
    "189": ("J96.01", None),  # acute respiratory failure with hypoxia
    "207": ("J96.01", "5A1955Z"),  # ventilation > 96 consecutive hours
    "683": ("N17.9", None),  # acute kidney failure, unspecified
    "690": ("N39.0", None),  # urinary tract infection, site not specified
    "603": ("L03.115", None),  # cellulitis of right lower limb
    "378": ("K92.2", None),  # gastrointestinal hemorrhage, unspecified
    "392": ("K52.9", None),  # noninfective gastroenteritis and colitis
    "065": ("I63.9", None),  # cerebral infarction, unspecified
    "312": ("R55", None),  # syncope and collapse
    "885": ("F20.9", None),  # schizophrenia, unspecified
    "897": ("F10.239", None),  # alcohol dependence with withdrawal
    "853": ("A41.9", "0JBN0ZZ"),  # sepsis; excisional debridement, subcutaneous tissue
    "329": ("C18.7", "0DTN0ZZ"),  # sigmoid colon cancer; resection of sigmoid colon
    "247": ("I25.10", "02703DZ"),  # coronary atherosclerosis; PCI with stent
    "470": ("M17.11", "0SRC0JZ"),  # primary osteoarthritis right knee; knee replacement
    "460": ("M48.061", "0SG00AJ"),  # lumbar spinal stenosis; lumbar spinal fusion
    "743": ("D25.9", "0UT90ZZ"),  # leiomyoma of uterus; total hysterectomy
    "807": ("O80", None),  # full-term uncomplicated delivery
    "788": ("O34.211", "10D00Z1"),  # uterine scar from previous cesarean; cesarean section
}
