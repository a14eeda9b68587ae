"""FHIR R4 intake: Bundles and NDJSON of clinical and financial resources.

Reads Patient, Encounter, Observation (vital-signs profile and laboratory),
Condition, Procedure, Claim and ExplanationOfBenefit, plus Organization and Location
for names. Each resource is validated with fhir.resources (R4B models, which read R4
for these resources); one that fails validation is rejected with the failing
elements (never their values) and the batch goes on. Other resource types are
counted as skipped: resources in = loaded + rejected + skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from fhir.resources.R4B import get_fhir_model_class

from contract.schema import BED_STAY_TYPES
from contract.validate import empty_rejects, reject_rows
from ingest.events import PLANNED_TRANSFERS
from ingest.fhir_codes import (
    ADMIT_SOURCE,
    DIAGNOSIS_SYSTEMS,
    DISCHARGE_DISPOSITION,
    ENCOUNTER_CLASS,
    LOINC_SYSTEM,
    PROCEDURE_SYSTEMS,
    payer_category,
)
from ingest.intake import IntakeResult, finish, slug
from ingest.landing import write_batch
from ingest.pseudonym import Pseudonymizer, age_years, zip3
from ingest.vitals import (
    BLOOD_PRESSURE_PANEL,
    VITAL_LOINC,
    VitalReading,
    fill_units,
    pivot_sets,
)

SOURCE = "fhir"
PLANNED_LOCATION_STATUSES = {"planned", "reserved"}
READ_TYPES = (
    "Patient",
    "Encounter",
    "Observation",
    "Condition",
    "Procedure",
    "Claim",
    "ExplanationOfBenefit",
    "Organization",
    "Location",
)


def utc(value) -> pd.Timestamp | None:
    """A FHIR dateTime/instant as naive UTC (a value without offset is taken as UTC)."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def ref_id(reference) -> str | None:
    """The target id of a Reference ('Patient/123', 'urn:uuid:...', absolute URLs)."""
    if reference is None or not reference.reference:
        return None
    return reference.reference.rstrip("/").split("/")[-1].removeprefix("urn:uuid:")


def first_coding(concept, systems: dict[str, str] | None = None):
    """(code system, code) of the first coding in a known system (or the first at all)."""
    for coding in (concept.coding or []) if concept else []:
        if systems is None:
            return coding.system, coding.code
        if coding.system in systems:
            return systems[coding.system], coding.code
    return None, None


@dataclass
class _Batch:
    resources: dict[str, list] = field(default_factory=lambda: {t: [] for t in READ_TYPES})
    resources_in: int = 0
    skipped: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # locator, reason, type


def _read_raw(path: Path) -> list[tuple[str, object]]:
    """(locator, raw JSON or a decoding error) for every resource in the files."""
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.suffix.lower() in {".json", ".ndjson"})
    )
    out: list[tuple[str, object]] = []
    for file in files:
        text = file.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
        if file.suffix.lower() == ".ndjson":
            lines = [(f"{file.name}:{i}", line) for i, line in enumerate(text.splitlines(), 1)]
        else:
            lines = [(file.name, text)]
        for locator, chunk in lines:
            if not chunk.strip():
                continue
            try:
                obj = json.loads(chunk)
            except json.JSONDecodeError:
                out.append((locator, ValueError("not valid JSON")))
                continue
            if isinstance(obj, dict) and obj.get("resourceType") == "Bundle":
                for index, entry in enumerate(obj.get("entry") or [], start=1):
                    resource = entry.get("resource") if isinstance(entry, dict) else None
                    out.append((f"{locator}#entry{index}", resource))
            else:
                out.append((locator, obj))
    return out


def load_batch(path: Path) -> _Batch:
    batch = _Batch()
    for locator, raw in _read_raw(path):
        batch.resources_in += 1
        if isinstance(raw, Exception):
            batch.rejected.append((locator, str(raw), "unknown"))
            continue
        if not isinstance(raw, dict) or "resourceType" not in raw:
            batch.rejected.append((locator, "not a FHIR resource (no resourceType)", "unknown"))
            continue
        kind = str(raw["resourceType"])
        if kind not in READ_TYPES:
            batch.skipped += 1
            continue
        try:
            resource = get_fhir_model_class(kind).model_validate(raw)
        except Exception as error:
            batch.rejected.append((locator, _validation_reason(kind, error), kind))
            continue
        batch.resources[kind].append(resource)
    return batch


def _validation_reason(kind: str, error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        places = sorted({".".join(str(p) for p in e["loc"]) + f" ({e['type']})" for e in errors()})
        return f"{kind} fails FHIR R4 validation at " + ", ".join(places[:5])
    return f"{kind} fails FHIR R4 validation ({type(error).__name__})"


class FhirMapper:
    """Maps validated resources onto contract tables."""

    def __init__(self, batch: _Batch, pseudonymize: Pseudonymizer) -> None:
        self.batch = batch
        self.pseudonymize = pseudonymize
        self.patient_ids: dict[str, str] = {}
        for patient in batch.resources["Patient"]:
            mrn = next(
                (
                    i
                    for i in patient.identifier or []
                    if i.type and any(c.code == "MR" for c in i.type.coding or [])
                ),
                None,
            )
            self.patient_ids[patient.id] = (
                self.pseudonymize("patient", mrn.value, mrn.system or "")
                if mrn and mrn.value
                else self.pseudonymize("patient", patient.id, "fhir")
            )
        self.locations = {loc.id: loc.name for loc in batch.resources["Location"] if loc.id}
        self.organizations = {o.id: o.name for o in batch.resources["Organization"] if o.id}
        # Encounter.location entries planned or reserved, not yet moves (ingest.events).
        self.planned: list[dict] = []

    def _key(self, resource) -> str:
        """A reject's key: the resource's pseudonymised id (ids may be identifiers)."""
        return self.pseudonymize("observation", resource.id or "", "fhir") or "?"

    def patient(self, reference) -> str | None:
        target = ref_id(reference)
        if target is None:
            return None
        return self.patient_ids.get(target) or self.pseudonymize("patient", target, "fhir")

    def encounter(self, reference) -> str | None:
        target = ref_id(reference)
        return self.pseudonymize("encounter", target, "fhir") if target else None

    def encounters(self) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
        rows, events, last_unit = [], [], {}
        for enc in self.batch.resources["Encounter"]:
            if enc.status in {"cancelled", "entered-in-error"}:
                continue  # cancellations, as HL7 A11
            encounter_id = self.pseudonymize("encounter", enc.id, "fhir")
            hospital = slug(ref_id(enc.serviceProvider) or "UNKNOWN")
            kind = ENCOUNTER_CLASS.get(enc.class_fhir.code if enc.class_fhir else "", "outpatient")
            period = enc.period
            start = utc(period.start) if period else None
            end = utc(period.end) if period else None
            stay = enc.hospitalization
            row = {
                "encounter_id": encounter_id,
                "patient_id": self.patient(enc.subject),
                "hospital_id": hospital,
                "encounter_type": kind,
                "admission_source": ADMIT_SOURCE.get(first_coding(stay.admitSource)[1] or "")
                if stay
                else None,
                "admitted_at": start,
                "discharged_at": end,
                "discharge_disposition": DISCHARGE_DISPOSITION.get(
                    first_coding(stay.dischargeDisposition)[1] or "", None
                )
                if stay and end is not None
                else None,
            }
            if first_coding(enc.priority)[1] == "EL":  # v3 ActPriority: elective
                row["admission_source"] = "elective"
            if kind == "emergency":  # first provider contact: the earliest participant
                seen = [utc(p.period.start) for p in enc.participant or [] if p.period]
                row["provider_seen_at"] = min((t for t in seen if t is not None), default=None)
            rows.append(row)
            moves = []
            for place in enc.location or []:
                name = place.location.display or self.locations.get(ref_id(place.location))
                name = name or ref_id(place.location) or kind
                at = utc(place.period.start) if place.period and place.period.start else None
                if place.status in PLANNED_LOCATION_STATUSES:  # not a move: a planned one
                    self.planned.append({"encounter_id": encounter_id, "planned_at": at or start})
                    continue
                moves.append((at or start, f"{hospital}-{slug(name)}"))
            if not moves:
                moves = [(start, f"{hospital}-{slug(kind)}")]
            moves.sort(key=lambda move: (move[0] is None, move[0]))
            last_unit[encounter_id] = moves[0][1]
            if kind not in BED_STAY_TYPES:
                continue  # a visit (ED, clinic): no bed stay, no ADT events
            for index, (at, unit) in enumerate(moves):
                events.append((encounter_id, row, unit, "A02" if index else "A01", at))
            if end is not None:
                events.append((encounter_id, row, moves[-1][1], "A03", end))
        adt = pd.DataFrame(
            [
                {
                    "adt_event_id": self.pseudonymize(
                        "adt_event", f"{event}|{at.isoformat() if at else ''}", encounter_id
                    ),
                    "encounter_id": encounter_id,
                    "patient_id": row["patient_id"],
                    "hospital_id": row["hospital_id"],
                    "unit_id": unit,
                    "event_type": event,
                    "event_at": at,
                }
                for encounter_id, row, unit, event, at in events
            ]
        )
        return pd.DataFrame(rows), adt, last_unit

    def observations(self) -> tuple[list[VitalReading], list[dict], list[tuple[str, str]]]:
        """Vital readings, lab rows, and (observation id, reason) of those not placeable."""
        readings, labs, unplaced = [], [], []
        for obs in self.batch.resources["Observation"]:
            if obs.status in {"cancelled", "entered-in-error"}:
                continue
            patient_id, encounter_id = self.patient(obs.subject), self.encounter(obs.encounter)
            at = utc(
                obs.effectiveDateTime
                or (obs.effectivePeriod.start if obs.effectivePeriod else None)
                or obs.issued
            )
            _, code = first_coding(obs.code, {LOINC_SYSTEM: "LOINC"})
            if encounter_id is None or at is None:
                unplaced.append((self._key(obs), "Observation has no encounter or effective time"))
                continue
            parts = [(code, obs)]
            if code == BLOOD_PRESSURE_PANEL:
                parts = [
                    (first_coding(c.code, {LOINC_SYSTEM: "LOINC"})[1], c)
                    for c in obs.component or []
                ]
            for part_code, part in parts:
                if part_code in VITAL_LOINC:
                    text = _value_text(part)
                    if text is None:
                        unplaced.append((self._key(obs), "vital-sign Observation has no value"))
                        continue
                    readings.append(
                        VitalReading(
                            patient_id,
                            encounter_id,
                            None,
                            at,
                            part_code,
                            text,
                            part.valueQuantity.code or part.valueQuantity.unit
                            if part.valueQuantity
                            else None,
                        )
                    )
                elif _is_laboratory(obs) and part is obs:
                    labs.append(
                        {
                            "lab_result_id": self.pseudonymize("lab_result", obs.id or "", "fhir"),
                            "patient_id": patient_id,
                            "encounter_id": encounter_id,
                            "loinc_code": code or _any_code(obs.code),
                            "value_numeric": float(obs.valueQuantity.value)
                            if obs.valueQuantity and obs.valueQuantity.value is not None
                            else None,
                            "unit_of_measure": obs.valueQuantity.unit
                            if obs.valueQuantity
                            else None,
                            "abnormal_flag": first_coding(obs.interpretation[0])[1]
                            if obs.interpretation
                            else None,
                            "collected_at": at,  # effective time: collection
                            "resulted_at": utc(obs.issued) or at,
                            "received_at": utc(obs.issued) or at,
                        }
                    )
        return readings, labs, unplaced

    def diagnoses(self) -> pd.DataFrame:
        rows = []
        for cond in self.batch.resources["Condition"]:
            system, code = first_coding(cond.code, DIAGNOSIS_SYSTEMS)
            rows.append(
                {
                    "diagnosis_id": self.pseudonymize("diagnosis", cond.id or "", "fhir"),
                    "patient_id": self.patient(cond.subject),
                    "encounter_id": self.encounter(cond.encounter),
                    "code_system": system,
                    "diagnosis_code": code,
                    "diagnosed_at": utc(cond.onsetDateTime or cond.recordedDate),
                }
            )
        return pd.DataFrame(rows)

    def procedures(self) -> pd.DataFrame:
        rows = []
        for proc in self.batch.resources["Procedure"]:
            system, code = first_coding(proc.code, PROCEDURE_SYSTEMS)
            performed = proc.performedDateTime or (
                proc.performedPeriod.start if proc.performedPeriod else None
            )
            rows.append(
                {
                    "procedure_id": self.pseudonymize("procedure", proc.id or "", "fhir"),
                    "patient_id": self.patient(proc.subject),
                    "encounter_id": self.encounter(proc.encounter),
                    "code_system": system,
                    "procedure_code": code,
                    "performed_at": utc(performed),
                }
            )
        return pd.DataFrame(rows)

    def claims(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        claims = []
        for claim in self.batch.resources["Claim"]:
            encounter = next((e for item in claim.item or [] for e in item.encounter or []), None)
            drg = next(
                (first_coding(d.packageCode)[1] for d in claim.diagnosis or [] if d.packageCode),
                None,
            )
            payer = claim.insurance[0].coverage.display if claim.insurance else None
            claims.append(
                {
                    "claim_id": self.pseudonymize("claim", claim.id or "", "fhir"),
                    "patient_id": self.patient(claim.patient),
                    "encounter_id": self.encounter(encounter),
                    "payer_category": payer_category(payer),
                    "ms_drg_code": drg,
                    "billed_amount_usd": float(claim.total.value) if claim.total else None,
                    "submitted_at": utc(claim.created),
                }
            )
        remittances = []
        for eob in self.batch.resources["ExplanationOfBenefit"]:
            paid = eob.payment.amount.value if eob.payment and eob.payment.amount else None
            remittances.append(
                {
                    "remittance_id": self.pseudonymize("remittance", eob.id or "", "fhir"),
                    "claim_id": self.pseudonymize("claim", ref_id(eob.claim) or "", "fhir"),
                    "paid_amount_usd": float(paid) if paid is not None else None,
                    "is_denied": eob.outcome == "error" or (paid is not None and paid == 0),
                    "adjudicated_at": utc(eob.created),
                }
            )
        return pd.DataFrame(claims), pd.DataFrame(remittances)

    def patients(self, encounters: pd.DataFrame) -> pd.DataFrame:
        first_at = (
            encounters.groupby("patient_id")["admitted_at"].min() if not encounters.empty else {}
        )
        # A patient with no encounter in the batch is aged at the batch's first day.
        batch_day = encounters["admitted_at"].min() if not encounters.empty else None
        rows = []
        for patient in self.batch.resources["Patient"]:
            patient_id = self.patient_ids[patient.id]
            first = first_at.get(patient_id, batch_day) if len(first_at) else None
            birth = patient.birthDate
            rows.append(
                {
                    "patient_id": patient_id,
                    "age_years": age_years(birth, first.date())
                    if birth and first is not None and not pd.isna(first)
                    else None,
                    "sex": {"female": "F", "male": "M"}.get(patient.gender or "", "U"),
                    "zip3": zip3(patient.address[0].postalCode) if patient.address else None,
                    "spo2_scale": 1,
                }
            )
        return pd.DataFrame(rows).drop_duplicates("patient_id") if rows else pd.DataFrame()


def _value_text(element) -> str | None:
    if element.valueQuantity is not None and element.valueQuantity.value is not None:
        return str(element.valueQuantity.value)
    if element.valueCodeableConcept is not None:
        _, code = first_coding(element.valueCodeableConcept)
        return code or element.valueCodeableConcept.text
    return element.valueString


def _is_laboratory(obs) -> bool:
    return any(
        coding.code == "laboratory" for cat in obs.category or [] for coding in cat.coding or []
    )


def _any_code(concept) -> str | None:
    return first_coding(concept)[1]


def ingest_fhir(
    path: Path, landing_dir: Path, pseudonymize: Pseudonymizer, reference: Path | None = None
) -> IntakeResult:
    """Load a file or folder of FHIR R4 Bundles / NDJSON into the landing zone."""
    batch = load_batch(path)
    mapper = FhirMapper(batch, pseudonymize)
    encounters, adt, visit_unit = mapper.encounters()
    readings, labs, unplaced = mapper.observations()
    vitals, bad_readings = pivot_sets(
        readings,
        lambda encounter_id, at: pseudonymize("observation", at.isoformat(), encounter_id),
    )
    vitals = fill_units(vitals, adt)
    if not vitals.empty:  # visits without ADT events: the visit's location
        vitals["unit_id"] = vitals["unit_id"].fillna(vitals["encounter_id"].map(visit_unit))
    claims, remittances = mapper.claims()
    tables = {
        "patients": mapper.patients(encounters),
        "encounters": encounters,
        "adt_events": adt,
        "vitals": vitals,
        "lab_results": pd.DataFrame(labs),
        "diagnoses": mapper.diagnoses(),
        "procedures": mapper.procedures(),
        "claims": claims,
        "remittances": remittances,
    }
    tables = {
        name: frame
        for name, frame in tables.items()
        if not frame.empty or name in {"patients", "encounters", "adt_events", "vitals"}
    }
    if mapper.planned:
        tables[PLANNED_TRANSFERS] = pd.DataFrame(mapper.planned)
    rejects = [
        reject_rows(
            SOURCE,
            f"fhir_{kind}",
            "fhir_validation",
            reason,
            [{"locator": locator}],
            [locator],
        )
        for locator, reason, kind in batch.rejected
    ]
    rejects += [
        reject_rows(SOURCE, "fhir_Observation", "unplaced", reason, [{}], [key])
        for key, reason in unplaced
    ]
    rejects += [
        reject_rows(
            SOURCE, "vitals", "value", reason, [{"loinc_code": r.loinc_code}], [r.loinc_code]
        )
        for r, reason in bad_readings
    ]
    result = finish(
        SOURCE,
        tables,
        pd.concat(rejects, ignore_index=True) if rejects else empty_rejects(),
        batch.resources_in,
        len(batch.rejected) + len({locator for locator, _ in unplaced}),
        landing_dir,
        reference,
        {slug(k): v for k, v in mapper.organizations.items() if v},
    )
    result.messages_skipped = batch.skipped
    write_batch(result.record(), landing_dir)
    return result
