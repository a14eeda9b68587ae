from __future__ import annotations

import pandas as pd
import pytest

from ingest import hl7v2_message as hl7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20250301081500+0530", "2025-03-01 02:45:00"),
        ("20250301081500+0545", "2025-03-01 02:30:00"),
        ("202503010815-0930", "2025-03-01 17:45:00"),
        ("20250301081500.1234+0000", "2025-03-01 08:15:00.123400"),
        ("20250301", "2025-03-01 00:00:00"),
        ("20250301081500", "2025-03-01 08:15:00"),
    ],
)
def test_times_convert_to_utc(text, expected) -> None:
    assert hl7.parse_time(text) == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2025-03-01T08:15", "20250301081500+2500", "yesterday"])
def test_bad_times_are_message_errors(text) -> None:
    with pytest.raises(hl7.MessageError):
        hl7.parse_time(text)


def test_framing_bom_batches_and_line_endings_are_undone() -> None:
    text = (
        "\ufeffFHS|^~\\&\r\nBHS|^~\\&\r\n\x0bMSH|^~\\&|A|B|||20250101||ADT^A01|1|P|2.5\r\n"
        "PID|1||X\r\n\x1c\rMSH|^~\\&|A|B|||20250101||ADT^A02|2|P|2.5\nPID|1||Y\nBTS|2\n"
    )
    messages = hl7.split_messages(text)
    assert len(messages) == 2
    assert messages[0] == "MSH|^~\\&|A|B|||20250101||ADT^A01|1|P|2.5\rPID|1||X\r"


def test_minimise_drops_names_phones_and_unread_segments() -> None:
    message = (
        "MSH|^~\\&|A|B|||20250101||ADT^A01|1|P|2.5\r"
        "PID|1||MRN1^^^H^MR||Doe^Jane||19600101|F|||1 Main St^^Town^ST^02139||555-0100\r"
        "NK1|1|Doe^John\rPV1|1|I\rNTE|1||free text\r"
    )
    minimised = hl7.minimise(message)
    assert "Doe" not in minimised and "555-0100" not in minimised and "free text" not in minimised
    assert "MRN1" in minimised and "19600101" in minimised and "02139" in minimised


def test_escapes_and_repetitions_parse() -> None:
    message = hl7.parse(
        hl7.minimise(
            "MSH|^~\\&|A|B|||20250101||ADT^A01|1|P|2.5\rPID|1||A\\T\\B^^^H1^PI~C\\S\\D^^^H2^MR\r"
        )
    )
    pid = hl7.first_segment(message, "PID")
    ids = [(hl7.component(r, 1), hl7.component(r, 5)) for r in hl7.repetitions(pid, 3)]
    assert ids == [("A&B", "PI"), ("C^D", "MR")]


def _fixture_messages() -> list[str]:
    from tests.ingest.conftest import FIXTURES

    texts = sorted((FIXTURES / "hl7v2").glob("*.hl7"))
    return [m for path in texts for m in hl7.split_messages(path.read_text())]


def test_python_hl7_reads_every_fixture_as_hl7apy_does() -> None:
    """Both parsers give the same segments, fields and repetitions (or the same refusal)."""
    pytest.importorskip("hl7")
    compared = 0
    for text in _fixture_messages():
        outcomes = []
        for parser in ("hl7apy", "python-hl7"):
            try:
                message = hl7.parse(hl7.minimise(text), parser)
            except hl7.MessageError as error:
                outcomes.append(str(error))
                continue
            outcomes.append(
                [
                    (
                        segment.name,
                        {
                            number: [
                                [hl7.component((segment, rep), i) for i in range(1, 8)]
                                for rep in reps
                            ]
                            for number, reps in segment.fields.items()
                            if number > 2  # MSH-1/2, the separators themselves
                        },
                    )
                    for segment in message.segments
                ]
            )
        assert outcomes[0] == outcomes[1], text[:60]
        compared += 1
    assert compared >= 20
