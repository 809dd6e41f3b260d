"""Tests for assistant.citing: citation numbers are made in one place, densely, in citation
order."""

from __future__ import annotations

from assistant_fakes import outline_chunks

from assistant.citing import Citing
from indexer.lines import OutlineLine


def line(chunk, number: int, source: str = "") -> OutlineLine:
    return OutlineLine(source or chunk.source, number, (*chunk.path, "x"), 0)


def test_chunks_are_numbered_in_order_of_first_citation_and_keep_their_number():
    lambda_, steps = outline_chunks()[1:3]
    citing = Citing()

    markers = [citing.cite(chunks, ()) for chunks in ((steps,), (lambda_, steps), (lambda_,))]

    assert markers == ["[1]", "[2][1]", "[2]"]
    assert [(c.n, c.chunk) for c in citing.citations()] == [(1, steps), (2, lambda_)]


def test_a_citation_supports_only_the_lines_its_chunk_holds():
    lambda_, steps = outline_chunks()[1:3]
    citing = Citing()
    held = lambda_.lines[-1]
    lines = [line(lambda_, held), line(lambda_, held, "other.md"), line(lambda_, 10_000)]

    citing.cite((lambda_, steps), lines)

    assert [c.supporting_lines for c in citing.citations()] == [(held,), ()]
