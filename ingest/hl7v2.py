"""HL7 v2 intake: ADT and ORU messages from an interface engine into the contract.

ADT A01 admit, A04 register, A02 transfer, A03 discharge become encounters, and ADT
events for bed stays (inpatient, observation; an ED or clinic visit is an encounter
alone); A08 updates the patient and visit; A11 (cancel admit/visit), A12 (cancel
transfer) and A13 (cancel discharge) undo what they cancel; A15 (pending transfer) marks
the next transfer as planned and A26 cancels that (see ``ingest.events``); A40 merges the patient
in MRG-1 into the one in PID-3. ORU R01 OBX segments become vital-sign sets (by
LOINC, see ``ingest.vitals``) and lab results. Messages are applied in file order.
A message that cannot be parsed or used is rejected with its reason and the batch
goes on; rejects record a digest of the message, never its text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from contract.schema import BED_STAY_TYPES
from contract.validate import empty_rejects, reject_rows
from ingest import hl7v2_message as hl7
from ingest.events import PLANNED_TRANSFERS
from ingest.fhir_codes import payer_category
from ingest.intake import IntakeResult, finish, slug
from ingest.landing import write_batch
from ingest.pseudonym import Pseudonymizer, age_years, zip3
from ingest.vitals import VITAL_LOINC, VitalReading, fill_units, pivot_sets

SOURCE = "hl7v2"
FILE_SUFFIXES = {".hl7", ".txt", ".er7", ".msg"}
# HL7 table 0004 patient class -> contract encounter type.
PATIENT_CLASS = {
    "I": "inpatient",
    "B": "inpatient",  # obstetrics
    "E": "emergency",
    "O": "outpatient",
    "R": "outpatient",  # recurring
    "P": "outpatient",  # pre-admit
}
# HL7 table 0112 discharge disposition (UB-04 codes) -> contract disposition.
DISPOSITION = {
    "01": "home",
    "02": "transfer",
    "03": "snf",
    "04": "transfer",  # intermediate care facility
    "05": "transfer",  # another type of institution
    "06": "home_health",
    "07": "against_medical_advice",
    "20": "expired",
    "40": "expired",  # hospice patients: expired at home,
    "41": "expired",  # in a medical facility,
    "42": "expired",  # place unknown
    "50": "hospice",
    "51": "hospice",
}
# HL7 table 0023 admit source (UB-04 point of origin) -> contract admission source.
ADMIT_SOURCE = {
    "7": "ed",
    "1": "direct",
    "2": "direct",
    "3": "direct",
    "4": "transfer",
    "5": "transfer",
    "6": "transfer",
}
# HL7 table 0007 admission type: elective and routine admissions are planned.
ELECTIVE_ADMISSION_TYPES = {"C", "R"}
# HL7 table 0112 (UB-04) on an ED visit -> ED disposition (CMS ED measures). 09 is
# "admitted as an inpatient to this hospital"; 07 (left against medical advice or
# discontinued care) is how a registration that leaves before being seen is billed.
ED_DISPOSITION = {
    "01": "discharged",
    "06": "discharged",
    "02": "transferred",
    "03": "transferred",
    "04": "transferred",
    "05": "transferred",
    "07": "left_without_being_seen",
    "09": "admitted",
    "20": "died",
}
# DG1-3.3 (or DG1-2, the older coding method) -> contract diagnosis code system.
DIAGNOSIS_SYSTEMS = {
    "I10": "ICD-10-CM",
    "I10C": "ICD-10-CM",
    "ICD10": "ICD-10-CM",
    "ICD10CM": "ICD-10-CM",
    "ICD-10-CM": "ICD-10-CM",
    "SCT": "SNOMED-CT",
    "SNOMEDCT": "SNOMED-CT",
}
ADT_EVENTS = {"A01", "A02", "A03", "A04", "A06", "A08", "A11", "A12", "A13", "A15", "A26", "A40"}
# Payer category of a plan type (IN1-15) or financial class (PV1-20). Both are
# user-defined tables in HL7 v2 (0086, 0064); interfaces commonly send the X12 837
# claim filing indicator codes (SBR09) or their spelled-out forms, read here.
PAYER_CODES = {
    "MA": "medicare",  # Medicare Part A
    "MB": "medicare",  # Medicare Part B
    "16": "medicare",  # HMO Medicare Risk
    "MCR": "medicare",
    "MEDICARE": "medicare",
    "MC": "medicaid",  # X12: Medicaid
    "MCD": "medicaid",
    "MEDICAID": "medicaid",
    "CI": "commercial",  # commercial insurance
    "BL": "commercial",  # Blue Cross / Blue Shield
    "HM": "commercial",  # HMO
    "12": "commercial",  # PPO
    "13": "commercial",  # POS
    "14": "commercial",  # EPO
    "COM": "commercial",
    "09": "self_pay",  # self-pay
    "SP": "self_pay",
    "SELF": "self_pay",
    "SELFPAY": "self_pay",
    "WC": "other",  # workers' compensation
    "CH": "other",  # CHAMPUS / TRICARE
    "VA": "other",  # veterans affairs
    "11": "other",  # other non-federal programmes
    "ZZ": "other",  # mutually defined
}


@dataclass
class _State:
    patients: dict[str, dict] = field(default_factory=dict)
    encounters: dict[str, dict] = field(default_factory=dict)
    events: dict[str, list[dict]] = field(default_factory=dict)  # by encounter
    readings: list[VitalReading] = field(default_factory=list)
    labs: list[dict] = field(default_factory=list)
    diagnoses: dict[str, dict[str, dict]] = field(default_factory=dict)  # by encounter, code
    merged: dict[str, str] = field(default_factory=dict)  # old patient -> surviving
    planned: list[dict] = field(default_factory=list)  # A15 pending transfers not cancelled


class Hl7Intake:
    """Applies messages one at a time; :meth:`tables` returns the contract frames."""

    def __init__(self, pseudonymize: Pseudonymizer) -> None:
        self.pseudonymize = pseudonymize
        self.state = _State()
        self.messages_in = 0
        self.rejected: list[tuple[str, str]] = []  # (locator, reason)

    def add(self, message: str, locator: str) -> None:
        """Apply one message; a failure rejects the message, never the batch."""
        self.messages_in += 1
        try:
            parsed = hl7.parse(hl7.minimise(message))
            self._apply(parsed)
        except hl7.MessageError as error:
            self.rejected.append((locator, str(error), _digest(message)))
        except (ValueError, KeyError, IndexError, AttributeError, TypeError) as error:
            reason = f"unusable HL7 v2 message ({type(error).__name__})"
            self.rejected.append((locator, reason, _digest(message)))

    def _apply(self, message) -> None:
        kind = hl7.value(message.msh, 9, 1)
        trigger = hl7.value(message.msh, 9, 2)
        if kind == "ADT" and trigger in ADT_EVENTS:
            self._adt(message, trigger)
        elif kind == "ORU" and trigger == "R01":
            self._oru(message)
        else:
            raise hl7.MessageError(f"message type {kind}^{trigger} is not read by Vigil")

    def _patient(self, message) -> tuple[str, str, dict]:
        """The patient's pseudonym, issuer, and the demographics to record (not yet applied)."""
        pid = hl7.first_segment(message, "PID")
        if pid is None:
            raise hl7.MessageError("PID segment missing")
        identifier, authority = _identifier(pid, 3)
        if not identifier:
            raise hl7.MessageError("PID-3 patient identifier missing")
        patient_id = self.pseudonymize("patient", identifier, authority)
        updates: dict = {}
        birth = hl7.parse_time(hl7.value(pid, 7))
        if birth is not None:
            updates["_birth"] = birth.date()
        sex = hl7.value(pid, 8).upper()
        if sex:
            updates["sex"] = sex if sex in {"F", "M"} else "U"
        postal = zip3(next((hl7.component(r, 5) for r in hl7.repetitions(pid, 11)), None))
        if postal:
            updates["zip3"] = postal
        return patient_id, authority, updates

    def _record_patient(self, patient_id: str, updates: dict, at: pd.Timestamp) -> None:
        record = self.state.patients.setdefault(patient_id, {"patient_id": patient_id})
        record.update(updates)
        record["_first_at"] = min(record.get("_first_at", at), at)

    def _encounter_key(self, message, authority: str) -> str | None:
        """The pseudonymised visit number of the message's PV1 (None if absent)."""
        pv1 = hl7.first_segment(message, "PV1")
        visit = hl7.value(pv1, 19)
        if not visit:
            return None
        facility = hl7.value(pv1, 3, 4) or hl7.value(message.msh, 4)
        return self.pseudonymize("encounter", visit, authority or slug(facility))

    def _visit(self, message, patient_id: str, authority: str) -> dict:
        """The encounter as this message states it, merged over what is known (not applied)."""
        pv1 = hl7.first_segment(message, "PV1")
        if pv1 is None:
            raise hl7.MessageError("PV1 segment missing")
        visit = hl7.value(pv1, 19)
        if not visit:
            raise hl7.MessageError("PV1-19 visit number missing")
        facility = hl7.value(pv1, 3, 4) or hl7.value(message.msh, 4)
        hospital_id = slug(facility)
        encounter_id = self.pseudonymize("encounter", visit, authority or hospital_id)
        known = self.state.encounters.get(encounter_id, {})
        encounter = {"encounter_id": encounter_id, "hospital_id": hospital_id, **known}
        encounter["patient_id"] = patient_id
        point_of_care = hl7.value(pv1, 3, 1)
        encounter["_unit"] = f"{hospital_id}-{slug(point_of_care)}" if point_of_care else None
        patient_class = hl7.value(pv1, 2).upper()
        if patient_class:
            encounter["encounter_type"] = PATIENT_CLASS.get(patient_class, "outpatient")
        if "OBS" in hl7.value(pv1, 18).upper():
            encounter["encounter_type"] = "observation"
        source = hl7.value(pv1, 14)
        if source:
            encounter["admission_source"] = ADMIT_SOURCE.get(source, "other")
        if hl7.value(pv1, 4).upper() in ELECTIVE_ADMISSION_TYPES:
            encounter["admission_source"] = "elective"
        admitted = hl7.parse_time(hl7.value(pv1, 44))
        if admitted is not None:
            encounter["admitted_at"] = admitted
        discharged = hl7.parse_time(hl7.value(pv1, 45))
        if discharged is not None:
            encounter["discharged_at"] = discharged
        disposition = hl7.value(pv1, 36)
        if disposition:
            encounter["discharge_disposition"] = DISPOSITION.get(disposition.zfill(2), "other")
            if encounter.get("encounter_type") == "emergency":
                encounter["ed_disposition"] = ED_DISPOSITION.get(disposition.zfill(2))
        return encounter

    def _diagnoses(self, message, encounter: dict, at: pd.Timestamp) -> dict[str, dict]:
        """The DG1 diagnoses of the message by code (repeated codes are one diagnosis)."""
        found: dict[str, dict] = {}
        for dg1 in hl7.segments(message, "DG1"):
            code = hl7.value(dg1, 3, 1).strip()
            if not code:
                continue
            system = (hl7.value(dg1, 3, 3) or hl7.value(dg1, 2)).upper().replace(" ", "")
            priority = hl7.value(dg1, 15)
            found[code] = {
                "diagnosis_id": self.pseudonymize("diagnosis", code, encounter["encounter_id"]),
                "patient_id": encounter["patient_id"],
                "encounter_id": encounter["encounter_id"],
                "code_system": DIAGNOSIS_SYSTEMS.get(system, system or None),
                "diagnosis_code": code,
                "diagnosis_rank": int(priority) if priority.isdigit() else None,
                "diagnosed_at": hl7.parse_time(hl7.value(dg1, 5)) or at,
            }
        return found

    def _event_time(self, message) -> pd.Timestamp:
        evn = hl7.first_segment(message, "EVN")
        for text in (hl7.value(evn, 6), hl7.value(evn, 2), hl7.value(message.msh, 7)):
            at = hl7.parse_time(text)
            if at is not None:
                return at
        raise hl7.MessageError("no event time (EVN-6, EVN-2 or MSH-7)")

    def _adt(self, message, trigger: str) -> None:
        at = self._event_time(message)
        patient_id, authority, updates = self._patient(message)
        if trigger == "A40":
            mrg = hl7.first_segment(message, "MRG")
            prior, prior_authority = _identifier(mrg, 1)
            if not prior:
                raise hl7.MessageError("MRG-1 prior patient identifier missing")
            old = self.pseudonymize("patient", prior, prior_authority)
            self._record_patient(patient_id, updates, at)
            if old != patient_id:
                self.state.merged[old] = patient_id
            return
        known = dict(self.state.encounters.get(self._encounter_key(message, authority), {}))
        encounter = self._visit(message, patient_id, authority)
        diagnoses = self._diagnoses(message, encounter, at)
        payer = primary_payer(message)
        if payer is not None:
            updates["primary_payer"] = payer
        # Everything is parsed: from here on the message is applied.
        self._record_patient(patient_id, updates, at)
        self.state.encounters[encounter["encounter_id"]] = encounter
        self.state.diagnoses.setdefault(encounter["encounter_id"], {}).update(diagnoses)
        events = self.state.events.setdefault(encounter["encounter_id"], [])
        unit = encounter["_unit"] or (events[-1]["unit_id"] if events else None)
        if trigger == "A06" and known.get("encounter_type") == "emergency":
            # An ED visit becomes a stay under the same visit number: the visit ends
            # and the stay begins at the A06 (see ed_visits in tables()).
            encounter["_ed_arrived_at"] = known.get("admitted_at", at)
            encounter["admitted_at"] = at
            encounter.pop("ed_disposition", None)
        if trigger in {"A01", "A04", "A06"}:
            encounter.setdefault("admitted_at", at)
            if trigger in {"A01", "A06"} and "encounter_type" not in encounter:
                encounter["encounter_type"] = "inpatient"
        elif trigger == "A03":
            encounter.setdefault("discharged_at", at)
        elif trigger == "A11":
            self.state.encounters.pop(encounter["encounter_id"])
            self.state.events.pop(encounter["encounter_id"])
            self.state.diagnoses.pop(encounter["encounter_id"], None)
            return
        elif trigger in {"A12", "A13"}:
            undone = "A02" if trigger == "A12" else "A03"
            for index in range(len(events) - 1, -1, -1):
                if events[index]["event_type"] == undone:
                    del events[index]
                    break
            if trigger == "A13":
                encounter.pop("discharged_at", None)
                encounter.pop("discharge_disposition", None)
            return
        elif trigger == "A15":  # pending transfer: the next transfer is planned
            self.state.planned.append({"encounter_id": encounter["encounter_id"], "planned_at": at})
            return
        elif trigger == "A26":  # cancel pending transfer
            mine = [p for p in self.state.planned if p["encounter_id"] == encounter["encounter_id"]]
            if mine:
                self.state.planned.remove(mine[-1])
            return
        if trigger == "A08" or encounter.get("encounter_type") not in BED_STAY_TYPES:
            return  # updates, and visits without a bed stay (A04 ED/clinic), have no ADT row
        control_id = hl7.value(message.msh, 10) or f"{trigger}|{at.isoformat()}"
        events.append(
            {
                "adt_event_id": self.pseudonymize(
                    "adt_event", control_id, hl7.value(message.msh, 4)
                ),
                "encounter_id": encounter["encounter_id"],
                "patient_id": patient_id,
                "hospital_id": encounter["hospital_id"],
                "unit_id": unit,
                "event_type": "A01" if trigger == "A06" else trigger,
                "event_at": at,
            }
        )

    def _oru(self, message) -> None:
        at = self._event_time(message)
        patient_id, authority, updates = self._patient(message)
        encounter = self._visit(message, patient_id, authority)
        readings: list[VitalReading] = []
        labs: list[dict] = []
        obr = hl7.first_segment(message, "OBR")
        set_time = hl7.parse_time(hl7.value(obr, 7)) or at
        sent_at = hl7.parse_time(hl7.value(message.msh, 7)) or at
        control_id = hl7.value(message.msh, 10)
        for obx in hl7.segments(message, "OBX"):
            if hl7.value(obx, 11).upper() in {"W", "X", "D"}:
                continue  # wrong / cannot be obtained / deleted: not a result
            code = hl7.value(obx, 3, 1)
            observed_at = hl7.parse_time(hl7.value(obx, 14)) or set_time
            result = hl7.value(obx, 5, 1) if hl7.value(obx, 2) == "CWE" else hl7.value(obx, 5)
            units = hl7.value(obx, 6, 1) or None
            if code in VITAL_LOINC:
                readings.append(
                    VitalReading(
                        patient_id,
                        encounter["encounter_id"],
                        encounter["_unit"],
                        observed_at,
                        code,
                        result,
                        units,
                    )
                )
                continue
            labs.append(
                {
                    "lab_result_id": self.pseudonymize(
                        "lab_result", f"{control_id}|{hl7.value(obx, 1)}|{code}", authority
                    ),
                    "patient_id": patient_id,
                    "encounter_id": encounter["encounter_id"],
                    "loinc_code": code,
                    "value_numeric": pd.to_numeric(result, errors="coerce"),
                    "unit_of_measure": units,
                    "abnormal_flag": hl7.value(obx, 8) or None,
                    # OBR-7 is the specimen collection time; MSH-7 when the result was sent.
                    "collected_at": set_time,
                    "resulted_at": observed_at,
                    "received_at": sent_at,
                }
            )
        self._record_patient(patient_id, updates, at)
        self.state.encounters[encounter["encounter_id"]] = encounter
        self.state.readings.extend(readings)
        self.state.labs.extend(labs)

    def tables(self) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
        """The contract frames, and the vitals readings rejected while pivoting."""
        state = self.state
        merged = state.merged

        def survivor(patient_id: str) -> str:
            seen = set()
            while patient_id in merged and patient_id not in seen:
                seen.add(patient_id)
                patient_id = merged[patient_id]
            return patient_id

        encounters = pd.DataFrame(
            [
                {k: v for k, v in e.items() if not k.startswith("_")}
                for e in state.encounters.values()
            ]
        )
        events = pd.DataFrame([event for encounter in state.events.values() for event in encounter])
        vitals, bad_readings = pivot_sets(
            state.readings,
            lambda encounter_id, at: self.pseudonymize("observation", at.isoformat(), encounter_id),
        )
        vitals = fill_units(vitals, events)
        labs = pd.DataFrame(state.labs)
        diagnoses = pd.DataFrame(
            [
                diagnosis
                for encounter_id, by_code in state.diagnoses.items()
                if encounter_id in state.encounters
                for diagnosis in by_code.values()
            ]
        )
        patients = []
        for patient_id, record in state.patients.items():
            if patient_id in merged:
                continue
            first = record.get("_first_at")
            patients.append(
                {
                    "patient_id": patient_id,
                    "age_years": age_years(record.get("_birth"), first.date())
                    if first is not None
                    else None,
                    "sex": record.get("sex", "U"),
                    "zip3": record.get("zip3"),
                    "primary_payer": record.get("primary_payer"),
                    "spo2_scale": 1,
                }
            )
        converted = [e for e in state.encounters.values() if "_ed_arrived_at" in e]
        ed_visits = pd.DataFrame(
            [
                {
                    "ed_visit_id": self.pseudonymize("ed_visit", e["encounter_id"], SOURCE),
                    "patient_id": e["patient_id"],
                    "hospital_id": e["hospital_id"],
                    "arrived_at": e["_ed_arrived_at"],
                    "departed_at": e["admitted_at"],
                    "disposition": "admitted",
                }
                for e in converted
            ]
        )
        if not ed_visits.empty:
            link = dict(
                zip([e["encounter_id"] for e in converted], ed_visits["ed_visit_id"], strict=True)
            )
            encounters["ed_visit_id"] = encounters["encounter_id"].map(link)
            encounters["admission_source"] = encounters.get("admission_source")
            from_ed = encounters["encounter_id"].isin(link) & encounters["admission_source"].isna()
            encounters.loc[from_ed, "admission_source"] = "ed"
        tables = {
            "patients": pd.DataFrame(patients),
            "encounters": encounters,
            "adt_events": events,
            "vitals": vitals,
        }
        if not labs.empty:
            tables["lab_results"] = labs
        if not diagnoses.empty:
            tables["diagnoses"] = diagnoses
        planned = [p for p in state.planned if p["encounter_id"] in state.encounters]
        if planned:
            tables[PLANNED_TRANSFERS] = pd.DataFrame(planned)
        if not ed_visits.empty:
            tables["ed_visits"] = ed_visits
        for name, frame in tables.items():
            if "patient_id" in frame.columns and merged:
                frame["patient_id"] = frame["patient_id"].map(survivor)
            if name == "adt_events" and not frame.empty:
                tables[name] = frame.sort_values(["event_at", "adt_event_id"], kind="stable")
        rejects = reject_rows(
            SOURCE,
            "vitals",
            "value",
            "",
            [{"encounter_id": r.encounter_id, "loinc_code": r.loinc_code} for r, _ in bad_readings],
            [r.loinc_code for r, _ in bad_readings],
        )
        rejects["reason"] = [reason for _, reason in bad_readings]
        return tables, rejects


def payer_class(*texts: str) -> str | None:
    """The contract payer category of a plan type or financial class code (see
    ``PAYER_CODES``), else of a plan or company name (Medicare, Medicaid, self-pay, else
    commercial, as ``ingest.fhir_codes.payer_category``); None when all are empty."""
    for text in texts:
        code = text.strip().upper().replace(" ", "").replace("-", "")
        if code in PAYER_CODES:
            return PAYER_CODES[code]
    return next((payer_category(text) for text in texts if text.strip()), None)


def primary_payer(message) -> str | None:
    """The payer category of the primary insurance (IN1 with set id 1, else the first
    IN1): IN1-15 plan type, then PV1-20 financial class, then the company (IN1-4) or
    plan (IN1-2) name; without IN1, the financial class alone; None when neither.

    Only the category is kept (``patients.primary_payer``): a ``payers`` row needs the
    contract's IPPS base rate, which no ADT message carries.
    """
    in1s = hl7.segments(message, "IN1")
    financial_class = hl7.value(hl7.first_segment(message, "PV1"), 20, 1)
    if not in1s:
        return payer_class(financial_class) if financial_class else None
    in1 = next((s for s in in1s if hl7.value(s, 1) == "1"), in1s[0])
    company, plan = hl7.value(in1, 4, 1), hl7.value(in1, 2, 2)
    return payer_class(hl7.value(in1, 15, 1), financial_class, company, plan) or "other"


def _identifier(segment, field: int) -> tuple[str, str]:
    """The medical record number (CX-5 'MR') of a CX list, else its first id; + issuer."""
    reps = hl7.repetitions(segment, field)
    chosen = next(
        (r for r in reps if hl7.component(r, 5).upper() == "MR"), reps[0] if reps else None
    )
    return hl7.component(chosen, 1), hl7.component(chosen, 4)


def _digest(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8", "replace")).hexdigest()[:16]


def read_messages(path: Path) -> list[tuple[str, str]]:
    """(locator, message) for every message of a file or of a folder's message files."""
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)
    )
    messages = []
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace")
        for index, message in enumerate(hl7.split_messages(text), start=1):
            messages.append((f"{file.name}#{index}", message))
    return messages


def ingest_hl7v2(
    path: Path, landing_dir: Path, pseudonymize: Pseudonymizer, reference: Path | None = None
) -> IntakeResult:
    """Load a file or folder of HL7 v2 messages into the landing zone."""
    intake = Hl7Intake(pseudonymize)
    for locator, message in read_messages(path):
        intake.add(message, locator)
    tables, reading_rejects = intake.tables()
    parse_rejects = reject_rows(
        SOURCE,
        "hl7v2_message",
        "parse",
        "",
        [{"message_sha256_16": digest} for _, _, digest in intake.rejected],
        [locator for locator, _, _ in intake.rejected],
    )
    parse_rejects["reason"] = [reason for _, reason, _ in intake.rejected]
    rejects = pd.concat([parse_rejects, reading_rejects], ignore_index=True)
    result = finish(
        SOURCE,
        tables,
        rejects if not rejects.empty else empty_rejects(),
        intake.messages_in,
        len(intake.rejected),
        landing_dir,
        reference,
    )
    write_batch(result.record(), landing_dir)
    return result


def vitals_from_message(message: str, pseudonymize: Pseudonymizer) -> tuple[list[dict], str | None]:
    """One live ORU^R01 message as contract vitals rows (for a stream connector).

    Returns (rows, None) or ([], reason) when the message cannot be used, so a flow
    can send it to its dead-letter output with the reason. Rows carry the same
    pseudonyms as a batch load with the same key.
    """
    intake = Hl7Intake(pseudonymize)
    intake.add(message, "live")
    if intake.rejected:
        return [], intake.rejected[0][1]
    vitals = intake.tables()[0]["vitals"]
    if vitals.empty:
        return [], "no vital-sign OBX in the message"
    return vitals.to_dict("records"), None


def adt_events_from_message(
    message: str, pseudonymize: Pseudonymizer
) -> tuple[list[dict], str | None]:
    """One live ADT message as the ADT event rows a batch load records for it (for a
    stream connector feeding the census), with the same pseudonyms.

    Returns (rows, None) or ([], reason) when the message cannot be used. A01, A02,
    A03 (and A04 / A06 of a bed stay) give the intake's ``adt_events`` row; A11 (cancel
    admit) and A13 (cancel discharge), which a batch load applies by undoing stored
    history, give one row with that ``event_type`` and the visit's PV1-3 unit, so a
    live consumer can undo it too; A08 (update) and visits without a bed stay give no
    row. Every row also carries ``encounter_type``. The message is read on its own:
    the visit's class comes from its own PV1-2 (a required field), not from earlier
    messages.
    """
    intake = Hl7Intake(pseudonymize)
    intake.add(message, "live")
    if intake.rejected:
        return [], intake.rejected[0][1]
    parsed = hl7.parse(hl7.minimise(message))
    kind, trigger = hl7.value(parsed.msh, 9, 1), hl7.value(parsed.msh, 9, 2)
    if kind != "ADT":
        return [], f"message type {kind}^{trigger} is not an ADT message"
    if trigger in {"A11", "A13"}:
        patient_id, authority, _ = intake._patient(parsed)
        encounter = intake._visit(parsed, patient_id, authority)
        if encounter.get("encounter_type") not in BED_STAY_TYPES:
            return [], None
        return [
            {
                "adt_event_id": intake.pseudonymize(
                    "adt_event",
                    hl7.value(parsed.msh, 10) or f"{trigger}|{intake._event_time(parsed)}",
                    hl7.value(parsed.msh, 4),
                ),
                "encounter_id": encounter["encounter_id"],
                "patient_id": patient_id,
                "hospital_id": encounter["hospital_id"],
                "unit_id": encounter["_unit"],
                "event_type": trigger,
                "event_at": intake._event_time(parsed),
                "encounter_type": encounter["encounter_type"],
            }
        ], None
    types = {e["encounter_id"]: e.get("encounter_type") for e in intake.state.encounters.values()}
    rows = [row for events in intake.state.events.values() for row in events]
    return [{**row, "encounter_type": types.get(row["encounter_id"])} for row in rows], None
