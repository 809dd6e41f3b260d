"""Checks each answer sentence against the retrieved branches before anyone sees it.

A sentence is kept only when a branch supports it: every number in it appears in that branch,
every name (acronym, CamelCase, snake_case) appears in the branch or the question, and most of
what it adds to the question (words and numbers) is written in a few lines of the branch. A
sentence citing the wrong branch is re-cited to one that supports it; an uncited one gets the
citation of its support; anything else is removed. Does not: split the stream into sentences (sentences.py) or number
the final citations (pipeline.py).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from typing import Sequence

from assistant.signals import matched
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

# "[1]", "[1, 2]", "[note 1]", "(note 1)": the ways a small model writes a citation.
CITATION = re.compile(
    r"\s*(?:\[\s*(?:notes?\s*)?(\d+(?:\s*[,;]\s*\d+)*)\s*\]|\(\s*notes?\s+(\d+)\s*\))", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b(?=[A-Za-z])(?:\w*[A-Z]\w*[A-Z0-9]\w*|\w+_\w+)\b")
_DIGIT = re.compile(r"\d")
_UNIT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)([A-Za-z])")
MIN_SUPPORTED_SHARE = 0.6  # of a sentence's new words and numbers, found in its closest lines
LINES_PER_CLAIM = 3  # a sentence may combine this many lines (a list, a comparison)
MIN_FACTS = 2  # words or numbers a sentence takes from its branch: "1." or "Data Brew" say nothing
MIN_DISTINCT = 0.6  # share of distinct words below which a sentence is a repetition loop
MAX_SUPPORTING_LINES = 4


@dataclass(frozen=True)
class Facts:
    """What a text asserts, in comparable form: stemmed words, numbers, and names."""

    terms: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]  # names as stemmed words, e.g. "VPCs" → "vpc"

    @classmethod
    def of(cls, text: str) -> "Facts":
        """
        >>> facts = Facts.of("Allocate 128MB to 10,240 MB in EC2 via PromQL")
        >>> sorted(facts.numbers), sorted(facts.names)
        (['10240', '128'], ['ec2', 'mb', 'promql'])
        """
        text = _UNIT.sub(r"\1 \2", text)  # "128MB" → "128 MB": the number and the unit apart
        words = [w for w in lexical_tokens([text])[0] if not _DIGIT.search(w)]
        numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
        names = lexical_tokens([" ".join(_NAME.findall(text))])[0] if _NAME.search(text) else []
        return cls(frozenset(words), frozenset(numbers), frozenset(names))


@dataclass(frozen=True)
class Verdict:
    text: str  # the sentence without its citation markers
    branches: tuple[int, ...]  # supporting notes (their numbers, from 1), () when the sentence is removed
    lines: tuple[int, ...]  # outline lines of those branches that support it


def split_citations(sentence: str, k: int) -> tuple[str, tuple[int, ...]]:
    """(text without markers, cited branch numbers within 1..k).

    >>> split_citations("Account Factory [1][2, 9].", 5)
    ('Account Factory.', (1, 2))
    """
    cited: list[int] = []
    for match in CITATION.finditer(sentence):
        for number in re.split(r"[,;]", match.group(1) or match.group(2)):
            if 1 <= int(number) <= k and int(number) not in cited:
                cited.append(int(number))
    text = re.sub(r"\s+([.,;:!?])", r"\1", CITATION.sub("", sentence))
    return " ".join(text.split()), tuple(cited)


class Verifier:
    """Checks the sentences of one answer; made per question, so it is never shared."""

    def __init__(self, question: str, notes: Sequence[Sequence[OutlineLine]]):
        """`notes[n - 1]` holds the outline lines of the note the model cites as [n]."""
        self.asked = Facts.of(question)
        self.k = len(notes)
        self.lines = {b: list(lines) for b, lines in enumerate(notes, start=1)}
        self.line_facts = {ln: line_facts(ln) for lines in notes for ln in lines}
        self.branch_facts = {b: _union([Facts.of(" ".join(lines[0].path[:-1]))] + [self.line_facts[ln] for ln in lines])
                             for b, lines in self.lines.items() if lines}

    def check(self, sentence: str) -> Verdict:
        text, cited = split_citations(sentence, self.k)
        claim = Facts.of(text)
        if not (self._new(claim) or claim.numbers) or says_nothing(text):
            return Verdict(text, (), ())
        if cited and self.supports(claim, cited):
            branches = tuple(b for b in cited if self._share(claim, (b,)) > 0)
            return Verdict(text, branches, self.supporting_lines(claim, branches))
        for branch in sorted(range(1, self.k + 1), key=lambda b: -self._share(claim, (b,))):
            if self.supports(claim, (branch,)):
                return Verdict(text, (branch,), self.supporting_lines(claim, (branch,)))
        return Verdict(text, (), ())

    def supports(self, claim: Facts, branches: tuple[int, ...]) -> bool:
        """Numbers and names anywhere in the branches; most new words and numbers in a few lines
        of them (words scattered over a whole branch make a sentence the branch never said)."""
        facts = _union([self.branch_facts[b] for b in branches])
        if not claim.numbers <= facts.numbers:
            return False
        if not claim.names <= facts.terms | facts.names | self.asked.terms:
            return False
        near = _union([self.line_facts[ln] for ln in self._closest(claim, branches)])
        new = self._new(claim)
        found = len(matched(new, near.terms)) + len(claim.numbers & near.numbers)
        return found >= MIN_FACTS and found >= MIN_SUPPORTED_SHARE * (len(new) + len(claim.numbers))

    def _closest(self, claim: Facts, branches: tuple[int, ...]) -> list[OutlineLine]:
        """The lines sharing most of the claim's new words and numbers."""
        new = self._new(claim)
        lines = [ln for b in branches for ln in self.lines[b]]
        return sorted(lines, key=lambda ln: -self._overlap(new, claim, ln))[:LINES_PER_CLAIM]

    def _overlap(self, new: set[str], claim: Facts, line: OutlineLine, number_weight: int = 1) -> int:
        facts = self.line_facts[line]
        return len(matched(new, facts.terms)) + number_weight * len(claim.numbers & facts.numbers)

    def supporting_lines(self, claim: Facts, branches: tuple[int, ...]) -> tuple[int, ...]:
        """The lines sharing most of the claim's numbers and new words (several on a tie)."""
        new = self._new(claim)
        scored = [(self._overlap(new, claim, ln, number_weight=2), ln.line)
                  for b in branches for ln in self.lines[b]]
        best = max((score for score, _ in scored), default=0)
        if best == 0:
            return ()
        keep = sorted({n for score, n in scored if score * 2 >= best and score > 0},
                      key=lambda n: -max(s for s, m in scored if m == n))
        return tuple(sorted(keep[:MAX_SUPPORTING_LINES]))

    def _share(self, claim: Facts, branches: tuple[int, ...]) -> int:
        facts = _union([self.branch_facts[b] for b in branches])
        return len(matched(self._new(claim), facts.terms)) + len(claim.numbers & facts.numbers)

    def _new(self, facts: Facts) -> set[str]:
        """The words of a text that the question did not already say (framing words aside)."""
        return set(facts.terms - framing()) - matched(facts.terms, self.asked.terms)


@functools.cache
def framing() -> frozenset[str]:
    """Words that frame or join a claim but state no fact ("The answer is …", "according to note 1"),
    stemmed: built on first use, since the stemmer takes a second to import.

    >>> sorted(framing())[:4]
    ['about', 'accord', 'also', 'answer']
    """
    return frozenset(lexical_tokens([
        "answer correct according note notes outline say says said mention also can could may might "
        "out up down over off about into onto via per well one ones"])[0])


def says_nothing(text: str) -> bool:
    """A list's heading ("It supports:") or a loop ("Cloud Security - Cloud Security").

    >>> says_nothing("Security: Cloud Security - Cloud Security"), says_nothing("Spot saves 90%")
    (True, False)
    """
    words = lexical_tokens([text])[0]
    return text.rstrip().endswith(":") or len(set(words)) < MIN_DISTINCT * len(words)


def _union(facts: list[Facts]) -> Facts:
    return Facts(frozenset().union(*(f.terms for f in facts)),
                 frozenset().union(*(f.numbers for f in facts)),
                 frozenset().union(*(f.names for f in facts)))


def line_facts(line: OutlineLine) -> Facts:
    """A line's facts include its parent's words: "Memory > 128mb to 10240 MB"."""
    return Facts.of(" ".join(line.path[-2:]))
