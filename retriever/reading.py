"""A question read into its parts: the sentence that asks, the situation told before it, the
constraints on the answer ("least operational overhead"), the asked thing and the stated needs.

Architects ask in scenarios: sentences of situation, then the ask. One embedding of the whole reads
mostly the situation; the parts let the answer judge read the ask and the needs apart from it. A
one-sentence question is its own ask, with no situation. Does not: retrieve or judge (search.py,
assistant/judge.py); it only reads text.

>>> parts = read_question(
...     "We run 40 accounts. Each must log to one bucket. "
...     "Which service does it with the least effort?"
... )
>>> parts.ask, parts.constraints
('Which service does it with the least effort?', ('least effort',))
>>> parts.asked, parts.needs
('service', ('Each must log to one bucket.',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ? ! followed by a space and a capital or a digit ("… VPCs. Each account …").
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"'(])")
# Abbreviations that end in a period without ending the sentence: "e.g. Amazon S3".
ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|min|max|no)|\b[A-Z])\.$", re.IGNORECASE
)
# A sentence that asks without a question mark: "Recommend a design …", "Tell me which …".
ASKING_START = re.compile(
    r"^(?:what|which|how|why|when|where|who|whom|whose|should|can|could|would|is|are|do|"
    r"does|recommend|suggest|choose|select|tell me|explain|describe)\b",
    re.IGNORECASE,
)
# What exam-style questions ask the answer to minimise or maximise, and changes they rule out.
CONSTRAINT = re.compile(
    r"\b(?:least|most|lowest|highest|minimal|minimum|fewest|maximum|smallest|greatest)[\s-]+(?:amount\s+of\s+)?"
    r"(?:operational\s+|administrative\s+|management\s+|development\s+|implementation\s+|infrastructure\s+|"
    r"maintenance\s+)?(?:overhead|effort|cost[- ]effective(?:ly)?|costs?|changes?|downtime|latency|"
    r"complexity|maintenance|expensive|secure(?:ly)?|scalable|available|resilient|durable|"
    r"fault[- ]tolerant|"
    r"operationally\s+efficient|efficient)\b"
    r"|\bcost[- ]effective(?:ly)?\b"
    r"|\bwithout\s+(?:changing|modifying|rewriting|refactoring)\s+(?:\w+\s+){0,3}?code\b"
    r"|\b(?:minimi[sz]es?|minimi[sz]ing|reduces?|reducing)\s+(?:the\s+)?(?:operational\s+|administrative\s+|"
    r"management\s+|infrastructure\s+)?(?:overhead|effort|costs?|changes|downtime|latency|complexity)\b",
    re.IGNORECASE,
)
# A constraint with the words that lead into it: "with the least effort",
# "is the most cost-effective".
LED_CONSTRAINT = re.compile(
    r"(?:\b(?:with|in|at|for|by)\s+)?(?:\b(?:the|a|an)\s+)?(?:" + CONSTRAINT.pattern + ")",
    re.IGNORECASE,
)
# What the asker rules out: "… rather than one that requires the root user." An answer must not
# match it, so the judge does not read it.
RULED_OUT = re.compile(r"\s*\b(?:rather than|instead of)\b[^.?!;,]*", re.IGNORECASE)
# "Which EC2 pricing option is …", "What type of storage should …": the asked thing is between.
ASKED = re.compile(
    r"^(?:which|what)\s+(?:(?:type|kind|sort|combination|set)s?\s+of\s+)?(?P<thing>.+?)\s+"
    r"(?:is|are|was|should|will|would|can|could|do|does|did|meets?|provides?|gives?|allows?|"
    r"lets?|helps?|satisfies|fulfils|fulfills|offers?|supports?|best|to)\b",
    re.IGNORECASE,
)
# A situation sentence that states what the answer must do: "Each account must log to one bucket."
NEED = re.compile(
    r"\b(?:needs?|must|requires?|required|wants?|has to|have to|should|expects?|"
    r"mandates?|requirements?)\b",
    re.IGNORECASE,
)
# Asked things that name nothing to look up: "Which solution …", "What should we do?".
VAGUE_THINGS = frozenset(
    "solution solutions option options approach approaches strategy strategies way ways "
    "steps step action actions design architecture change changes we you i it this that "
    "the best should".split()
)


@dataclass(frozen=True)
class QuestionParts:
    text: str
    sentences: tuple[str, ...]
    ask: str  # the sentence that asks; the whole text for a one-sentence question
    situation: tuple[str, ...]  # the other sentences, in order
    constraints: tuple[str, ...]  # "least operational overhead", as written, lower-cased
    asked: str  # the asked thing ("EC2 pricing option"), "" when the ask names none
    needs: tuple[str, ...]  # situation sentences that state a requirement
    sub_questions: tuple[str, ...]  # further asking sentences besides the ask

    @property
    def is_scenario(self) -> bool:
        """More than one sentence: a situation told before (or around) the ask."""
        return len(self.sentences) > 1

    @property
    def focus(self) -> str:
        """The ask and the stated needs, constraints and what they rule out taken out: what an
        answer must fit.

        >>> question = "We host videos. Users must stream them fast. What is most cost-effective?"
        >>> read_question(question).focus
        'Users must stream them fast. What is?'
        >>> read_question("We sign URLs. We want keys rather than the root user. How?").focus
        'We want keys. How?'
        """
        needs = " ".join([*self.needs, *self.sub_questions, self.ask])
        return without_constraints(RULED_OUT.sub("", needs))


def split_sentences(text: str) -> list[str]:
    """
    >>> split_sentences("We use S3, e.g. for logs. Which class is cheapest?")
    ['We use S3, e.g. for logs.', 'Which class is cheapest?']
    """
    sentences: list[str] = []
    for piece in SENTENCE_END.split(text.strip()):
        if sentences and ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        elif piece.strip():
            sentences.append(piece.strip())
    return sentences


def ask_position(sentences: list[str]) -> int:
    """The last sentence ending in a question mark; else the last that opens as a question or a
    request; else the last sentence."""
    for test in (lambda s: s.rstrip().endswith("?"), lambda s: bool(ASKING_START.match(s))):
        found = [i for i, sentence in enumerate(sentences) if test(sentence)]
        if found:
            return found[-1]
    return len(sentences) - 1


def without_constraints(text: str) -> str:
    """
    >>> without_constraints("Which service meets this with the LEAST operational overhead?")
    'Which service meets this?'
    """
    return re.sub(
        r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", LED_CONSTRAINT.sub(" ", text))
    ).strip()


def asked_thing(ask: str) -> str:
    """
    >>> asked_thing("Which EC2 pricing option is the most cost-effective?")
    'EC2 pricing option'
    >>> asked_thing("What should we do?")
    ''
    """
    match = ASKED.match(ask.strip())
    thing = match.group("thing").strip() if match else ""
    return "" if not thing or set(thing.lower().split()) <= VAGUE_THINGS else thing


def read_question(text: str) -> QuestionParts:
    sentences = split_sentences(text) or [text.strip()]
    at = ask_position(sentences) if len(sentences) > 1 else 0
    ask = sentences[at] if len(sentences) > 1 else text.strip()
    situation = tuple(s for i, s in enumerate(sentences) if i != at)
    constraints = tuple(
        dict.fromkeys(" ".join(m.group(0).lower().split()) for m in CONSTRAINT.finditer(text))
    )
    questions = tuple(s for s in situation if s.rstrip().endswith("?"))
    needs = tuple(s for s in situation if NEED.search(s) and s not in questions)
    return QuestionParts(
        text, tuple(sentences), ask, situation, constraints, asked_thing(ask), needs, questions
    )
