"""Keyed pseudonyms: identifiers are replaced at intake, before anything is written.

A pseudonym is ``<prefix><first 16 hex digits of HMAC-SHA256(key, kind|namespace|value)>``:
stable across loads with the same key (so a patient's stays link up), unlinkable to
the identifier without the key (RFC 2104 HMAC; HIPAA de-identification by expert
determination relies on such keyed codes, 45 CFR 164.514(c)). The key comes from
``VIGIL_PSEUDONYM_KEY`` through ``vigil.settings``; it is never written or logged.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

PREFIXES = {
    "patient": "P",
    "encounter": "E",
    "adt_event": "A",
    "observation": "O",
    "lab_result": "L",
    "diagnosis": "D",
    "procedure": "X",
    "claim": "C",
    "remittance": "R",
    "ed_visit": "V",
}
MIN_KEY_LENGTH = 16
SAFE_HARBOR_MAX_AGE = 90  # HIPAA Safe Harbor: ages over 89 are aggregated


class MissingKeyError(RuntimeError):
    """Intake refuses to run without a pseudonym key."""


class Pseudonymizer:
    """Turns source identifiers into keyed pseudonyms."""

    def __init__(self, key: str | None) -> None:
        if not key or len(key) < MIN_KEY_LENGTH:
            raise MissingKeyError(
                "set VIGIL_PSEUDONYM_KEY to a secret of at least "
                f"{MIN_KEY_LENGTH} characters: identifiers are pseudonymised with it at intake"
            )
        self._key = key.encode()

    def __repr__(self) -> str:
        return "Pseudonymizer(key=<hidden>)"

    def __call__(self, kind: str, value: object, namespace: str = "") -> str | None:
        """The pseudonym of ``value`` (None stays None); ``namespace`` is the issuer."""
        if value is None:
            return None
        text = str(value).strip()
        if not text:
            return None
        message = f"{kind}|{namespace}|{text}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return f"{PREFIXES[kind]}{digest[:16]}"


def age_years(birth: date | None, on: date) -> int | None:
    """Whole years from ``birth`` to ``on``, capped at 90 (Safe Harbor); None if unknown."""
    if birth is None:
        return None
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return min(years, SAFE_HARBOR_MAX_AGE) if years >= 0 else None


def zip3(postal_code: object) -> str | None:
    """First three digits of a US ZIP code (Safe Harbor), None otherwise."""
    if postal_code is None:
        return None
    digits = str(postal_code).strip()[:3]
    return digits if len(digits) == 3 and digits.isdigit() else None
