from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from contract.schema import TABLES
from ingest.intake import derive_reference, reject_rates, unit_type, with_acuity
from ingest.landing import write_tables


@pytest.mark.parametrize(
    ("name", "expected"),
    [("MICU", "icu"), ("4-ICU", "icu"), ("SDU", "stepdown"), ("L&D", "maternity"),
     ("4WEST", "medsurg"), ("EDUCATION", "medsurg")],
)  # fmt: skip
def test_unit_type_from_point_of_care(name, expected) -> None:
    assert unit_type(name) == expected


def test_reject_rates_leave_skipped_messages_out() -> None:
    batch = {
        "messages_in": 110,
        "messages_skipped": 10,
        "messages_rejected": 5,
        "records_in": 200,
        "records_rejected": 2,
    }
    assert reject_rates(batch) == {"message_reject_rate": 0.05, "record_reject_rate": 0.01}
    assert reject_rates({**batch, "messages_in": 10, "records_in": 0}) == {
        "message_reject_rate": 0.0,
        "record_reject_rate": 0.0,
    }


def events(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["encounter_id", "unit_id", "event_type", "event_at"]).assign(
        event_at=lambda f: pd.to_datetime(f["event_at"])
    )


def test_derived_beds_are_the_peak_census_and_acuity_the_first_unit() -> None:
    adt = events(
        [
            ("E1", "H-MICU", "A01", "2025-01-01 00:00"),
            ("E2", "H-MICU", "A01", "2025-01-01 01:00"),
            ("E1", "H-4WEST", "A02", "2025-01-01 02:00"),
            ("E3", "H-MICU", "A01", "2025-01-01 03:00"),
            ("E2", "H-MICU", "A03", "2025-01-01 04:00"),
            ("E4", "H-4WEST", "A01", "2025-01-01 05:00"),
        ]
    )
    encounters = pd.DataFrame(
        {
            "encounter_id": ["E1", "E2", "E3", "E4"],
            "hospital_id": "H",
            "encounter_type": "inpatient",
        }
    )
    hospitals, units = derive_reference(adt, pd.DataFrame(), encounters, {"H": "Hope"})
    beds = units.set_index("unit_id")["staffed_beds"].to_dict()
    assert beds == {"H-MICU": 2, "H-4WEST": 2}
    assert hospitals.iloc[0].to_dict() == {
        "hospital_id": "H",
        "hospital_name": "Hope",
        "staffed_beds": 4,
    }
    acuity = with_acuity(encounters, adt, units)["acuity_level"].tolist()
    assert acuity == [2, 2, 2, 0]


def test_absent_tables_land_empty_and_typed(tmp_path) -> None:
    frame = pd.DataFrame(
        {"encounter_id": ["E1"], "admitted_at": [pd.Timestamp("2025-02-03 10:00")]}
    )
    written = write_tables({"encounters": frame}, tmp_path)
    assert written["encounters"] == 1 and written["claims"] == 0
    claims = pq.read_table(tmp_path / "claims" / "day=2025-02-03" / "part-0.parquet")
    assert claims.num_rows == 0
    assert str(claims.schema.field("submitted_at").type) == "timestamp[ns]"
    assert {t.name for t in TABLES} == {p.name for p in tmp_path.iterdir()}
