"""`vigil ingest fhir PATH --build` builds every mart and model from FHIR R4 NDJSON
(what is checked: tests/ingest/build.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.ingest.build import check_build, simulated_network

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def simulated() -> dict[str, pd.DataFrame]:
    return simulated_network()


def test_ingest_fhir_build_materializes_every_asset(simulated, tmp_path) -> None:
    check_build("fhir", simulated, tmp_path)
