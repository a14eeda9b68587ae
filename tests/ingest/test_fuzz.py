"""Fuzzing: truncated, shuffled and corrupted input never crashes intake, and every
message is accounted for (in = loaded + rejected + skipped)."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

from ingest import hl7v2_message as hl7
from ingest.fhir import ingest_fhir
from ingest.hl7v2 import Hl7Intake, ingest_hl7v2
from tests.ingest.conftest import FIXTURES

SEEDS = range(3)


def fixture_messages() -> list[str]:
    messages = []
    for path in sorted((FIXTURES / "hl7v2").glob("*.hl7")):
        messages += hl7.split_messages(path.read_bytes().decode("utf-8"))
    return messages


def truncate(rng: random.Random, message: str) -> str:
    return message[: rng.randrange(1, len(message))]


def corrupt(rng: random.Random, message: str) -> str:
    chars = list(message)
    for _ in range(rng.randrange(1, 8)):
        chars[rng.randrange(len(chars))] = rng.choice("|^~\\&\r\x00Z9é\ufeff")
    return "".join(chars)


def shuffle_segments(rng: random.Random, message: str) -> str:
    segments = [s for s in message.split("\r") if s]
    rng.shuffle(segments)
    return "\r".join(segments) + "\r"


@pytest.mark.parametrize("mutate", [truncate, corrupt, shuffle_segments])
@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_hl7_messages_never_crash_and_are_counted(
    tmp_path, pseudonymize, mutate, seed
) -> None:
    rng = random.Random(seed)
    messages = [mutate(rng, m) for m in fixture_messages()]
    rng.shuffle(messages)  # and out of order
    path = tmp_path / "fuzz.hl7"
    path.write_text("\r".join(messages), encoding="utf-8")
    result = ingest_hl7v2(path, tmp_path / "landing", pseudonymize)
    rejects = pd.read_parquet(result.rejects_path)
    assert result.messages_in == result.messages_loaded + result.messages_rejected
    assert (rejects["rule"] == "parse").sum() == result.messages_rejected
    for table, rows in result.records_in.items():
        assert rows == result.tables_written.get(table, 0) + result.records_rejected[table]


def test_every_truncation_point_of_one_message(pseudonymize) -> None:
    message = fixture_messages()[0]
    intake = Hl7Intake(pseudonymize)
    for end in range(1, len(message)):
        intake.add(message[:end], f"cut{end}")
    assert intake.messages_in == len(message) - 1
    assert len(intake.rejected) + 0 <= intake.messages_in
    tables, _ = intake.tables()  # whatever survived still forms tables
    assert set(tables) >= {"patients", "encounters", "adt_events", "vitals"}


def test_reject_reasons_never_quote_the_message(pseudonymize) -> None:
    rng = random.Random(7)
    intake = Hl7Intake(pseudonymize)
    for message in fixture_messages():
        intake.add(corrupt(rng, message), "m")
    for _, reason, _ in intake.rejected:
        for identifier in ("MRN", "Hadley", "Ophelia", "555-0147", "19520314"):
            assert identifier not in reason


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_fhir_ndjson_never_crashes_and_is_counted(tmp_path, pseudonymize, seed) -> None:
    rng = random.Random(seed)
    bundle = json.loads((FIXTURES / "fhir" / "bundle_inpatient_stay.json").read_text())
    lines = [json.dumps(entry["resource"]) for entry in bundle["entry"]]
    lines += (FIXTURES / "fhir" / "resources.ndjson").read_text().splitlines()
    mutated = []
    for line in lines:
        choice = rng.random()
        if choice < 0.3:
            line = line[: rng.randrange(1, len(line))]
        elif choice < 0.6:
            resource = json.loads(line) if line.startswith('{"') else {}
            for key in rng.sample(sorted(resource), k=min(2, len(resource))):
                resource[key] = rng.choice([None, 7, "x", [], {"a": 1}])
            line = json.dumps(resource)
        mutated.append(line)
    rng.shuffle(mutated)
    path = tmp_path / "fuzz.ndjson"
    path.write_text("\n".join(mutated))
    result = ingest_fhir(path, tmp_path / "landing", pseudonymize)
    assert result.messages_in == len([line for line in mutated if line.strip()])
    assert result.messages_in == (
        result.messages_loaded + result.messages_rejected + result.messages_skipped
    )
    assert result.messages_loaded >= 0
