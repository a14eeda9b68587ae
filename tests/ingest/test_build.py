"""`vigil ingest hl7v2 PATH --build` builds every mart and model from HL7 v2
(what is checked: tests/ingest/build.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.ingest.build import check_build, simulated_network

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def simulated() -> dict[str, pd.DataFrame]:
    return simulated_network()


def test_ingest_hl7v2_build_materializes_every_asset(simulated, tmp_path) -> None:
    check_build("hl7v2", simulated, tmp_path)
