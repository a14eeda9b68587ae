"""Intake adapters: HL7 v2, FHIR R4 and Synthea CSV into Vigil's input contract."""
