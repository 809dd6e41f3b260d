"""Tests for assistant.answer_text: how an answer's pieces read once shown."""

from __future__ import annotations

from assistant.answer_text import Piece, as_shown


def test_as_shown_puts_the_model_sentences_above_the_quotes():
    pieces = [
        Piece("From the outline:\n- a [1]", "quotes"),
        Piece("A is so [1].", "model"),
        Piece(" B too [1].", "model"),
    ]

    assert as_shown(pieces) == "A is so [1]. B too [1].\n\nFrom the outline:\n- a [1]"
    assert as_shown(pieces[:1]) == "From the outline:\n- a [1]"
