"""`vigil ingest synthea PATH --build` builds every mart and model from a Synthea CSV export
(what is checked: tests/ingest/build.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.ingest.build import check_build, simulated_network

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def simulated() -> dict[str, pd.DataFrame]:
    return simulated_network()


def test_ingest_synthea_build_materializes_every_asset(simulated, tmp_path) -> None:
    check_build("synthea", simulated, tmp_path)
