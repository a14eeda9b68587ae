"""The adapters by format name, for the CLI and the benchmarks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.fhir import ingest_fhir
from ingest.hl7v2 import ingest_hl7v2
from ingest.intake import IntakeResult
from ingest.pseudonym import Pseudonymizer
from ingest.synthea import ingest_synthea

ADAPTERS: dict[str, Callable[..., IntakeResult]] = {
    "hl7v2": ingest_hl7v2,
    "fhir": ingest_fhir,
    "synthea": ingest_synthea,
}


def ingest(
    source_format: str,
    path: Path,
    landing_dir: Path,
    pseudonymize: Pseudonymizer,
    reference: Path | None = None,
) -> IntakeResult:
    """Run the ``source_format`` adapter over ``path`` into ``landing_dir``."""
    if source_format not in ADAPTERS:
        raise ValueError(f"unknown format {source_format!r}; known: {', '.join(ADAPTERS)}")
    return ADAPTERS[source_format](path, landing_dir, pseudonymize, reference)
