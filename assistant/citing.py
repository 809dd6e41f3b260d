"""Citation numbers, made in one place: each chunk an answer cites gets the next number when it is
first cited, and the lines of it the answer draws on are gathered under that number.

>>> from indexer.records import Chunk, Row
>>> lambda_, sqs = (Chunk(name, "n.md", (name,), (1, 2), (Row(1, 0, name), Row(2, 1, "x")), "", "h")
...                 for name in ("Lambda", "SQS"))
>>> citing = Citing()
>>> citing.cite((sqs,), ()), citing.cite((lambda_, sqs), ()), citing.number(lambda_)
('[1]', '[2][1]', 2)
"""

from __future__ import annotations

from typing import Iterable, Sequence

from assistant.answer import Citation
from indexer.lines import OutlineLine
from indexer.records import Chunk


class Citing:
    """The citations of one answer being written; made per question, so it is never shared."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}  # chunk id → its citation number
        self._chunks: dict[str, Chunk] = {}
        self._support: dict[str, set[int]] = {}  # chunk id → its lines the answer draws on

    def cite(self, chunks: Sequence[Chunk], lines: Iterable[OutlineLine]) -> str:
        """The markers ("[2][1]") of these chunks, numbering any not cited before; the `lines` they
        are cited for (those each chunk holds) become its supporting lines."""
        lines = tuple(lines)
        for chunk in chunks:
            self._numbers.setdefault(chunk.id, len(self._numbers) + 1)
            self._chunks[chunk.id] = chunk
            held = (
                line.line
                for line in lines
                if line.source == chunk.source and line.line in chunk.lines
            )
            self._support.setdefault(chunk.id, set()).update(held)
        return "".join(f"[{self.number(chunk)}]" for chunk in chunks)

    def number(self, chunk: Chunk) -> int:
        """The citation number of a chunk already cited."""
        return self._numbers[chunk.id]

    def citations(self) -> tuple[Citation, ...]:
        """Every citation so far, numbered 1, 2, … in order of first citation."""
        return tuple(
            Citation(n, self._chunks[i], tuple(sorted(self._support[i])))
            for i, n in self._numbers.items()
        )
