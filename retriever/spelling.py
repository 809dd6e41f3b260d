"""Mistyped words of a question, written as the outline writes them: "placment" → "placement",
"retension" → "retention". Only a lower-case word of six letters or more that is neither English
the embedding model knows whole ("internal" is not a typo of "interval") nor a word of the outline,
and that is one edit (a letter dropped, added, changed or two swapped) from exactly one outline
word. A name (capitalised) is corrected only when it has eight letters or more and the word it is
one edit from is a name in the outline too ("Rekognition" of notes that write "Reokognition"), so
an unknown service stays unknown. Short words are left as written. Does not: search (search.py).
"""

from __future__ import annotations

import re
import string
from typing import Iterable

from indexer.lexical import lexical_tokens

MIN_LENGTH = 6  # shorter words are one edit from too many others to guess which was meant
NAME_LENGTH = 8  # a shorter name one edit from an outline name is as likely another service
LOWER_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")
NAME_WORD = re.compile(r"(?<![\w-])[A-Z][a-z]+(?![\w-])")
WORD = re.compile(r"[A-Za-z]+")


class Spelling:
    """The words of one outline, the stems its lexical index knows, and the English words known
    whole (`Embedder.known_words`)."""

    def __init__(
        self, texts: Iterable[str], stems: frozenset[str], english: frozenset[str] = frozenset()
    ):
        texts = list(texts)
        self.words = frozenset(w.lower() for text in texts for w in WORD.findall(text))
        self.names = {w.lower(): w for text in texts for w in NAME_WORD.findall(text)}
        self.stems, self.english = stems, english

    def correct(self, question: str) -> str:
        """The question with each mistyped word replaced (see the module's docstring).

        >>> spelling = Spelling(["Spread placement group"], frozenset())
        >>> spelling.correct("max in a spread placment group")
        'max in a spread placement group'
        >>> spelling.correct("Placment, GameLift")
        'Placment, GameLift'
        >>> Spelling(["Spread placement"], frozenset(), frozenset({"placment"})).correct("placment")
        'placment'
        >>> Spelling(["Computer Vision: Reokognition"], frozenset()).correct("What's Rekognition?")
        "What's Reokognition?"
        """
        question = self._correct_names(question)
        unknown = {
            word
            for word in LOWER_WORD.findall(question)
            if len(word) >= MIN_LENGTH and word not in self.words and word not in self.english
        }
        if not unknown:
            return question
        stems = dict(zip(sorted(unknown), lexical_tokens(sorted(unknown))))
        meant = {}
        for word in unknown:
            if set(stems[word]) <= self.stems and stems[word]:
                continue  # another form of a word the outline uses ("placements")
            found = {edit for edit in _one_edit(word) if edit in self.words}
            if len(found) == 1:
                meant[word] = found.pop()
        if not meant:
            return question
        return LOWER_WORD.sub(lambda match: meant.get(match.group(0), match.group(0)), question)

    def _correct_names(self, question: str) -> str:
        def meant(match: re.Match) -> str:
            name = match.group(0)
            lower = name.lower()
            if len(name) < NAME_LENGTH or lower in self.words or lower in self.english:
                return name
            found = {edit for edit in _one_edit(lower) if edit in self.names}
            return self.names[found.pop()] if len(found) == 1 else name

        return NAME_WORD.sub(meant, question)


def _one_edit(word: str) -> set[str]:
    """Every string one letter dropped, swapped with its neighbour, changed or added away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = string.ascii_lowercase
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in letters),
        *(a + c + b for a, b in splits for c in letters),
    } - {word}
