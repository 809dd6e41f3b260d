"""What the answer judge knows of a question and its candidate lines: a handful of signals,
most in [0, 1].

The question is read once (`Question.read`): its content words, the outline titles it names, what
of it remains once those are set aside (the asked detail), and whether it asks for an amount. Each
candidate line then gets the signals named in `SIGNALS`. No weights here: they are fitted
(assistant/fitting.py) and applied by the judge (judge.py).

>>> Question.read("How long can a Lambda function run?", []).asks_amount
True
>>> Question.read("Which routing policies can I set up?", []).asks_list
True
>>> Question.read("Which AWS service stores secrets?", []).asks_list
False
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine
from retriever.reading import read_question

if TYPE_CHECKING:  # only for annotations: the judge imports this module
    from assistant.judge import Judge
    from retriever.search import Retrieval

SIGNALS = (
    "cosine",
    "cosine_gap",
    "parent_cosine",
    "child_cosine",
    "covered",
    "detail_covered",
    "detail_in_line",
    "detail_near",
    "adds_words",
    "amount_stated",
    "amount_missing",
    "amount_near",
    "kind_stated",
    "bound_stated",
    "detail_cosine",
    "detail_gap",
    "under_topic",
    "leaf",
    "depth",
    "chunk_rank",
    "line_rank",
)
QUESTION_SIGNALS = (
    "best_line",
    "cosine",
    "below_floor",
    "covered",
    "detail_covered",
    "detail_near",
    "amount_near",
    "detail_cosine",
    "best_detail_cosine",
    "amount_detail_cosine",
    "kind_missing",
    "unknown_name",
    "unknown_detail",
    "asks_amount",
)
TOP = 5  # best lines whose signals describe the question
# A name in the question: CamelCase, an acronym, or a capitalised word that does not open
# a sentence.
NAME = re.compile(r"(?<![.?!:]\s)(?<!^)\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]+)\b")
# Words that ask rather than name: a question's "how", "what is"; they name no subject.
ASKING_WORDS = (
    "what is are does do how which when where why who whom whose many much can could should "
    "would will use used using for work works tell me about explain describe overview mean "
    "difference between compare versus vs i we my our you your "
    # English that names no subject and that the stop-word list keeps
    "before after out up off over get gets got have has had make need needs want wants "
    "like able possible way ways thing things also just"
)
WORD = re.compile(r"[A-Za-z0-9]+")
PARENTHESES = re.compile(r"\(([^)]*)\)")
PREFIX = 4  # "time" and "timeout", "data" and "databrew": a shared start this long is the same word
MAX_CHILDREN = 24  # children scored for `child_cosine`: enough for any list in a hand-kept outline
# A question asking for an amount: how many/much/long…, a limit, a size, a price.
AMOUNT_QUESTION = re.compile(
    r"\bhow (many|much|long|large|big|far|often|fast|small|soon|quickly)\b"
    r"|\b(max|maximum|min|minimum|size|"
    r"costs?|prices?|priced|pricing|percent|percentage|largest|smallest|longest|shortest|highest|"
    r"lowest|limits?|quota|duration|timeout|retention|retained|kept)\b",
    re.IGNORECASE,
)
# A number ("4 days", "10GB", "5-300"), not an ordinal ("3rd party") nor inside a name ("EC2"), or a
# word for a number or a period ("one", "unlimited", "daily").
AMOUNT = re.compile(
    r"(?<![A-Za-z])\d+(?:[.,]\d+)*(?!\d|(?:st|nd|rd|th)\b)|\b(zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|hundreds?|thousands?|millions?|billions?|dozens?|single|double|"
    r"unlimited|once|twice|hourly|daily|weekly|fortnight(ly)?|monthly|yearly|annually)\b",
    re.IGNORECASE,
)


# A question asking for several things of a kind: "which routing policies can I …", "what are the
# … options in …", "what flavours of …", "list the …": a plural noun (lower case, so not "AWS")
# within a few words of "which"/"what", followed by a verb or a preposition.
LIST_QUESTION = re.compile(
    r"\b(?:[Ww]hich|[Ww]hat)\s+(?:are\s+)?(?:the\s+)?(?:[A-Za-z0-9-]+\s+){0,3}?"
    r"(?!(?:does|was|has|this|its)\b)[a-z]+[^s\W]s\s+"
    r"(?:can|could|do|does|are|should|will|would|must|of|in|on|for|to|that|I|we|you|my|our|is)\b"
    r"|\b(?:[Ll]ist|[Nn]ame|[Ee]numerate)\s+(?:all|the|every)\b"
)


_TIME_UNIT = r"(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?)"
_SIZE_UNIT = r"(?:b|kb|mb|gb|tb|pb|bytes?|kib|mib|gib|tib)"
# Kinds of amount a question can ask for, and how a line states each (a number with its unit).
AMOUNT_KINDS = {
    "duration": (
        re.compile(
            r"\bhow (long|soon|quickly)\b|\b(longest|shortest|duration|timeout|time ?out|"
            r"retention|retain(ed)?|kept|expire|expiry|run for)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\d+(?:[.,]\d+)?\s*" + _TIME_UNIT + r"\b", re.IGNORECASE),
    ),
    "size": (
        re.compile(
            r"\bhow (big|large|small)\b|\b(largest|biggest|smallest|size|capacity|storage)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\d+(?:[.,]\d+)?\s*" + _SIZE_UNIT + r"\b", re.IGNORECASE),
    ),
    "price": (
        re.compile(
            r"\bhow much\b.*\b(cost|pay|charge)"
            r"|\b(costs?|price|prices|priced|pricing|charge[sd]?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"[$€£]\s*\d|\d\s*(?:cents?|usd|dollars?)\b|\bper (?:hour|month|gb|request)",
            re.IGNORECASE,
        ),
    ),
}


# Which end of a range a question asks for, and how a note states that end: "How long can a Lambda
# function run?" asks for the upper bound that "Timeout › Max 900s" states, not "Default 3s".
BOUNDS = {
    "upper": (
        re.compile(
            r"\b(max|maximum|longest|largest|biggest|highest|most|at most|up to|limit|"
            r"how (long|large|big|many|much))\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(max|maximum|up to|upto|limit|limits|at most|largest|longest)\b", re.I),
    ),
    "lower": (
        re.compile(r"\b(min|minimum|shortest|smallest|lowest|least|at least)\b", re.I),
        re.compile(r"\b(min|minimum|at least|smallest|shortest)\b", re.I),
    ),
    "default": (
        re.compile(r"\b(default|by default|out of the box)\b", re.I),
        re.compile(r"\b(default|defaults)\b", re.I),
    ),
}


def asked_bounds(text: str) -> frozenset[str]:
    """
    >>> sorted(asked_bounds("What is the default visibility timeout?"))
    ['default']
    """
    return frozenset(bound for bound, (asks, _) in BOUNDS.items() if asks.search(text))


def states_bound(texts: Sequence[str], bounds: frozenset[str]) -> bool:
    return any(BOUNDS[bound][1].search(text) for bound in bounds for text in texts)


def asked_kinds(text: str) -> frozenset[str]:
    """
    >>> sorted(asked_kinds("How long can a Lambda function run?"))
    ['duration']
    """
    return frozenset(kind for kind, (asks, _) in AMOUNT_KINDS.items() if asks.search(text))


def states_kind(text: str, kinds: frozenset[str]) -> bool:
    """Whether the text states an amount of one of these kinds: "Max 900s" states a duration."""
    return any(AMOUNT_KINDS[kind][1].search(text) for kind in kinds)


@dataclass(frozen=True)
class Question:
    text: str
    words: frozenset[str]  # stemmed content words, asking words removed
    names: tuple[str, ...]  # names written in it: "Rekognition", "MSK"
    named: frozenset[str]  # titles of candidate lines' paths the question names
    detail: frozenset[str]  # content words outside the named titles: what it asks of them
    asks_amount: bool
    kinds: frozenset[str] = frozenset()  # the kinds of amount it asks for (see `AMOUNT_KINDS`)
    bounds: frozenset[str] = frozenset()  # the ends of a range it asks for (see `BOUNDS`)
    detail_text: str = ""  # the words of its ask whose stems are in `detail`, in their order
    asks_list: bool = False  # asks for several things of a kind: "which routing policies …"

    @classmethod
    def read(cls, text: str, lines: Sequence[OutlineLine]) -> "Question":
        asking = asking_words()
        whole, ask = (
            frozenset(set(words) - asking) for words in lexical_tokens([text, ask_of(text)])
        )
        titles = list(dict.fromkeys(title for line in lines for title in line.path[1:]))
        named, naming = set(), set()
        for title, ways in zip(titles, naming_words(titles, asking)):
            hits = [way for way in ways if way <= whole]
            if hits:
                named.add(title)
                naming.update(*hits)
        names = tuple(match.group(0) for match in NAME.finditer(text.strip()))
        kinds = asked_kinds(ask_of(text))
        detail = ask - naming
        written = WORD.findall(ask_of(text))
        detail_text = " ".join(
            word for word, stems in zip(written, lexical_tokens(written)) if set(stems) & detail
        )
        return cls(
            text,
            ask,
            names,
            frozenset(named),
            detail,
            bool(AMOUNT_QUESTION.search(ask_of(text))) or bool(kinds),
            kinds,
            asked_bounds(ask_of(text)),
            detail_text,
            bool(LIST_QUESTION.search(ask_of(text))),
        )

    def share(self, asked: frozenset[str], found: set[str]) -> float:
        """Share of `asked` words among `found` (1 when nothing is asked)."""
        return len(matched(asked, found)) / len(asked) if asked else 1.0


def ask_of(text: str) -> str:
    """The sentence that asks, for a question told with its situation first; else the whole text.

    >>> ask_of("We run 40 accounts. Each needs a VPC. Which service shares subnets across them?")
    'Which service shares subnets across them?'
    """
    parts = read_question(text)
    return parts.ask if parts.is_scenario else text


@functools.cache
def asking_words() -> frozenset[str]:
    return frozenset(lexical_tokens([ASKING_WORDS])[0])


def naming_words(titles: Sequence[str], asking: set[str]) -> list[list[set[str]]]:
    """Per title, the word sets a question can name it by: all its words, or those outside or
    inside its parentheses, without asking words; empty sets dropped.

    "Internet Gateway (IGW)" → [{internet, gateway, igw}, {internet, gateway}, {igw}]
    """
    ways = [[title, PARENTHESES.sub(" ", title), *PARENTHESES.findall(title)] for title in titles]
    words = iter(lexical_tokens([text for texts in ways for text in texts]) if ways else [])
    return [
        [found for found in (set(next(words)) - asking for _ in texts) if found] for texts in ways
    ]


def matched(words, terms) -> set[str]:
    """The words found among the terms, as such or sharing a start of `PREFIX` letters or more.

    >>> sorted(matched({"time", "max", "queue"}, {"timeout", "max"}))
    ['max', 'time']
    """
    found = set(words) & set(terms)
    long_terms = [t for t in terms if len(t) >= PREFIX]
    for word in set(words) - found:
        if len(word) >= PREFIX and any(
            t.startswith(word) or word.startswith(t) for t in long_terms
        ):
            found.add(word)
    return found


def signal_matrix(
    question: Question, retrieval: Retrieval, positions: list[int], judge: Judge
) -> np.ndarray:
    """One row of `SIGNALS` per candidate line position."""
    if not positions:
        return np.zeros((0, len(SIGNALS)))
    index = judge.index
    kids = {p: judge.children.get(p, [])[:MAX_CHILDREN] for p in positions}
    near = list(
        dict.fromkeys(
            [
                *positions,
                *(judge.parent[p] for p in positions if p in judge.parent),
                *(k for p in positions for k in kids[p]),
            ]
        )
    )
    cosine = dict(zip(near, index.line_scores(retrieval.vector, near).tolist()))
    lines = [index.lines[p] for p in positions]
    n = len(lines)
    tokens = lexical_tokens(
        [line.context for line in lines]
        + [" ".join(line.path[2:]) for line in lines]
        + [index.lines[p].text for p in near]
    )  # one call: the tokenizer has overhead
    context_words, topic_words = tokens[:n], tokens[n : 2 * n]
    words_of = dict(zip(near, (set(words) for words in tokens[2 * n :])))
    best = max(cosine[p] for p in positions)
    detail_cosine = index.line_scores(judge.detail_vector(question, retrieval), positions)
    best_detail = float(detail_cosine.max())
    chunk_rank = {}
    for hit in reversed(retrieval.hits):
        chunk_rank.update({(hit.chunk.source, n): 1.0 / hit.rank for n in hit.chunk.lines})
    line_rank = {hit.position: 1.0 / rank for rank, hit in enumerate(retrieval.lines, start=1)}
    rows = []
    for p, line, context, below, detail in zip(
        positions, lines, context_words, topic_words, detail_cosine.tolist()
    ):
        children = [index.lines[k] for k in kids[p]]
        own = words_of[p]
        # The line with its parent and children: "Timeout" > "Max 900s" says what the 900s is of.
        nearby = own.union(
            *(words_of[k] for k in kids[p]), words_of.get(judge.parent.get(p), set())
        )
        states = bool(AMOUNT.search(line.text)) or any(
            AMOUNT.search(child.text) for child in children
        )
        kind = bool(question.kinds) and any(
            states_kind(ln.text, question.kinds) for ln in (line, *children)
        )
        below_topic = set(below) if len(line.path) > 2 else set(context)
        detail_near = question.share(question.detail, nearby)
        rows.append(
            [
                cosine[p],
                cosine[p] - best,
                cosine.get(judge.parent.get(p), 0.0),
                max((cosine[k] for k in kids[p]), default=0.0),
                question.share(question.words, set(context)),
                question.share(question.detail, below_topic),
                question.share(question.detail, own),
                detail_near,
                float(bool(own - question.words)),
                float(question.asks_amount and states),
                float(question.asks_amount and not states),
                float(question.asks_amount and states) * detail_near,
                float(kind),
                float(
                    states
                    and states_bound(
                        [line.text, index.lines[judge.parent[p]].text if p in judge.parent else ""],
                        question.bounds,
                    )
                ),
                detail,
                detail - best_detail,
                _under_topic(question, line),
                float(not children),
                min(len(line.path) - 1, 6) / 6,
                chunk_rank.get((line.source, line.line), 0.0),
                line_rank.get(p, 0.0),
            ]
        )
    return np.asarray(rows, dtype=np.float64)


def _under_topic(question: Question, line: OutlineLine) -> float:
    """1 when the line lies under (or is) a title the question names, -1 when the question names
    titles and this line is under none of them, 0 when it names none."""
    if not question.named:
        return 0.0
    return 1.0 if any(title in question.named for title in line.path[1:]) else -1.0


def question_signals(
    question: Question,
    scores: np.ndarray,
    matrix: np.ndarray,
    vocabulary: frozenset[str],
    floor: float,
) -> np.ndarray:
    """`QUESTION_SIGNALS` of a question whose candidate lines have these line scores and signals.
    `floor` is the nearest-line cosine below which answerable questions are rare (fitted): how far
    below it a question falls is its own signal, steeper than the cosine itself
    (off-topic questions).

    All but one say something of the outline's content: how well its best lines answer, whether
    they state the amount asked for near the asked detail, whether the question names something
    the outline never mentions ("Lightsail") or asks a detail none of its words reach. The one
    that does not, `asks_amount`, carries a prior of the question sets (a question asking for an
    amount is more often unanswerable); without it the cross-validated refusal recall at 10% false
    refusals fell from 0.67 to 0.53, and an outline whose notes state many amounts may see it
    refuse more than it should.
    """
    order = np.argsort(-scores, kind="stable")
    top = matrix[order[:TOP]] if len(order) else np.zeros((1, len(SIGNALS)))
    column = {name: top[:, i].max() for i, name in enumerate(SIGNALS)}
    logit = [_logit(scores[i]) for i in order[:2]] + [-10.0] * (2 - min(len(order), 2))
    name_words = lexical_tokens(list(question.names)) if question.names else []
    unknown_name = any(
        words and not all(matched({w}, vocabulary) for w in words) for words in name_words
    )
    unknown = [w for w in question.detail if not matched({w}, vocabulary)]
    return np.array(
        [
            logit[0] / 5,
            column["cosine"],
            10 * max(0.0, floor - column["cosine"]),
            column["covered"],
            column["detail_covered"],
            column["detail_near"],
            column["amount_near"],
            column["detail_cosine"],
            top[0, SIGNALS.index("detail_cosine")],
            max(
                (
                    row[SIGNALS.index("detail_cosine")]
                    for row in top
                    if row[SIGNALS.index("amount_stated")]
                ),
                default=0.0,
            ),
            float(bool(question.kinds) and not column["kind_stated"]),
            float(unknown_name),
            len(unknown) / max(len(question.detail), 1),
            float(question.asks_amount),
        ]
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))
