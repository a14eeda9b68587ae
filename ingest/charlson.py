"""The Charlson comorbidity index from ICD-10 or SNOMED CT diagnoses, when a source lacks it.

Conditions are coded by Quan et al.'s ICD-10 coding algorithm (Quan H, Sundararajan V,
Halfon P, et al. Coding algorithms for defining comorbidities in ICD-9-CM and ICD-10
administrative data. Med Care 2005;43:1130-1139, Table 1, Charlson ICD-10 column) and
weighted by Charlson's original weights (Charlson ME, Pompei P, Ales KL, MacKenzie CR.
J Chronic Dis 1987;40:373-383): 1 for the first ten conditions, 2 for hemiplegia,
renal disease, diabetes with complications and any malignancy, 3 for moderate or
severe liver disease, 6 for metastatic solid tumour and AIDS/HIV. As usual with the
algorithm, a condition counts once, and the milder form of a hierarchy (mild liver
disease, uncomplicated diabetes, non-metastatic malignancy) does not count when the
severe form is present. The index therefore lies in 0-29.

Quan's codes are WHO ICD-10 categories and subcategories; ICD-10-CM codes (more
characters) match by prefix, so I21.4 and E11.65 count. Codes are compared without
their dot.

SNOMED CT concepts (Synthea's conditions, FHIR Conditions, HL7 DG1 coded ``SCT``) are
read through the reference table ``reference/charlson__snomed_ct.csv``: the concepts
Synthea's modules emit for the Charlson conditions, each given the condition of its
Quan ICD-10 equivalent (provenance and what was left out in the ``.yml`` beside it; a
compiled table, to be checked against an official map).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

# (condition, Charlson 1987 weight, Quan 2005 ICD-10 codes; "A00-A09" is a range of
# same-length codes, a code matches every ICD-10(-CM) code it prefixes).
CHARLSON_CONDITIONS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("myocardial_infarction", 1, ("I21", "I22", "I25.2")),
    (
        "congestive_heart_failure",
        1,
        ("I09.9", "I11.0", "I13.0", "I13.2", "I25.5", "I42.0", "I42.5-I42.9", "I43", "I50")
        + ("P29.0",),
    ),
    (
        "peripheral_vascular_disease",
        1,
        ("I70", "I71", "I73.1", "I73.8", "I73.9", "I77.1", "I79.0", "I79.2", "K55.1", "K55.8")
        + ("K55.9", "Z95.8", "Z95.9"),
    ),
    ("cerebrovascular_disease", 1, ("G45", "G46", "H34.0", "I60-I69")),
    ("dementia", 1, ("F00-F03", "F05.1", "G30", "G31.1")),
    (
        "chronic_pulmonary_disease",
        1,
        ("I27.8", "I27.9", "J40-J47", "J60-J67", "J68.4", "J70.1", "J70.3"),
    ),
    ("rheumatic_disease", 1, ("M05", "M06", "M31.5", "M32-M34", "M35.1", "M35.3", "M36.0")),
    ("peptic_ulcer_disease", 1, ("K25-K28",)),
    (
        "mild_liver_disease",
        1,
        ("B18", "K70.0-K70.3", "K70.9", "K71.3-K71.5", "K71.7", "K73", "K74", "K76.0")
        + ("K76.2-K76.4", "K76.8", "K76.9", "Z94.4"),
    ),
    (
        "diabetes_without_complication",
        1,
        tuple(f"E1{d}.{s}" for d in range(5) for s in (0, 1, 6, 8, 9)),
    ),
    (
        "diabetes_with_complication",
        2,
        tuple(f"E1{d}.{s}" for d in range(5) for s in (2, 3, 4, 5, 7)),
    ),
    (
        "hemiplegia_or_paraplegia",
        2,
        ("G04.1", "G11.4", "G80.1", "G80.2", "G81", "G82", "G83.0-G83.4", "G83.9"),
    ),
    (
        "renal_disease",
        2,
        ("I12.0", "I13.1", "N03.2-N03.7", "N05.2-N05.7", "N18", "N19", "N25.0", "Z49.0-Z49.2")
        + ("Z94.0", "Z99.2"),
    ),
    (
        "any_malignancy",
        2,
        ("C00-C26", "C30-C34", "C37-C41", "C43", "C45-C58", "C60-C76", "C81-C85", "C88")
        + ("C90-C97",),
    ),
    (
        "moderate_or_severe_liver_disease",
        3,
        ("I85.0", "I85.9", "I86.4", "I98.2", "K70.4", "K71.1", "K72.1", "K72.9", "K76.5")
        + ("K76.6", "K76.7"),
    ),
    ("metastatic_solid_tumour", 6, ("C77-C80",)),
    ("aids_hiv", 6, ("B20-B22", "B24")),
)
# The milder condition does not count when the severe one is present.
HIERARCHY = {
    "mild_liver_disease": "moderate_or_severe_liver_disease",
    "diabetes_without_complication": "diabetes_with_complication",
    "any_malignancy": "metastatic_solid_tumour",
}
WEIGHTS = {name: weight for name, weight, _ in CHARLSON_CONDITIONS}
ICD10_SYSTEM = "ICD-10-CM"
SNOMED_SYSTEM = "SNOMED-CT"
CODED_SYSTEMS = (ICD10_SYSTEM, SNOMED_SYSTEM)
SNOMED_TABLE = Path(__file__).parent / "reference" / "charlson__snomed_ct.csv"


def _expand(code: str) -> list[str]:
    """'I42.5-I42.9' -> I425 ... I429; 'C00-C26' -> C00 ... C26; 'I21' -> I21."""
    first, _, last = code.replace(".", "").partition("-")
    if not last:
        return [first]
    letter, start, end = first[0], int(first[1:]), int(last[1:])
    width = len(first) - 1
    return [f"{letter}{number:0{width}d}" for number in range(start, end + 1)]


PREFIXES: dict[str, str] = {
    prefix: name
    for name, _, codes in CHARLSON_CONDITIONS
    for code in codes
    for prefix in _expand(code)
}
_LENGTHS = sorted({len(prefix) for prefix in PREFIXES}, reverse=True)


def condition(code: str) -> str | None:
    """The Charlson condition an ICD-10(-CM) code codes for, or None."""
    compact = code.replace(".", "").strip().upper()
    for length in _LENGTHS:
        name = PREFIXES.get(compact[:length])
        if name is not None:
            return name
    return None


@cache
def snomed_conditions() -> dict[str, str]:
    """SNOMED CT concept id -> Charlson condition, from the reference table (read once)."""
    with SNOMED_TABLE.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    unknown = {row["charlson_condition"] for row in rows} - set(WEIGHTS)
    if unknown:
        raise ValueError(f"{SNOMED_TABLE.name}: unknown Charlson conditions {sorted(unknown)}")
    return {row["snomed_code"].strip(): row["charlson_condition"] for row in rows}


def snomed_condition(code: str) -> str | None:
    """The Charlson condition a SNOMED CT concept id codes for, or None."""
    return snomed_conditions().get(str(code).strip())


def coded_condition(system: str, code: str) -> str | None:
    """The Charlson condition of a code in ICD-10-CM or SNOMED CT (None for other systems)."""
    if system == ICD10_SYSTEM:
        return condition(code)
    if system == SNOMED_SYSTEM:
        return snomed_condition(code)
    return None


def index_of(conditions: set[str]) -> int:
    """The Charlson index of a set of conditions (hierarchies applied)."""
    counted = {c for c in conditions if HIERARCHY.get(c) not in conditions}
    return sum(WEIGHTS[c] for c in counted)


def charlson_by_patient(diagnoses: pd.DataFrame) -> pd.Series:
    """The Charlson index of every patient with an ICD-10-CM or SNOMED CT diagnosis (0 if
    none codes for a condition).

    ``diagnoses`` has ``patient_id``, ``code_system`` and ``diagnosis_code``; every
    diagnosis in it counts (the look-back is the load), whichever of the two systems
    codes it. Patients with neither are absent from the result (see
    ``ingest.derive.with_charlson``).
    """
    if diagnoses is None or diagnoses.empty:
        return pd.Series(dtype="int64", name="charlson_index")
    coded = diagnoses[diagnoses["code_system"].isin(CODED_SYSTEMS)].dropna(
        subset=["diagnosis_code"]
    )
    found = coded.assign(
        condition=[
            coded_condition(system, str(code))
            for system, code in zip(coded["code_system"], coded["diagnosis_code"], strict=True)
        ]
    )
    conditions = found.dropna(subset=["condition"]).groupby("patient_id")["condition"].agg(set)
    index = pd.Series(0, index=pd.Index(coded["patient_id"].unique(), name="patient_id"))
    if not conditions.empty:
        index.loc[conditions.index] = conditions.map(index_of).astype("int64")
    return index.astype("int64").rename("charlson_index")
