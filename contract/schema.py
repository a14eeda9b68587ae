"""The input contract: the raw tables every source (simulator or hospital) fills.

Each table is typed column by column, with meaning, code system and whether the value
is required. Six core tables (what the marts and models read today) are required; the
others carry what real EHR extracts bring (diagnoses, procedures, lab results, claims,
remittances) and are optional: when absent, the metrics that need them are null.
``docs/input-contract.md`` is the prose reference and is checked against this module.
"""

from __future__ import annotations

from contract.feeds import OPTIONAL_FEEDS
from contract.schema_types import (
    BOOLEAN,
    FLOAT,
    INTEGER,
    STRING,
    TIMESTAMP,
    Column,
    Table,
)

__all__ = ["BOOLEAN", "FLOAT", "INTEGER", "STRING", "TIMESTAMP", "Column", "Table"]


# Encounter types: HL7 v3 ActEncounterCode / FHIR Encounter.class, spelled out.
UNIT_TYPES = ("icu", "stepdown", "medsurg", "maternity")  # inpatient units
# Encounter types with a bed stay: ADT events (A01/A02/A03) and unit census.
BED_STAY_TYPES = ("inpatient", "observation")
ADMISSION_SOURCES = ("ed", "direct", "elective", "transfer", "readmission", "other")
DISPOSITIONS = (
    "home",
    "home_health",
    "snf",
    "transfer",
    "hospice",
    "against_medical_advice",
    "expired",
    "other",
)
ENCOUNTER_TYPES = (
    "inpatient",
    "emergency",
    "observation",
    "outpatient",
    "ambulatory",
    "urgent_care",
    "wellness",
    "snf",
    "hospice",
    "home",
    "virtual",
)
ACVPU_CODES = ("A", "C", "V", "P", "U")  # RCP 2017 NEWS2 consciousness scale
SEX_CODES = ("F", "M", "U")  # HL7 table 0001 administrative sex, reduced
PAYER_CATEGORIES = ("medicare", "medicaid", "commercial", "self_pay", "other")
ICD10_CM = r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$"
ICD10_PCS = r"^[0-9A-HJ-NP-Z]{7}$"
MS_DRG = r"^[0-9]{3}$"
LOINC = r"^[0-9]{1,7}-[0-9]$"
SNOMED_CT = r"^[1-9][0-9]{5,17}$"
CPT = r"^[0-9]{4}[0-9A-Z]$"
HCPCS = r"^[A-V][0-9]{4}$"
DIAGNOSIS_SYSTEMS = ("ICD-10-CM", "SNOMED-CT")
PROCEDURE_SYSTEMS = ("ICD-10-PCS", "CPT", "HCPCS", "SNOMED-CT")


def _id(name: str, what: str, references: str | None = None) -> Column:
    return Column(name, STRING, what, references=references)


PSEUDONYM = "keyed pseudonym (HMAC-SHA256) of the source identifier; never the identifier"

TABLES: tuple[Table, ...] = (
    Table(
        "hospitals",
        "one row per hospital",
        "hospital_id",
        (
            _id("hospital_id", "facility code (HL7 MSH-4 / PV1-3.4, FHIR Organization)"),
            Column("hospital_name", STRING, "facility name (an organisation, not a person)"),
            Column("staffed_beds", INTEGER, "staffed inpatient beds", minimum=1),
            Column("ed_bays", INTEGER, "emergency department treatment bays", False, minimum=0),
            Column("region_zip3", STRING, "ZIP3 of the service area", False, pattern=r"^\d{3}$"),
        ),
    ),
    Table(
        "units",
        "one row per care unit",
        "unit_id",
        (
            _id("unit_id", "care unit, '<hospital_id>-<point of care>' (HL7 PV1-3.1)"),
            _id("hospital_id", "hospital of the unit", "hospitals.hospital_id"),
            Column(
                "unit_type",
                STRING,
                "inpatient unit type",
                allowed=UNIT_TYPES,
            ),
            Column("staffed_beds", INTEGER, "staffed beds of the unit", minimum=1),
            Column("monitor_model", STRING, "bedside monitor model (telemetry)", required=False),
        ),
    ),
    Table(
        "patients",
        "one row per patient",
        "patient_id",
        (
            _id("patient_id", f"patient, {PSEUDONYM}"),
            Column(
                "age_years", INTEGER, "age at first encounter; 90 for 90+", minimum=0, maximum=120
            ),
            Column("sex", STRING, "administrative sex", code_system="HL7 0001", allowed=SEX_CODES),
            Column(
                "charlson_index",
                INTEGER,
                "Charlson comorbidity index (Charlson 1987)",
                required=False,
                minimum=0,
                maximum=37,
            ),
            Column(
                "primary_payer",
                STRING,
                "primary payer category",
                required=False,
                allowed=PAYER_CATEGORIES,
            ),
            Column(
                "zip3", STRING, "first 3 ZIP digits (HIPAA Safe Harbor)", False, pattern=r"^\d{3}$"
            ),
            Column(
                "spo2_scale",
                INTEGER,
                "NEWS2 SpO2 scale (2: target 88-92 %, RCP 2017)",
                required=False,
                allowed=("1", "2"),
            ),
        ),
    ),
    Table(
        "encounters",
        "one row per encounter (admission or visit)",
        "encounter_id",
        (
            _id("encounter_id", f"encounter (HL7 PV1-19 visit number), {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("hospital_id", "hospital", "hospitals.hospital_id"),
            Column(
                "encounter_type",
                STRING,
                "encounter type (HL7 PV1-2 / FHIR Encounter.class / Synthea class)",
                code_system="HL7 v3 ActEncounterCode, spelled out",
                allowed=ENCOUNTER_TYPES,
            ),
            Column(
                "admission_source",
                STRING,
                "point of origin (UB-04 / HL7 0023, grouped)",
                required=False,
                allowed=ADMISSION_SOURCES,
            ),
            Column(
                "acuity_level", INTEGER, "0 ward, 1 step-down, 2 ICU", False, minimum=0, maximum=2
            ),
            Column("admitted_at", TIMESTAMP, "admission / visit start, UTC"),
            Column("discharged_at", TIMESTAMP, "discharge / visit end, UTC; null in house", False),
            Column(
                "discharge_disposition",
                STRING,
                "discharge status (UB-04 / HL7 0112, grouped)",
                required=False,
                allowed=DISPOSITIONS,
            ),
            Column(
                "ms_drg_code",
                STRING,
                "MS-DRG billed for the stay",
                required=False,
                code_system="CMS MS-DRG",
                pattern=MS_DRG,
            ),
            Column("ms_drg_weight", FLOAT, "MS-DRG relative weight (CMS IPPS)", False, minimum=0),
            Column("ed_visit_id", STRING, "ED visit that led to the stay", required=False),
            Column("admitting_unit_id", STRING, "first inpatient unit", required=False),
        ),
        event_time="admitted_at",
        ordering=(("admitted_at", "discharged_at"),),
    ),
    Table(
        "adt_events",
        "one row per ADT event of a bed stay (inpatient or observation encounter)",
        "adt_event_id",
        (
            _id("adt_event_id", f"ADT event, {PSEUDONYM}"),
            _id("encounter_id", "encounter", "encounters.encounter_id"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("hospital_id", "hospital", "hospitals.hospital_id"),
            _id("unit_id", "unit the patient is in after the event", "units.unit_id"),
            Column(
                "event_type",
                STRING,
                "HL7 v2 trigger event of a bed stay: A01 admit, A02 transfer, A03 discharge",
                code_system="HL7 0003",
                allowed=("A01", "A02", "A03"),
            ),
            Column("event_at", TIMESTAMP, "event time (HL7 EVN-6 or EVN-2), UTC"),
            Column("bed_id", STRING, "bed (HL7 PV1-3.3)", required=False),
        ),
        event_time="event_at",
    ),
    Table(
        "vitals",
        "one row per charted vital-sign observation set",
        "observation_id",
        (
            _id("observation_id", f"observation set, {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("encounter_id", "encounter", "encounters.encounter_id"),
            Column(
                "unit_id",
                STRING,
                "where charted: an inpatient unit, or the ED / clinic point of care of a visit",
                required=False,
            ),
            Column("observed_at", TIMESTAMP, "observation time (OBX-14 / effective), UTC"),
            Column(
                "respiration_rate",
                FLOAT,
                "breaths/min, LOINC 9279-1",
                False,
                "LOINC",
                None,
                None,
                0,
                80,
            ),
            Column(
                "spo2", FLOAT, "SpO2 %, LOINC 59408-5 / 2708-6", False, "LOINC", None, None, 40, 100
            ),
            Column(
                "on_supplemental_oxygen", BOOLEAN, "on supplemental O2 (LOINC 3151-8 > 0)", False
            ),
            Column("systolic_bp", FLOAT, "mmHg, LOINC 8480-6", False, "LOINC", None, None, 30, 300),
            Column("pulse", FLOAT, "beats/min, LOINC 8867-4", False, "LOINC", None, None, 10, 300),
            Column("consciousness", STRING, "ACVPU (RCP 2017)", False, None, None, ACVPU_CODES),
            Column(
                "temperature", FLOAT, "Celsius, LOINC 8310-5", False, "LOINC", None, None, 25, 45
            ),
            Column(
                "spo2_scale",
                INTEGER,
                "NEWS2 SpO2 scale of the patient",
                required=False,
                allowed=("1", "2"),
            ),
            Column("received_at", TIMESTAMP, "when the interface delivered it, UTC", False),
        ),
        event_time="observed_at",
    ),
    Table(
        "lab_results",
        "one row per laboratory result",
        "lab_result_id",
        (
            _id("lab_result_id", f"lab result, {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("encounter_id", "encounter", "encounters.encounter_id"),
            Column("loinc_code", STRING, "test code", code_system="LOINC", pattern=LOINC),
            Column("value_numeric", FLOAT, "numeric result", required=False),
            Column("unit_of_measure", STRING, "UCUM unit", required=False, code_system="UCUM"),
            Column("abnormal_flag", STRING, "HL7 0078 flag (H, L, A, ...)", required=False),
            Column("test_name", STRING, "test name as the lab reports it", required=False),
            Column("ordered_at", TIMESTAMP, "order time, UTC", required=False),
            Column("collected_at", TIMESTAMP, "specimen collection time, UTC", required=False),
            Column("resulted_at", TIMESTAMP, "result time (OBX-14 / effective), UTC"),
            Column("received_at", TIMESTAMP, "when the interface delivered it, UTC", False),
        ),
        required=False,
        event_time="resulted_at",
    ),
    Table(
        "diagnoses",
        "one row per diagnosis coded on an encounter",
        "diagnosis_id",
        (
            _id("diagnosis_id", f"diagnosis, {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("encounter_id", "encounter", "encounters.encounter_id"),
            Column(
                "code_system", STRING, "code system of diagnosis_code", allowed=DIAGNOSIS_SYSTEMS
            ),
            Column("diagnosis_code", STRING, "ICD-10-CM (or SNOMED CT) code"),
            Column("diagnosis_rank", INTEGER, "1 = principal diagnosis", False, minimum=1),
            Column("diagnosed_at", TIMESTAMP, "onset or recorded time, UTC"),
        ),
        required=False,
        event_time="diagnosed_at",
        coded=(("code_system", "diagnosis_code", {"ICD-10-CM": ICD10_CM, "SNOMED-CT": SNOMED_CT}),),
    ),
    Table(
        "procedures",
        "one row per procedure performed in an encounter",
        "procedure_id",
        (
            _id("procedure_id", f"procedure, {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("encounter_id", "encounter", "encounters.encounter_id"),
            Column(
                "code_system", STRING, "code system of procedure_code", allowed=PROCEDURE_SYSTEMS
            ),
            Column("procedure_code", STRING, "ICD-10-PCS, CPT, HCPCS or SNOMED CT code"),
            Column("performed_at", TIMESTAMP, "procedure time, UTC"),
        ),
        required=False,
        event_time="performed_at",
        coded=(
            (
                "code_system",
                "procedure_code",
                {"ICD-10-PCS": ICD10_PCS, "CPT": CPT, "HCPCS": HCPCS, "SNOMED-CT": SNOMED_CT},
            ),
        ),
    ),
    Table(
        "payers",
        "one row per payer contract",
        "payer_id",
        (
            _id("payer_id", "payer"),
            Column("payer_name", STRING, "payer name (an organisation)"),
            Column("payer_class", STRING, "payer category", allowed=PAYER_CATEGORIES),
            Column("base_rate_usd", FLOAT, "IPPS-style base rate per DRG weight", False, minimum=0),
        ),
        required=False,
    ),
    Table(
        "ms_drgs",
        "one row per MS-DRG (CMS IPPS Table 5)",
        "ms_drg_code",
        (
            Column("ms_drg_code", STRING, "MS-DRG", code_system="CMS MS-DRG", pattern=MS_DRG),
            Column("ms_drg_title", STRING, "MS-DRG title"),
            Column("relative_weight", FLOAT, "relative weight", minimum=0),
            Column("geometric_mean_los_days", FLOAT, "geometric mean LOS", False, minimum=0),
            Column("drg_type", STRING, "medical, surgical or obstetric", required=False),
        ),
        required=False,
    ),
    Table(
        "claims",
        "one row per claim submitted to a payer",
        "claim_id",
        (
            _id("claim_id", f"claim, {PSEUDONYM}"),
            _id("patient_id", "patient", "patients.patient_id"),
            _id("encounter_id", "encounter billed", "encounters.encounter_id"),
            Column("payer_category", STRING, "payer category", False, allowed=PAYER_CATEGORIES),
            Column("ms_drg_code", STRING, "MS-DRG billed", False, "CMS MS-DRG", MS_DRG),
            Column("billed_amount_usd", FLOAT, "total charges billed", minimum=0),
            Column("payer_id", STRING, "payer", required=False, references="payers.payer_id"),
            Column("expected_reimbursement_usd", FLOAT, "contracted amount", False, minimum=0),
            Column(
                "claim_frequency_code",
                STRING,
                "UB-04 type of bill frequency (1 original, 7 replacement)",
                False,
            ),
            Column("original_claim_id", STRING, "claim this one replaces", required=False),
            Column("submitted_at", TIMESTAMP, "claim submission time, UTC"),
        ),
        required=False,
        event_time="submitted_at",
    ),
    Table(
        "remittances",
        "one row per payer remittance (adjudication) of a claim",
        "remittance_id",
        (
            _id("remittance_id", f"remittance, {PSEUDONYM}"),
            _id("claim_id", "claim adjudicated", "claims.claim_id"),
            Column("paid_amount_usd", FLOAT, "amount paid by the payer", minimum=0),
            Column("is_denied", BOOLEAN, "claim denied by the payer (X12 835 CLP02 = 4)"),
            Column("payer_id", STRING, "payer", required=False, references="payers.payer_id"),
            Column("carc_code", STRING, "X12 claim adjustment reason code", required=False),
            Column("contractual_adjustment_usd", FLOAT, "contractual adjustment", False),
            Column("adjudicated_at", TIMESTAMP, "adjudication time, UTC"),
        ),
        required=False,
        event_time="adjudicated_at",
    ),
)

TABLES = TABLES + OPTIONAL_FEEDS
TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
CORE_TABLES = tuple(table.name for table in TABLES if table.required)
# Rejected records land here, one row per record and rule (see contract.validate).
REJECTS_TABLE = "intake_rejects"
