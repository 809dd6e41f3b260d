"""What a text asserts, in comparable form (`Facts`): stemmed words, numbers, names, the runs of
digits inside words, which end of a range each number is said to be, and the words that turn what
it says. The verifier (verify.py) compares a model sentence's facts with its notes'. Does not:
decide whether a sentence is supported (verify.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
# A name written like code: two capitals or a capital and a digit ("EC2", "CloudWatch"), snake_case.
CODE_NAME = re.compile(r"\b(?=[A-Za-z])(?:\w*[A-Z]\w*[A-Z0-9]\w*|\w+_\w+)\b")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_UNIT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)([A-Za-z])")
# The words that say which end of a range a number is. `RANGE_ENDS` reads them just before a number
# ("Max 900s", "Default 3s", "up to 900s", "the default timeout is 3s": two words may come between);
# the judge reads them anywhere in a line (`assistant.amounts.BOUNDS`).
END_WORDS = {
    "upper": r"max|maximum|up\s+to|upto|at\s+most|limit(?:ed)?\s+to|no\s+more\s+than",
    "lower": r"min|minimum|at\s+least|no\s+less\s+than",
    "default": r"default|defaults",
}
RANGE_ENDS = {
    end: re.compile(rf"\b(?:{words})(?:\s+[A-Za-z]+){{0,2}}\s*[:=]?\s*$", re.IGNORECASE)
    for end, words in END_WORDS.items()
}
RANGE_END_REACH = 40  # characters read before a number for the end it is said to be
# Words that turn or narrow what a sentence says ("is not", "only for"): a small model adds them
# where its notes have none, and the sentence then says the opposite of the note.
TURNING = re.compile(r"\b(?:no|not|never|only|without|neither|nor|none)\b", re.IGNORECASE)
NOT = re.compile(r"\bcannot\b|n't\b", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
    """What a text asserts, in comparable form: stemmed words, numbers, and names."""

    terms: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]  # names as stemmed words, e.g. "VPCs" → "vpc"
    # Every run of digits, inside words too ("EC2", "m5", "x86"): a sentence may carry none that
    # its notes lack, whatever the question says.
    digits: frozenset[str] = frozenset()
    # (number, end of a range) for each number said to be one: ("900", "upper") of "Max 900s"
    ends: frozenset[tuple[str, str]] = frozenset()
    turns: frozenset[str] = frozenset()  # `TURNING` words; "cannot" and "n't" read as "not"

    @classmethod
    def of(cls, text: str) -> "Facts":
        """
        >>> facts = Facts.of("Allocate 128MB to 10,240 MB in EC2 via PromQL")
        >>> sorted(facts.numbers), sorted(facts.names), sorted(facts.digits)
        (['10240', '128'], ['ec2', 'mb', 'promql'], ['10240', '128', '2'])
        """
        text = _UNIT.sub(r"\1 \2", text)  # "128MB" → "128 MB": the number and the unit apart
        words = [w for w in lexical_tokens([text])[0] if not _DIGIT.search(w)]
        numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
        names = (
            lexical_tokens([" ".join(CODE_NAME.findall(text))])[0] if CODE_NAME.search(text) else []
        )
        digits = _DIGITS.findall(_THOUSANDS.sub("", text))
        return cls(
            frozenset(words),
            frozenset(numbers),
            frozenset(names),
            frozenset(digits),
            range_ends(text),
            frozenset(word.lower() for word in TURNING.findall(NOT.sub(" not", text))),
        )


@functools.cache
def framing() -> frozenset[str]:
    """Words that frame or join a claim but state no fact ("The answer is …",
    "according to note 1"),
    stemmed: built on first use, since the stemmer takes a second to import.

    >>> sorted(framing())[:4]
    ['about', 'accord', 'also', 'answer']
    """
    return frozenset(
        lexical_tokens(
            [
                "answer correct according note notes outline say says said mention "
                "also can could may might "
                "out up down over off about into onto via per well one ones"
            ]
        )[0]
    )


def range_ends(text: str) -> frozenset[tuple[str, str]]:
    """
    >>> sorted(range_ends("Default 3s; Max 900s"))
    [('3', 'default'), ('900', 'upper')]
    """
    return frozenset(
        (match.group(0).replace(",", ""), end)
        for match in _NUMBER.finditer(text)
        for end, said in RANGE_ENDS.items()
        if said.search(text[max(0, match.start() - RANGE_END_REACH) : match.start()])
    )


def misread_ends(claim: Facts, notes: Facts) -> bool:
    """Whether the claim calls a number an end of a range the notes call it none of: "up to 3s"
    where the notes say "Default 3s" (a number the notes leave unqualified may be either).

    >>> notes = Facts.of("Default 3s; Max 900s")
    >>> misread_ends(Facts.of("It runs up to 3s"), notes)
    True
    >>> misread_ends(Facts.of("By default it runs 3s, at most 900s"), notes)
    False
    """
    for number in {n for n, _ in claim.ends}:
        said = {end for n, end in notes.ends if n == number}
        if said and not said & {end for n, end in claim.ends if n == number}:
            return True
    return False


def union(facts: list[Facts]) -> Facts:
    """All the facts of several texts in one."""
    return Facts(
        frozenset().union(*(f.terms for f in facts)),
        frozenset().union(*(f.numbers for f in facts)),
        frozenset().union(*(f.names for f in facts)),
        frozenset().union(*(f.digits for f in facts)),
        frozenset().union(*(f.ends for f in facts)),
        frozenset().union(*(f.turns for f in facts)),
    )


def line_facts(line: OutlineLine) -> Facts:
    """A line's facts include its parent's words: "Memory > 128mb to 10240 MB"."""
    return Facts.of(" ".join(line.path[-2:]))
