"""Checks each answer sentence against the notes the model was given before anyone sees it.

A sentence is kept only when a note supports it: every number in it appears in that note, and
is called no other end of a range than the note calls it ("up to 3s" of "Default 3s") and is said
of what the note says it of (not "Snowcone" of "Snowmobile › 10PB"); no line's words are said of
its sibling title ("Geoproximity routing" of "Weighted routing › eg canary"); every name
(acronym, CamelCase, snake_case) appears in the note or the question, and nothing the question's
ask names (or asks, when it is asked yes or no) that no note writes appears at all ("EKS supports
Windows worker nodes" of notes that never say Windows); most of what it adds to the
question (words and numbers) is written in a few lines of the note; every word that turns what
it says ("not", "only") is in a line it draws on. A question back is no answer, nor is a sentence
in the asker's voice ("I created a network firewall but …") or a note copied in its own form. A
sentence citing the wrong note is re-cited to one that supports it; an uncited one gets the
citation of its support; anything else is removed. The model's `[n]` markers become `Note`s as
the sentence is read; everything after that passes the notes themselves. Does not: split the
stream into sentences (sentences.py), tell a sentence that says nothing by its form
(sentence_form.py), read what a text asserts (claims.py) or what a question asks that the notes
never write (unwritten.py), or number citations (answer.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.claims import Facts, framing, line_facts, misread_ends, union
from assistant.prompt import Note
from assistant.question import NAME, is_acronym, matched
from assistant.sentence_form import says_nothing
from assistant.unwritten import unwritten_asked
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

# "[1]", "[1, 2]", "[note 1]", "(note 1)": the ways a small model writes a citation.
CITATION = re.compile(
    r"\s*(?:\[\s*(?:notes?\s*)?(\d+(?:\s*[,;]\s*\d+)*)\s*\]|\(\s*notes?\s+(\d+)\s*\))",
    re.IGNORECASE,
)
NEGATIONS = frozenset({"no", "not", "never", "without", "neither", "nor", "none"})
MIN_SUPPORTED_SHARE = 0.6  # of a sentence's new words and numbers, found in its closest lines
LINES_PER_CLAIM = 3  # a sentence may combine this many lines (a list, a comparison)
MIN_FACTS = 2  # words or numbers a sentence takes from its note: "1." or "Data Brew" say nothing
MAX_SUPPORTING_LINES = 4
# Where a sentence turns from one thing to another: "FIFO does 300/s, while standard …".
CLAUSE = re.compile(r";|\b(?:while|whereas|but|unlike|vs|versus)\b", re.IGNORECASE)
SHORT_TITLE = 3  # words: a title this short names a thing ("Short Polling", "Snowcone")
# Titles this deep or deeper name things; above are the outline's sections ("Storage", "VPC"), and a
# sentence may name one while it draws on lines of another.
SECTION_DEPTH = 2


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
        self.subjects = _subjects(question, (w for _, w in self.titles.values())) - self.unsaid
        self.unwritten = unwritten_asked(question, lines) - self.unsaid
        self.line_facts = {ln: line_facts(ln) for note in notes for ln in note.lines}
        self.own_words = {ln: Facts.of(ln.text).terms for ln in lines}
        self.note_facts = {
            note: union(
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
        if matched(self.unwritten, claim.terms):
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
        facts = union([self.note_facts[note] for note in notes])
        if not (claim.numbers <= facts.numbers and claim.digits <= facts.digits):
            return False
        if not claim.names <= facts.terms | facts.names | self.asked.terms:
            return False
        new = self._new(claim)
        if misread_ends(claim, facts) or not claim.turns <= self._turns_drawn_on(claim, notes):
            return False
        if not self._clauses_hold(text, notes):
            return False
        closest = self._closest(claim, notes)
        if self.line_facts[closest[0]].turns & NEGATIONS and not claim.turns & NEGATIONS:
            return False  # "You can use it on a Windows instance" of "Cannot use on a Windows …"
        if not self._items_of_one_list(text, notes):
            return False
        near = union([self.line_facts[ln] for ln in closest])
        found = len(matched(new, near.terms)) + len(claim.numbers & near.numbers)
        return found >= MIN_FACTS and found >= MIN_SUPPORTED_SHARE * (len(new) + len(claim.numbers))

    def _items_of_one_list(self, text: str, notes: tuple[Note, ...]) -> bool:
        """Whether each item of a sentence listing several ("A; B; C") that names no title of its
        own is an item of a list the item before it reaches: the children of the parent of the
        line it draws on most, or of a title it names or that title's parent. "Transcribe does
        speech to text; Can upload own lexicon" takes its second item from Polly's list;
        "Snowball Edge holds 80TB; Snowcone fits in a backpack" names each."""
        reached: set[tuple[str, ...]] = set()
        for item in map(Facts.of, text.split(";")):
            if not (self._new(item) or item.numbers):
                continue
            path = self._closest(item, notes)[0].path
            named = [
                i
                for i, step in enumerate(path[:-1])
                if i
                and step in self.titles
                and self.titles[step][1]
                and self.titles[step][1] <= item.terms
            ]
            if reached and not named and path[:-1] not in reached:
                return False
            reached = {path[:-1], *(path[: i + 1] for i in named), *(path[:i] for i in named)}
        return True

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
        facts = union([self.note_facts[note] for note in notes])
        return len(matched(self._new(claim), facts.terms)) + len(claim.numbers & facts.numbers)

    def _new(self, facts: Facts) -> set[str]:
        """The words of a text that the question did not already say (framing words aside)."""
        return set(facts.terms - framing()) - matched(facts.terms, self.asked.terms)


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


def _subjects(question: str, title_words: Iterable[frozenset[str]]) -> frozenset[str]:
    """The words naming things a claim may say a number of: the question's names ("Snowcone",
    "Cost Explorer"; not its acronyms, which as often name what is asked of a thing: "RPO",
    "IOPS") and the words of the notes' short titles ("Short Polling")."""
    names = [name for name in NAME.findall(question.strip()) if not is_acronym(name)]
    return Facts.of(" ".join(names)).terms.union(*title_words)


def _all_on_paths(words: frozenset[str] | set[str], lines: Sequence[OutlineLine]) -> bool:
    """Whether each word starts a word of the lines' paths (their own text included): "Route 53"
    is on "Route53 › …", "Snowcone" is not on "Snow Family › …"."""
    steps = lexical_tokens([" ".join(step for ln in lines for step in ln.path[1:])])[0]
    return all(any(step.startswith(word) for step in steps) for word in words)
