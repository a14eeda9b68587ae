from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pseudonym import Pseudonymizer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEST_KEY = "vigil-test-pseudonym-key-0001"
# Direct identifiers written into the fixtures: none may survive intake.
IDENTIFIERS = (
    "MRN778812",
    "MRN441200",
    "MRN550031",
    "MRN550032",
    "MRN613370",
    "MRN613371",
    "MRN613372",
    "MRN613373",
    "VN910001",
    "999887777",
    "999-88-7777",
    "Hadley",
    "Ophelia",
    "Quennell",
    "Barnaby",
    "Pemberton",
    "Fairweather",
    "Wallaby",
    "Larkspur",
    "555-0147",
    "555-0199",
    "VN900001",
    "pat-ophelia",
    "enc-900001",
    "Thistlewood",
    "Wilhelmina",
    "Oakenshield",
    "Quillfeather",
    "Evergreen Terrace",
    "999-31-4159",
    "b9c610cd-28a6-4636-ccb6-c7a0d2a4cb85",
    "5a1f2c3d-0001-4e5f-8a9b-000000000001",
    "Farthingale",
    "Bartholomew",
    "19520314",
    "1952-03-14",
    "1EG4TE5MK73",  # insurance policy numbers (IN1-36)
    "XKZ990112233",
)


@pytest.fixture
def pseudonymize() -> Pseudonymizer:
    return Pseudonymizer(TEST_KEY)
