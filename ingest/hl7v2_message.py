"""HL7 v2 (2.3-2.8) messages: framing, minimisation, parsing with hl7apy, field access.

Interface engines deliver messages in files with byte-order marks, MLLP framing
(0x0B ... 0x1C 0x0D), batch headers (FHS/BHS) and any of CR, LF or CRLF between
segments. :func:`split_messages` undoes all of that. Before parsing, segments Vigil
does not read (names of next of kin, guarantors, notes, ...) are dropped and, within
PID, every field but the identifiers, birth date, sex and address is blanked (IN1:
all but the plan, company and plan type): direct
identifiers Vigil does not need are never even parsed (data minimisation). Parsing
is a library's: python-hl7 when it is installed (about 20 times faster), else hl7apy
(which also checks every field against its HL7 data type); both fill the same small
:class:`Message`, read with :func:`value`, :func:`component` and :func:`repetitions`,
which split components and undo escape sequences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import hl7 as python_hl7
import pandas as pd
from hl7apy.exceptions import UnsupportedVersion
from hl7apy.parser import parse_message

SUPPORTED_VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8", "2.8.1", "2.8.2")
# Segment -> the fields Vigil reads (None: all). Everything else is blanked before
# parsing: names of patients, relatives and clinicians, phones, notes never get parsed.
KEPT_FIELDS: dict[str, set[int] | None] = {
    "MSH": None,
    "EVN": {1, 2, 6},
    "PID": {1, 3, 7, 8, 11},  # identifiers, birth date, sex, address (ZIP3 only)
    "PV1": {1, 2, 3, 4, 14, 18, 19, 20, 36, 44, 45},  # 20: financial class
    "DG1": {1, 2, 3, 5, 15},  # coding method, code, time, priority (never the free text)
    "MRG": {1},
    # Insurance: set id, plan, company id and name, plan type; never the policy or
    # insured's numbers, names or addresses.
    "IN1": {1, 2, 3, 4, 15},
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


@dataclass(frozen=True)
class Segment:
    """One parsed segment: its name and, by HL7 field number, the field's repetitions
    as encoded text (components still joined; :func:`component` splits them)."""

    name: str
    fields: dict[int, tuple[str, ...]]
    component_separator: str = "^"
    subcomponent_separator: str = "&"


@dataclass(frozen=True)
class Message:
    version: str
    segments: tuple[Segment, ...]

    @property
    def msh(self) -> Segment:
        return self.segments[0]


def _from_hl7apy(message: str) -> Message:
    """hl7apy: parses and checks each field against its HL7 data type (slow: ~20 ms)."""
    try:
        parsed = parse_message(message, find_groups=False)
    except UnsupportedVersion as error:
        raise MessageError(f"HL7 version {error.version} is outside 2.3-2.8") from None
    separators = parsed.encoding_chars
    segments = []
    for child in parsed.children:
        fields: dict[int, list[str]] = {}
        for field in child.children:
            if field.name is None:
                continue  # a field the version's segment does not define
            number = int(field.name.rsplit("_", 1)[1])
            fields.setdefault(number, []).append(field.to_er7())
        segments.append(
            Segment(
                child.name,
                {number: tuple(reps) for number, reps in fields.items()},
                separators["COMPONENT"],
                separators["SUBCOMPONENT"],
            )
        )
    return Message(parsed.version, tuple(segments))


def _from_python_hl7(message: str) -> Message:
    """python-hl7: splits segments, fields and repetitions (~1 ms, no type checks)."""
    parsed = python_hl7.parse(message)
    _, _, repetition, component, subcomponent = parsed.separators
    segments = []
    for segment in parsed:
        name = str(segment[0])
        first = 3 if name == "MSH" else 1  # python-hl7 numbers MSH fields as HL7 does
        fields = {}
        for number in range(first, len(segment)):
            text = str(segment[number])
            if text:
                fields[number] = tuple(text.split(repetition))
        segments.append(Segment(name, fields, component, subcomponent))
    version = segments[0].fields.get(12, ("",))[0].split(segments[0].component_separator)[0]
    return Message(version, tuple(segments))


# python-hl7 by default (much faster); hl7apy stays selectable: both give the same Message.
PARSER = "python-hl7"
PARSERS = {"hl7apy": _from_hl7apy, "python-hl7": _from_python_hl7}


def parse(message: str, parser: str | None = None) -> Message:
    """Parse a minimised message; MessageError if it cannot be used."""
    try:
        parsed = PARSERS[parser or PARSER](message)
    except MessageError:
        raise
    except Exception as error:  # the libraries raise many types; the reason is what counts
        raise MessageError(f"unparseable HL7 v2 message ({type(error).__name__})") from None
    if not parsed.segments or parsed.segments[0].name != "MSH":
        raise MessageError("message does not start with an MSH segment")
    if parsed.version not in SUPPORTED_VERSIONS:
        raise MessageError(f"HL7 version {parsed.version} is outside 2.3-2.8")
    return parsed


def segments(message: Message, name: str) -> list[Segment]:
    return [segment for segment in message.segments if segment.name == name]


def first_segment(message: Message, name: str) -> Segment | None:
    found = segments(message, name)
    return found[0] if found else None


def repetitions(segment: Segment | None, field: int) -> list[tuple[Segment, str]]:
    """The repetitions of field ``field`` present in ``segment`` (none if absent)."""
    if segment is None:
        return []
    return [(segment, text) for text in segment.fields.get(field, ())]


def component(repetition: tuple[Segment, str] | None, index: int = 1) -> str:
    """Component ``index`` (1-based) of one field repetition, unescaped; '' if absent.

    The first component's first subcomponent stands for the component (CX-1 ``id&...``).
    """
    if repetition is None:
        return ""
    segment, text = repetition
    parts = text.split(segment.component_separator)
    if index > len(parts):
        return ""
    part = parts[index - 1]
    if index == 1:
        part = part.split(segment.subcomponent_separator)[0]
    return _unescape(part)


def value(segment: Segment | None, field: int, index: int = 1) -> str:
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
