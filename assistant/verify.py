"""Checks each answer sentence against the notes the model was given before anyone sees it.

A sentence is kept only when a note supports it: every number in it appears in that note, and
is called no other end of a range than the note calls it ("up to 3s" of "Default 3s") and is said
of what the note says it of (not "Snowcone" of "Snowmobile › 10PB"); no line's words are said of
its sibling title ("Geoproximity routing" of "Weighted routing › eg canary"); every name
(acronym, CamelCase, snake_case) appears in the note or the question; most of what it adds to the
question (words and numbers) is written in a few lines of the note; every word that turns what
it says ("not", "only") is in a line it draws on. A question back is no answer. A
sentence citing the wrong note is re-cited to one that supports it; an uncited one gets the
citation of its support; anything else is removed. The model's `[n]` markers become `Note`s as
the sentence is read; everything after that passes the notes themselves. Does not: split the
stream into sentences (sentences.py) or number citations (answer.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.prompt import Note
from assistant.question import NAME, is_acronym, matched
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

# "[1]", "[1, 2]", "[note 1]", "(note 1)": the ways a small model writes a citation.
CITATION = re.compile(
    r"\s*(?:\[\s*(?:notes?\s*)?(\d+(?:\s*[,;]\s*\d+)*)\s*\]|\(\s*notes?\s+(\d+)\s*\))",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b(?=[A-Za-z])(?:\w*[A-Z]\w*[A-Z0-9]\w*|\w+_\w+)\b")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_UNIT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)([A-Za-z])")
# Words just before a number that say which end of a range it is: "Max 900s", "Default 3s", "up to
# 900s", "the default timeout is 3s" (two words may come between).
RANGE_ENDS = {
    end: re.compile(rf"\b(?:{words})(?:\s+[A-Za-z]+){{0,2}}\s*[:=]?\s*$", re.IGNORECASE)
    for end, words in (
        ("upper", r"max|maximum|up\s+to|upto|at\s+most|limit(?:ed)?\s+to|no\s+more\s+than"),
        ("lower", r"min|minimum|at\s+least|no\s+less\s+than"),
        ("default", r"default|defaults"),
    )
}
RANGE_END_REACH = 40  # characters read before a number for the end it is said to be
# Words that turn or narrow what a sentence says ("is not", "only for"): a small model adds them
# where its notes have none, and the sentence then says the opposite of the note.
TURNING = re.compile(r"\b(?:no|not|never|only|without|neither|nor|none)\b", re.IGNORECASE)
NOT = re.compile(r"\bcannot\b|n't\b", re.IGNORECASE)
# A sentence cut off mid-clause: "Cloudwatch event [1] to".
DANGLING = re.compile(
    r"\b(?:to|of|for|with|and|or|the|a|an|by|from|as|is|are|which|that)\W*$",
    re.IGNORECASE,
)
STUTTER = re.compile(r"\b(\w+)[\s-]+\1\b", re.IGNORECASE)  # "Glue Glue", "data-data"
MIN_SUPPORTED_SHARE = 0.6  # of a sentence's new words and numbers, found in its closest lines
LINES_PER_CLAIM = 3  # a sentence may combine this many lines (a list, a comparison)
MIN_FACTS = 2  # words or numbers a sentence takes from its note: "1." or "Data Brew" say nothing
MIN_DISTINCT = 0.6  # share of distinct words below which a sentence is a repetition loop
MAX_SUPPORTING_LINES = 4
# Where a sentence turns from one thing to another: "FIFO does 300/s, while standard …".
CLAUSE = re.compile(r";|\b(?:while|whereas|but|unlike|vs|versus)\b", re.IGNORECASE)
SHORT_TITLE = 3  # words: a title this short names a thing ("Short Polling", "Snowcone")
# Titles this deep or deeper name things; above are the outline's sections ("Storage", "VPC"), and a
# sentence may name one while it draws on lines of another.
SECTION_DEPTH = 2


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
        names = lexical_tokens([" ".join(_NAME.findall(text))])[0] if _NAME.search(text) else []
        digits = _DIGITS.findall(_THOUSANDS.sub("", text))
        return cls(
            frozenset(words),
            frozenset(numbers),
            frozenset(names),
            frozenset(digits),
            range_ends(text),
            frozenset(word.lower() for word in TURNING.findall(NOT.sub(" not", text))),
        )


@dataclass(frozen=True)
class Verdict:
    text: str  # the sentence without its citation markers
    notes: tuple[Note, ...]  # the notes that support it, () when the sentence is removed
    lines: tuple[OutlineLine, ...]  # the lines of those notes that support it, in file order


def split_citations(sentence: str, k: int) -> tuple[str, tuple[int, ...]]:
    """(text without markers, cited note numbers within 1..k).

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

    def __init__(self, question: str, notes: Sequence[Note]):
        """`notes` are numbered 1..k, as the model saw them."""
        self.asked = Facts.of(question)
        self.notes = tuple(notes)
        lines = [ln for note in notes for ln in note.lines]
        self.titles = _short_titles(lines)
        # Words no claim draws from a line: every line lies under the outline's own title.
        self.unsaid = framing() | Facts.of(" ".join({ln.path[0] for ln in lines})).terms
        self.subjects = _subjects(question, self.titles) - self.unsaid
        self.line_facts = {ln: line_facts(ln) for note in notes for ln in note.lines}
        self.own_words = {ln: Facts.of(ln.text).terms for ln in lines}
        self.note_facts = {
            note: _union(
                [Facts.of(" ".join(note.lines[0].path[:-1]))]
                + [self.line_facts[ln] for ln in note.lines]
            )
            for note in notes
            if note.lines
        }

    def check(self, sentence: str) -> Verdict:
        text, numbers = split_citations(sentence, len(self.notes))
        cited = tuple(self.notes[n - 1] for n in numbers)
        claim = Facts.of(text)
        if not (self._new(claim) or claim.numbers) or says_nothing(text):
            return Verdict(text, (), ())
        if cited and self.supports(text, claim, cited):
            notes = tuple(note for note in cited if self._share(claim, (note,)) > 0)
            return Verdict(text, notes, self.supporting_lines(claim, notes))
        for note in sorted(self.notes, key=lambda note: -self._share(claim, (note,))):
            if self.supports(text, claim, (note,)):
                return Verdict(text, (note,), self.supporting_lines(claim, (note,)))
        return Verdict(text, (), ())

    def supports(self, text: str, claim: Facts, notes: tuple[Note, ...]) -> bool:
        """Numbers and names anywhere in the notes, each number the same end of a range and said
        of what its lines say it of; most new words and numbers in a few lines of them (words
        scattered over a whole chunk make a sentence the chunk never said); each turning word in
        a line it draws on. `claim` is the facts of `text`."""
        facts = _union([self.note_facts[note] for note in notes])
        if not (claim.numbers <= facts.numbers and claim.digits <= facts.digits):
            return False
        if not claim.names <= facts.terms | facts.names | self.asked.terms:
            return False
        new = self._new(claim)
        if misread_ends(claim, facts) or not claim.turns <= self._turns_drawn_on(claim, notes):
            return False
        if not self._clauses_hold(text, notes):
            return False
        near = _union([self.line_facts[ln] for ln in self._closest(claim, notes)])
        found = len(matched(new, near.terms)) + len(claim.numbers & near.numbers)
        return found >= MIN_FACTS and found >= MIN_SUPPORTED_SHARE * (len(new) + len(claim.numbers))

    def _turns_drawn_on(self, claim: Facts, notes: tuple[Note, ...]) -> frozenset[str]:
        """The turning words of the question and of every note line sharing a word or number with
        the claim."""
        new = self._new(claim)
        return self.asked.turns.union(
            *(
                self.line_facts[ln].turns
                for note in notes
                for ln in note.lines
                if self._overlap(new, claim, ln)
            )
        )

    def _clauses_hold(self, text: str, notes: tuple[Note, ...]) -> bool:
        """Whether each clause says its numbers and its lines' words of what the notes say them
        of. "FIFO does 300/s, while standard is unlimited" names standard in a clause of its
        own."""
        lines = [ln for note in notes for ln in note.lines]
        return all(
            self._numbers_said_of_their_subject(said, lines)
            and self._titles_said_of_their_lines(said, lines)
            for said in map(Facts.of, CLAUSE.split(text))
        )

    def _numbers_said_of_their_subject(self, said: Facts, lines: list[OutlineLine]) -> bool:
        """Whether each thing the clause names (a name of the question, a short title of the
        notes) is on the path of a line stating one of its numbers: "A Snowcone holds up to 10PB"
        drawn from "Snowmobile › Recommended for 10PB or more" says the number of another
        thing."""
        subjects = said.terms & self.subjects
        if not (said.numbers and subjects):
            return True
        stating = [ln for ln in lines if said.numbers & self.line_facts[ln].numbers]
        return _all_on_paths(subjects, stating)

    def _titles_said_of_their_lines(self, said: Facts, lines: list[OutlineLine]) -> bool:
        """Whether no short title the clause names takes the words of lines that lie under a
        sibling title, and not under it: "Geoproximity routing: eg canary/feature testing" takes
        the example of its sibling "Weighted routing". A clause naming both siblings compares
        them; sections (titles right under the outline's own) may be named freely."""
        named = {
            title: (parent, words)
            for title, (parent, words) in self.titles.items()
            if words and words <= said.terms
        }
        rest = (said.terms - self.unsaid).difference(*(words for _, words in named.values()))
        drawn = [ln for ln in lines if rest & self.own_words[ln]]
        for title, (parent, words) in named.items():
            under = {
                ln.path[len(parent)]
                for ln in drawn
                if len(ln.path) > len(parent) and ln.path[: len(parent)] == parent
            }
            siblings = {step for step in under if step in self.titles} - {title}
            if (
                len(parent) >= SECTION_DEPTH
                and siblings
                and not siblings & named.keys()
                and not _all_on_paths(words, drawn)
            ):
                return False
        return True

    def _closest(self, claim: Facts, notes: tuple[Note, ...]) -> list[OutlineLine]:
        """The lines sharing most of the claim's new words and numbers."""
        new = self._new(claim)
        lines = [ln for note in notes for ln in note.lines]
        return sorted(lines, key=lambda ln: -self._overlap(new, claim, ln))[:LINES_PER_CLAIM]

    def _overlap(
        self, new: set[str], claim: Facts, line: OutlineLine, number_weight: int = 1
    ) -> int:
        facts = self.line_facts[line]
        return len(matched(new, facts.terms)) + number_weight * len(claim.numbers & facts.numbers)

    def supporting_lines(self, claim: Facts, notes: tuple[Note, ...]) -> tuple[OutlineLine, ...]:
        """The lines sharing most of the claim's numbers and new words (several on a tie)."""
        new = self._new(claim)
        scored = [
            (self._overlap(new, claim, ln, number_weight=2), ln)
            for note in notes
            for ln in note.lines
        ]
        best = max((score for score, _ in scored), default=0)
        if best == 0:
            return ()
        keep = sorted(
            {ln.line for score, ln in scored if score * 2 >= best and score > 0},
            key=lambda n: -max(s for s, m in scored if m.line == n),
        )
        line_at = {ln.line: ln for _, ln in scored}
        return tuple(line_at[n] for n in sorted(keep[:MAX_SUPPORTING_LINES]))

    def _share(self, claim: Facts, notes: tuple[Note, ...]) -> int:
        facts = _union([self.note_facts[note] for note in notes])
        return len(matched(self._new(claim), facts.terms)) + len(claim.numbers & facts.numbers)

    def _new(self, facts: Facts) -> set[str]:
        """The words of a text that the question did not already say (framing words aside)."""
        return set(facts.terms - framing()) - matched(facts.terms, self.asked.terms)


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


def says_nothing(text: str) -> bool:
    """A list's heading ("It supports:"), a loop ("Cloud Security - Cloud Security"), a stutter
    ("Glue Glue", "data-data"), a sentence cut off ("Cloudwatch event to"), or a question (the
    model asking back, or echoing the user's).

    >>> says_nothing("Security: Cloud Security - Cloud Security"), says_nothing("Spot saves 90%")
    (True, False)
    """
    words = lexical_tokens([text])[0]
    return (
        text.rstrip().endswith((":", "?"))
        or bool(DANGLING.search(text))
        or bool(STUTTER.search(text))
        or len(set(words)) < MIN_DISTINCT * len(words)
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


def _union(facts: list[Facts]) -> Facts:
    return Facts(
        frozenset().union(*(f.terms for f in facts)),
        frozenset().union(*(f.numbers for f in facts)),
        frozenset().union(*(f.names for f in facts)),
        frozenset().union(*(f.digits for f in facts)),
        frozenset().union(*(f.ends for f in facts)),
        frozenset().union(*(f.turns for f in facts)),
    )


def _short_titles(
    lines: Sequence[OutlineLine],
) -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """The titles above these lines short enough to name a thing ("Short Polling", "Snowcone";
    not "Create Cloudfront distribution"), each with the path above it and its words."""
    return {
        step: (ln.path[:i], Facts.of(step).terms)
        for ln in lines
        for i, step in enumerate(ln.path[1:-1], start=1)
        if len(step.split()) <= SHORT_TITLE
    }


def _subjects(question: str, titles: Iterable[str]) -> frozenset[str]:
    """The words naming things a claim may say a number of: the question's names ("Snowcone",
    "Cost Explorer"; not its acronyms, which as often name what is asked of a thing: "RPO",
    "IOPS") and the words of the notes' short titles ("Short Polling")."""
    names = [name for name in NAME.findall(question.strip()) if not is_acronym(name)]
    return Facts.of(" ".join([*titles, *names])).terms


def _all_on_paths(words: frozenset[str] | set[str], lines: Sequence[OutlineLine]) -> bool:
    """Whether each word starts a word of the lines' paths (their own text included): "Route 53"
    is on "Route53 › …", "Snowcone" is not on "Snow Family › …"."""
    steps = lexical_tokens([" ".join(step for ln in lines for step in ln.path[1:])])[0]
    return all(any(step.startswith(word) for step in steps) for word in words)


def line_facts(line: OutlineLine) -> Facts:
    """A line's facts include its parent's words: "Memory > 128mb to 10240 MB"."""
    return Facts.of(" ".join(line.path[-2:]))
