"""The outline lines of the retrieved branches, scored against a question.

Owns the two decisions made before any model runs: whether the outline covers the question at
all (`Evidence.covered`, the refusal gate), and which lines an extractive answer quotes.
Does not: retrieve (retriever/), prompt a model (prompt.py) or check model sentences (verify.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from indexer.embed import Embedder
from indexer.markup import plain
from indexer.store import lexical_tokens
from retriever.search import Hit

INDENT = 2  # spaces per level in `Chunk.text`
CONTEXT_STEPS = 3  # a line is embedded as "grandparent > parent > line" (and with its whole path)
# The refusal gate: the outline covers a question when some line that adds a word to it, and is on
# the question's subject (see `on_subject`), scores at least this. Calibrated on the dev set's 41
# answerable vs 4 refusal questions with the real retriever and all-MiniLM-L6-v2
# (`python -m assistant.eval FILE --calibrate` prints both lists): answerable questions score
# 0.51–0.86 but for one long paraphrase (0.46); refusals score 0.42–0.47 (one of them only once
# lines about another service stop counting: 0.62 before). The threshold sits in the gap between
# the two groups rather than at the edge of either; a refusal it misses still gets only verified
# sentences and quoted lines, never an invented answer.
SUPPORT_THRESHOLD = 0.49
INHERITED = 0.95  # share of a named node's score its children get (see `Evidence.relevance`)
# Words that ask about a topic without naming what about it: "What is an IGW?", "What does Control
# Tower do?". A question made only of these and a retrieved node's title asks for that node's content.
TOPIC_QUESTION_WORDS = "what is are does do used use for work works tell me about explain describe overview mean"
# Words that ask rather than name: a title made only of these ("How to") names no subject.
ASKING_WORDS = TOPIC_QUESTION_WORDS + " how which when where why who many much can"
PARENTHESES = re.compile(r"\(([^)]*)\)")
# A question asking for an amount is covered only if a supporting line states one: on a covered
# topic the closest lines are often about something else ("How many layers can a Lambda function
# use?" scores 0.57 on "Concurrency limit" lines that give no layer count). With --extractive on
# 132 answerable and 52 near-topic unanswerable questions, 16 of the latter are refused, not 4, and
# one answerable more (its branch was not retrieved). Requiring the line to share a word with the
# question too refused 25, but also 5 of 15 paraphrased answerable ones. Matched in lower case (the
# first word aside): "Cost Explorer" is a name, and "limit" after to/can/I/we/you is the verb.
AMOUNT_QUESTION = re.compile(
    r"\bhow (many|much|long|large|big|far|often|fast|small)\b|\b(max|maximum|min|minimum|size|"
    r"costs?|prices?|priced|pricing|percent|percentage|largest|smallest|longest|shortest|highest|"
    r"lowest|(?<!to )(?<!can )(?<!I )(?<!we )(?<!you )limits?)\b")
# A number ("4 days", "10GB", "5-300"), not an ordinal ("3rd party") nor inside a name ("EC2"), or a
# word for a number or a period ("one", "unlimited", "daily").
AMOUNT = re.compile(
    r"\b\d+(?:[.,]\d+)*(?!\d|(?:st|nd|rd|th)\b)|\b(zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|hundreds?|thousands?|millions?|billions?|dozens?|single|double|"
    r"unlimited|once|twice|hourly|daily|weekly|fortnight(ly)?|monthly|yearly|annually)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One outline line of a retrieved branch, with the path that gives it meaning."""

    branch: int  # 1-based rank of its hit: the [n] the prompt shows it under
    number: int | None  # 1-based line in the source file; None when the chunker shortened the branch
    text: str  # plain text of the line
    path: tuple[str, ...]  # from the branch's root down to this line, the line included
    depth: int  # 0 for the branch's own node

    @property
    def contexts(self) -> tuple[str, ...]:
        """The texts embedded for the line: its last steps ("Sizing > Memory > 128mb to 10240 MB"),
        sharp on what the line says, and its whole path, which keeps the topic a deep line is under."""
        return (" > ".join(self.path[-CONTEXT_STEPS:]), " > ".join(self.path))


@dataclass(frozen=True)
class Evidence:
    hits: tuple[Hit, ...]
    lines: tuple[Line, ...]  # in branch order
    scores: tuple[float, ...]  # per line: the best cosine of the question and one of its contexts
    informative: tuple[bool, ...]  # the line has a word the question lacks
    names_topic: bool = False  # the question only names a retrieved branch's node ("What is X?")
    on_subject: tuple[bool, ...] | None = None  # per line, see `on_subject`; None: every line is
    amounts: tuple[bool, ...] | None = None  # per line, see `amounts`; None: asks for no amount

    @property
    def support(self) -> float:
        """The best relevance of an informative line on the question's subject: how well the
        outline answers the question."""
        return max((self.relevance(i) for i, new in enumerate(self.informative)
                    if new and (self.on_subject is None or self.on_subject[i])), default=0.0)

    @property
    def covered(self) -> bool:
        answered = self.names_topic and any(self.informative) or self.support >= SUPPORT_THRESHOLD
        return answered and self.states_amount

    @property
    def states_amount(self) -> bool:
        """Whether a line on the question's subject that states an amount scores at least the
        threshold; True when the question asks for no amount (see `AMOUNT_QUESTION`)."""
        if self.amounts is None:
            return True
        return any(amount and (self.on_subject is None or self.on_subject[i])
                   and self.relevance(i) >= SUPPORT_THRESHOLD for i, amount in enumerate(self.amounts))

    def relevance(self, i: int) -> float:
        """How well line i answers the question: its score. A line under a node
        the question names outright ("Memory" for "what memory …") also gets most of that node's
        score, because the question asks for what the node says."""
        score = self.scores[i]
        up = parent(self.lines, i)
        if up is not None and not self.informative[up]:
            score = max(score, INHERITED * self.scores[up])
        return score

    def ranked(self) -> list[int]:
        """Positions of informative lines, most relevant first, each outline line once."""
        order = sorted(range(len(self.lines)), key=lambda i: -self.relevance(i))
        seen, ranked = set(), []
        for i in order:
            key = self.key(i)
            if self.informative[i] and key not in seen:
                seen.add(key)
                ranked.append(i)
        return ranked

    def key(self, i: int) -> tuple:
        """The same outline line has the same key in every branch that holds it."""
        line = self.lines[i]
        return (self.hits[line.branch - 1].chunk.source, line.number if line.number else line.path)


def children(lines: Sequence[Line], i: int) -> list[int]:
    """Positions of the direct children of line i (they follow it in its branch, one level deeper)."""
    kids, parent = [], lines[i]
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if line.branch != parent.branch or line.depth <= parent.depth:
            break
        if line.depth == parent.depth + 1:
            kids.append(j)
    return kids


def parent(lines: Sequence[Line], i: int) -> int | None:
    """Position of line i's parent within its branch, or None for the branch's own node."""
    for j in range(i - 1, -1, -1):
        if lines[j].branch != lines[i].branch:
            return None
        if lines[j].depth < lines[i].depth:
            return j
    return None


def branch_lines(hits: Sequence[Hit]) -> list[Line]:
    """Every line of the hits' branches, in order. A line held by two branches (a child's title
    in its parent's chunk and in its own) appears once per branch, with that branch's children.

    The display tree's indentation gives each line its path: `("EC2", "Pricing", "Spot")`.
    """
    lines = []
    for rank, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        texts = chunk.text.split("\n")
        numbers = list(chunk.lines) if len(chunk.lines) == len(texts) else [None] * len(texts)
        stack: list[str] = []
        for number, raw in zip(numbers, texts):
            depth = (len(raw) - len(raw.lstrip(" "))) // INDENT
            text = plain(raw)
            stack = stack[:depth] + [text]
            if text:
                lines.append(Line(rank, number, text, (*chunk.path[:-1], *stack), depth))
    return lines


def gather(question: str, hits: Sequence[Hit], embedder: Embedder) -> Evidence:
    """Score every line of the hits against the question (one embedding call)."""
    lines = branch_lines(hits)
    if not lines:
        return Evidence(tuple(hits), (), (), ())
    contexts = list(dict.fromkeys(text for line in lines for text in line.contexts))  # each once
    vectors = embedder.embed([question, *contexts])
    score_of = dict(zip(contexts, (vectors[1:] @ vectors[0]).tolist()))
    scores = [max(score_of[text] for text in line.contexts) for line in lines]
    asked = set(lexical_tokens([question])[0])
    informative = tuple(bool(set(words) - asked) for words in lexical_tokens([line.text for line in lines]))
    return Evidence(tuple(hits), tuple(lines), tuple(scores), informative, names_topic(question, hits),
                    on_subject(question, lines), amounts(question, lines))


def amounts(question: str, lines: Sequence[Line]) -> tuple[bool, ...] | None:
    """Per line: whether it states an amount, if the question asks for one; else None.

    "How long are messages kept?", lines "Retention", "Default 4 days" → (False, True)
    "What is a queue?" → None
    """
    if not AMOUNT_QUESTION.search(question[:1].lower() + question[1:]):
        return None
    return tuple(bool(AMOUNT.search(line.text)) for line in lines)


def on_subject(question: str, lines: Sequence[Line]) -> tuple[bool, ...]:
    """Per line: whether it lies under a node the question names. All True unless the question names
    a top-level topic (a child of the outline's root) of these lines.

    A question that names a topic asks about that topic, and a line that merely mentions its words
    under another topic does not answer it: "How many queues per account?" is not answered by
    "Topics > Fan out to 100 queues", however close the embeddings are, but is by any line under
    "Queues". A question naming no top-level topic (a paraphrase) is left to the scores alone.
    """
    asked = set(lexical_tokens([question])[0])
    titles = list(dict.fromkeys(title for line in lines for title in line.path[1:-1]))
    named = {title for title, ways in zip(titles, naming_words(titles)) if any(w <= asked for w in ways)}
    if not any(line.path[1] in named for line in lines if len(line.path) > 2):
        return (True,) * len(lines)
    return tuple(any(title in named for title in line.path[1:-1]) for line in lines)


def naming_words(titles: Sequence[str]) -> list[list[set[str]]]:
    """Per title, the word sets a question can name it by: all its words, or those outside or
    inside its parentheses, without asking words; empty sets dropped.

    "Internet Gateway (IGW)" → [{internet, gateway, igw}, {internet, gateway}, {igw}]
    """
    ways = [[title, PARENTHESES.sub(" ", title), *PARENTHESES.findall(title)] for title in titles]
    if not ways:
        return []
    asking = set(lexical_tokens([ASKING_WORDS])[0])
    words = iter(lexical_tokens([text for texts in ways for text in texts]))  # one call for all
    named_by = []
    for texts in ways:
        sets = [set(next(words)) - asking for _ in texts]
        named_by.append([found for found in sets if found])
    return named_by


def names_topic(question: str, hits: Sequence[Hit]) -> bool:
    """True when the question's words, but for generic ones, are all in a retrieved node's title.

    A branch below the outline's root must be named ("IGW" names "Internet Gateway (IGW)").
    """
    generic = set(lexical_tokens([TOPIC_QUESTION_WORDS])[0])
    asked = set(lexical_tokens([question])[0]) - generic
    titles = lexical_tokens([hit.chunk.path[-1] for hit in hits if len(hit.chunk.path) > 1])
    return bool(asked) and any(asked <= set(title) for title in titles)
