"""Abbreviations a user types for what the outline writes out: "kds" for "Kinesis Data Streams",
"nacl" for "Network ACL", "EFA" for "Elastic Fabric Adapter". A short word the outline never
writes is read as the initials of an outline title when exactly one title has them, and the title
is written after it: "kds (Kinesis Data Streams)". Initials are taken from the title's words and
the parts of a CamelCase word ("CloudWatch": C, W), a capitalised part whole or by its first
letter ("Network ACL": NACL or NA), and in a capitalised name a small word by its first letter or
not at all ("Point in Time Recovery": PITR or PTR); a word typed in capitals may also lead with an
"A" for AWS ("ACM": Certificate Manager). Two titles with the same initials leave the word as
written; titles that differ only in case are one title. A word the embedding model knows whole is
English ("am", "US", and so also "ta", "cw"), not initials, as is chat shorthand ("pls").
Does not: search (search.py) or correct spelling (spelling.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

MAX_LETTERS = 5  # longer words are words, not initials
MAX_TITLE_WORDS = 5  # a title with more words is a note, not a name
# Words a title's initials may keep or leave out ("Point in time recovery": PITR, PTR).
SMALL_WORDS = frozenset("a an and as at by for in of on or the to with".split())
CHAT_SHORTHAND = frozenset("pls plz thx tho btw imo fyi asap lol idk afaik iirc tbh".split())
WORD = re.compile(r"(?<![\w-])[A-Za-z]{2,%d}(?![\w-])" % (MAX_LETTERS + 1))
PARENTHESES = re.compile(r"\([^)]*\)")
# A CamelCase word's parts: "CloudWatch" → Cloud, Watch; "DynamoDB" → Dynamo, DB.
PART = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]|\d+")


class Abbreviations:
    """The initials of one outline's titles (see the module's docstring)."""

    def __init__(
        self, titles: Iterable[str], words: frozenset[str], english: frozenset[str] = frozenset()
    ):
        found: dict[str, dict[str, str]] = defaultdict(dict)  # initials → lower-case → title
        for title in sorted(titles):
            for letters in initials(title):
                found[letters].setdefault(title.lower(), title)
        self.titles = {
            letters: next(iter(same.values())) for letters, same in found.items() if len(same) == 1
        }
        # never read as initials: the outline's own words (lower-case), and English
        self.words, self.english = words, english

    def expand(self, question: str) -> str:
        """The question with each abbreviation followed by the title it stands for.

        >>> abbreviations = Abbreviations(
        ...     ["Kinesis Data Streams", "CloudFront", "CloudFormation", "Certificate Manager"],
        ...     frozenset({"kinesis", "data", "streams"}),
        ...     frozenset({"us"}),
        ... )
        >>> abbreviations.expand("kds retention in the US, and ACM")
        'kds (Kinesis Data Streams) retention in the US, and ACM (Certificate Manager)'
        >>> abbreviations.expand("cf signed urls")
        'cf signed urls'
        """
        lower = question.lower()

        def spelled_out(match: re.Match) -> str:
            word = match.group(0)
            title = self.title_of(word)
            if title is None or title.lower() in lower:
                return word
            return f"{word} ({title})"

        return WORD.sub(spelled_out, question)

    def title_of(self, written: str) -> str | None:
        """The title a word stands for as its initials ("nacl": "Network ACLs"), else None."""
        word = written.lower()
        if any(word in known for known in (self.words, self.english, SMALL_WORDS, CHAT_SHORTHAND)):
            return None
        typed = [word, word[:-1] if word.endswith("s") and len(word) > 2 else word]
        if written[:2].isupper() and word.startswith("a"):
            typed += [letters[1:] for letters in typed]
        found = [self.titles[t] for t in typed if len(t) <= MAX_LETTERS and t in self.titles]
        return found[0] if found else None


def initials(title: str) -> set[str]:
    """The lower-case initials a user may type for a title.

    >>> sorted(initials("Network ACL"))
    ['na', 'nacl']
    >>> sorted(initials("CloudWatch"))
    ['cw']
    >>> sorted(initials("Point in Time Recovery"))
    ['pitr', 'ptr']
    """
    words = PARENTHESES.sub(" ", title).split()
    named = [w for w in words if w.lower() not in SMALL_WORDS]
    if not named or len(named) > MAX_TITLE_WORDS:
        return set()
    # small words count in a name ("Point in Time Recovery"), not a note ("Choose VPC and subnet")
    name = len(named) > 1 and all(w[0].isupper() for w in named)
    if words[0].lower() in ("aws", "amazon"):
        words = words[1:]
    variants = [""]
    for word in words:
        if word.lower() in SMALL_WORDS:
            variants += [v + word[0] for v in variants] if name else []
            continue
        for part in PART.findall(word):
            whole = part.isdigit() or (part.isupper() and len(part) > 1)
            ends = {part[0], part} if whole else {part[0]}
            variants = [v + end for v in variants for end in ends]
    return {v.lower() for v in variants if len(v) >= 2}
