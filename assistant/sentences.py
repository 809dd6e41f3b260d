"""Streamed text pieces → whole sentences, each keeping the citation markers written after it.

>>> split = SentenceSplitter()
>>> split.feed("Spot saves up to 90%. [1] Reserved")
['Spot saves up to 90%. [1]']
>>> split.feed(" needs a term [2].\\n1. Next"), split.finish()
(['Reserved needs a term [2].'], ('1. Next', False))
"""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (plus any [n] markers after it) before the next word,
# or at a line break.
_BOUNDARY = re.compile(r"([.!?](?:[ \t]*\[[^\]\n]{0,16}\])*)[ \t]+(?=[^\s\[])|[ \t]*\n\s*")
_FINISHED = re.compile(r"[.!?\]]\s*$")
_NUMBERING = re.compile(r"^\d{1,2}[.)]$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")


class SentenceSplitter:
    """Per stream: feed pieces, get the sentences completed so far; `finish` returns the rest."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        done, start = [], 0
        while match := _BOUNDARY.search(self.buffer, start):
            end = match.end(1) if match.group(1) else match.start()
            sentence = self.buffer[:end].strip()
            if _NUMBERING.match(sentence):  # "1." opens a list item; the item is the sentence
                start = match.end()
                continue
            self.buffer, start = self.buffer[match.end() :], 0
            if sentence:
                done.append(sentence)
        return done

    def finish(self) -> tuple[str, bool]:
        """(the unfinished rest, whether it ends like a sentence) — a rest that does not
        was cut off."""
        rest, self.buffer = self.buffer.strip(), ""
        return rest, bool(_FINISHED.search(rest))
