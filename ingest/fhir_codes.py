"""FHIR R4 code systems and value sets mapped onto the contract's codes."""

from __future__ import annotations

import re

# v3 ActEncounterCode (Encounter.class) -> contract encounter type.
ENCOUNTER_CLASS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "EMER": "emergency",
    "OBSENC": "observation",
    "SS": "observation",
    "AMB": "ambulatory",
    "PRENC": "outpatient",
    "FLD": "outpatient",
    "HH": "home",
    "VR": "virtual",
}
# http://terminology.hl7.org/CodeSystem/discharge-disposition -> contract disposition.
DISCHARGE_DISPOSITION = {
    "home": "home",
    "alt-home": "home",
    "other-hcf": "transfer",
    "hosp": "hospice",
    "long": "transfer",
    "aadvice": "against_medical_advice",
    "exp": "expired",
    "psy": "transfer",
    "rehab": "transfer",
    "snf": "snf",
    "oth": "other",
}
# http://terminology.hl7.org/CodeSystem/admit-source -> contract admission source.
ADMIT_SOURCE = {
    "emd": "ed",
    "hosp-trans": "transfer",
    "nursing": "transfer",
    "psych": "transfer",
    "rehab": "transfer",
    "gp": "direct",
    "mp": "direct",
    "outp": "direct",
    "born": "other",
    "other": "other",
}
DIAGNOSIS_SYSTEMS = {
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10-CM",
    "http://snomed.info/sct": "SNOMED-CT",
}
PROCEDURE_SYSTEMS = {
    "http://www.cms.gov/Medicare/Coding/ICD10": "ICD-10-PCS",
    "http://hl7.org/fhir/sid/icd-10-pcs": "ICD-10-PCS",
    "http://www.ama-assn.org/go/cpt": "CPT",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HCPCS",
    "http://snomed.info/sct": "SNOMED-CT",
}
LOINC_SYSTEM = "http://loinc.org"


def payer_category(name: object) -> str | None:
    """A payer's category from its name (Medicare, Medicaid, self-pay, else commercial)."""
    if not isinstance(name, str) or not name:
        return None
    text = name.lower()
    if "medicare" in text:
        return "medicare"
    if "medicaid" in text or "chip" in text:
        return "medicaid"
    if re.search(r"no insurance|self[- ]?pay|uninsured|no_insurance", text):
        return "self_pay"
    return "commercial"
