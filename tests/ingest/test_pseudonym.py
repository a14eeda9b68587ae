from __future__ import annotations

from datetime import date

import pytest

from ingest.pseudonym import MissingKeyError, Pseudonymizer, age_years, zip3


def test_pseudonyms_are_stable_keyed_and_prefixed(pseudonymize) -> None:
    first = pseudonymize("patient", "MRN778812", "STMARY")
    assert first == Pseudonymizer("vigil-test-pseudonym-key-0001")("patient", "MRN778812", "STMARY")
    assert first.startswith("P") and len(first) == 17
    assert "778812" not in first
    assert first != Pseudonymizer("another-secret-key-000000")("patient", "MRN778812", "STMARY")
    assert first != pseudonymize("patient", "MRN778812", "OTHERHOSP")  # issuers differ
    assert first != pseudonymize("encounter", "MRN778812", "STMARY")  # kinds differ
    assert pseudonymize("patient", " MRN778812 ", "STMARY") == first


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_identifiers_stay_empty(pseudonymize, value) -> None:
    assert pseudonymize("patient", value) is None


@pytest.mark.parametrize("key", [None, "", "short"])
def test_intake_refuses_to_run_without_a_real_key(key) -> None:
    with pytest.raises(MissingKeyError, match="VIGIL_PSEUDONYM_KEY"):
        Pseudonymizer(key)


def test_the_key_is_not_in_the_repr() -> None:
    assert "secret" not in repr(Pseudonymizer("a-very-secret-key-123"))


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (date(1952, 3, 14), date(2025, 3, 13), 72),
        (date(1952, 3, 14), date(2025, 3, 14), 73),
        (date(1920, 1, 1), date(2025, 1, 1), 90),  # Safe Harbor: 90 and over
        (date(2030, 1, 1), date(2025, 1, 1), None),
        (None, date(2025, 1, 1), None),
    ],
)
def test_age(birth, on, expected) -> None:
    assert age_years(birth, on) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("02139", "021"), ("02139-4307", "021"), ("SW1A 1AA", None), (None, None), ("12", None)],
)
def test_zip3(code, expected) -> None:
    assert zip3(code) == expected
