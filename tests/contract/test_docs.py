from __future__ import annotations

from pathlib import Path

from contract.docs import BEGIN, END, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "input-contract.md"


def test_the_reference_document_shows_the_contract_as_it_is() -> None:
    """Regenerate with `python -m contract.docs` when the contract changes."""
    text = DOC.read_text()
    generated = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert generated == render()
