"""HL7 v2 (2.3-2.8) messages: framing, minimisation, parsing with hl7apy, field access.

Interface engines deliver messages in files with byte-order marks, MLLP framing
(0x0B ... 0x1C 0x0D), batch headers (FHS/BHS) and any of CR, LF or CRLF between
segments. :func:`split_messages` undoes all of that. Before parsing, segments Vigil
does not read (names of next of kin, insurance, notes, ...) are dropped and, within
PID, every field but the identifiers, birth date, sex and address is blanked: direct
identifiers Vigil does not need are never even parsed (data minimisation). Parsing
itself is hl7apy's, which handles encoding characters, repetitions and escapes.
"""

from __future__ import annotations

import re

import pandas as pd
from hl7apy.parser import parse_message

SUPPORTED_VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8", "2.8.1", "2.8.2")
# Segment -> the fields Vigil reads (None: all). Everything else is blanked before
# parsing: names of patients, relatives and clinicians, phones, notes never get parsed.
KEPT_FIELDS: dict[str, set[int] | None] = {
    "MSH": None,
    "EVN": {1, 2, 6},
    "PID": {1, 3, 7, 8, 11},  # identifiers, birth date, sex, address (ZIP3 only)
    "PV1": {1, 2, 3, 4, 14, 18, 19, 36, 44, 45},
    "DG1": {1, 2, 3, 5, 15},  # coding method, code, time, priority (never the free text)
    "MRG": {1},
    "OBR": {1, 4, 7},
    "OBX": {1, 2, 3, 5, 6, 8, 11, 14},
}
_TIME = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,6})?([+-]\d{4})?$")


class MessageError(ValueError):
    """A message Vigil cannot use; the reason never quotes the message's values."""


def split_messages(text: str) -> list[str]:
    """The messages in a file's text, each with CR segment terminators."""
    text = text.lstrip("\ufeff").replace("\x0b", "").replace("\x1c", "")
    segments = [s.strip("\ufeff") for s in re.split(r"\r\n|\r|\n", text)]
    messages: list[list[str]] = []
    for segment in segments:
        if not segment.strip() or segment[:3] in {"FHS", "BHS", "BTS", "FTS"}:
            continue
        if segment.startswith("MSH") or not messages:
            messages.append([])
        messages[-1].append(segment)
    return ["\r".join(message) + "\r" for message in messages]


def minimise(message: str) -> str:
    """Drop unread segments and blank unread PID fields (see the module docstring)."""
    if not message.startswith("MSH") or len(message) < 8:
        raise MessageError("message does not start with an MSH segment")
    separator = message[3]
    kept = []
    for segment in message.split("\r"):
        name = segment[:3]
        if name not in KEPT_FIELDS:
            continue
        wanted = KEPT_FIELDS[name]
        if wanted is not None:
            fields = segment.split(separator)
            segment = separator.join(
                value if i == 0 or i in wanted else "" for i, value in enumerate(fields)
            ).rstrip(separator)
        kept.append(segment)
    return "\r".join(kept) + "\r"


def parse(message: str):
    """Parse a minimised message with hl7apy; MessageError if it cannot be used."""
    try:
        parsed = parse_message(message, find_groups=False)
    except Exception as error:  # hl7apy raises many types; the reason is what counts
        raise MessageError(f"unparseable HL7 v2 message ({type(error).__name__})") from None
    version = parsed.version
    if version not in SUPPORTED_VERSIONS:
        raise MessageError(f"HL7 version {version} is outside 2.3-2.8")
    return parsed


def segments(message, name: str) -> list:
    return [child for child in message.children if child.name == name]


def first_segment(message, name: str):
    found = segments(message, name)
    return found[0] if found else None


def repetitions(segment, field: int) -> list:
    """The repetitions of field ``field`` present in ``segment`` (none if absent).

    Looks through the parsed children rather than by attribute: asking hl7apy for an
    absent field creates it, which is slow and changes the message.
    """
    if segment is None:
        return []
    name = f"{segment.name}_{field}"
    return [child for child in segment.children if child.name == name]


def component(repetition, index: int = 1) -> str:
    """Component ``index`` (1-based) of one field repetition, unescaped; '' if absent."""
    if repetition is None:
        return ""
    children = list(repetition.children)
    if index == 1 and len(children) == 1 and not children[0].name.endswith("_1"):
        return _unescape(children[0].to_er7())  # a field of a primitive type
    suffix = f"_{index}"
    for child in children:
        if child.name.endswith(suffix):
            text = child.to_er7()
            return _unescape(text.split("&")[0] if index == 1 else text)
    return ""


def value(segment, field: int, index: int = 1) -> str:
    reps = repetitions(segment, field)
    return component(reps[0], index) if reps else ""


_ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}


def _unescape(text: str) -> str:
    r"""HL7 escape sequences (\F\ \S\ \T\ \R\ \E\) back to their characters."""
    return re.sub(r"\\([FSTRE])\\", lambda m: _ESCAPES[m.group(1)], text)


def parse_time(text: str) -> pd.Timestamp | None:
    """An HL7 DTM/TS (``YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]``) as naive UTC.

    A value without an offset is taken as UTC (interfaces should send offsets; see
    docs/input-contract.md). Odd offsets (+0530, +0545, -0930) convert exactly.
    """
    text = text.strip()
    if not text:
        return None
    match = _TIME.match(text)
    if not match:
        raise MessageError("timestamp is not an HL7 DTM")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    stamp = pd.Timestamp(
        year=int(year),
        month=int(month or 1),
        day=int(day or 1),
        hour=int(hour or 0),
        minute=int(minute or 0),
        second=int(second or 0),
        microsecond=int(round(float(fraction) * 1_000_000)) if fraction else 0,
    )
    if offset:
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[3:5])
        if hours > 14 or minutes > 59:
            raise MessageError("timestamp offset is out of range")
        stamp -= sign * pd.Timedelta(hours=hours, minutes=minutes)
    return stamp
