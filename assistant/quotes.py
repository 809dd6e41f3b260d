"""What an answer quotes: the judge's answering lines, each with its children or siblings, and for
a comparison the best line of each side.

A quote is the outline's own words with its path, so everything it states is in the chunk it
cites: "Lambda › Sizing › Timeout: Default 3s; Max 900s". Does not: judge lines (judge.py) or
number citations (citing.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.judge import Judge, Judgement, ScoredLine
from assistant.question import asking_words, matched, naming_words, states_kind
from indexer.chunk import Chunk
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

KIND_WINDOW = 10  # best candidates searched for a line stating the kind of amount asked for
MAX_QUOTES = 3  # heads chosen by score (a comparison adds one per side)
RUNNER_UP = 0.5  # a further line is quoted when it scores at least this share of the best one
MAX_CHILDREN = 12  # children listed after a head: a list question wants them all
CONTEXT_STEPS = 3  # path steps shown before a quoted line
SIDE_NODE_STEPS = 2  # how far above its best line a comparison side's own node is quoted instead
# "X vs Y", "X versus Y", "difference between X and Y", "compare X and/with Y", "X compared with Y",
# "how does X differ from Y", "how do X and Y compare/differ", "trade-off between X and Y",
# "what separates X and/from Y", "X rather than / instead of Y", "X or Y".
SIDES = re.compile(
    r"(?:difference|differences|differ|trade-?offs?|choose|choice|separates?|distinguish(?:es)?)\s+"
    r"(?:between\s+)?(.+?)\s+(?:and|from)\s+(.+)|compare\s+(.+?)\s+"
    r"(?:and|with|to)\s+(.+)|(.+?),?\s+(?:vs\.?|versus|compared\s+(?:with|to)|rather\s+than|"
    r"instead\s+of)\s+(.+)|"
    r"(.+?)\s+(?:differs?|different)\s+from\s+(.+)|(.+?)\s+compares?\s+(?:with|to)\s+(.+)|"
    r"(.+?)\s+or\s+(.+)|"
    r"(.+?)\s+and\s+(.+?)\s+(?:compare|differ)",
    re.IGNORECASE,
)
LISTING_GROUPS = {0, 2}  # "difference between …", "compare …": the first side follows the keyword
CLAUSE_END = re.compile(
    r"[:;,?!]"
)  # a side ends where its clause does: "Polly vs Transcribe: which …"
# The word left dangling where a side was cut out: "between X and ?" → "between X ?".
JOINER = re.compile(
    r"\s(?:and|or|with|to|from|vs\.?|versus|compared\s+(?:with|to)|rather\s+than|instead\s+of)"
    r"(?=\s*(?:[,;:?!]|$))",
    re.IGNORECASE,
)


# What stands between two sides and nothing else: "and", ", or", " vs. ", "compared with".
BETWEEN_SIDES = re.compile(
    r"[\s,]*(?:and|or|with|to|from|vs\.?|versus|compared\s+(?:with|to)|rather\s+than|"
    r"instead\s+of)?[\s,]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quote:
    chunk: Chunk  # the chunk holding the head best (see `Judge.chunk_of`): what the quote cites
    head: OutlineLine
    lines: tuple[OutlineLine, ...]  # the head, then the children quoted after it

    @property
    def text(self) -> str:
        context = " › ".join(self.head.path[-CONTEXT_STEPS:])
        kids = self.lines[1:]
        return f"{context}: " + "; ".join(k.text for k in kids) if kids else context


@dataclass(frozen=True)
class Side:
    """One side of a comparison question."""

    text: str  # as the question writes it: "SQS standard"
    words: frozenset[str]  # its stemmed words, asking words aside: {"sqs", "standard"}
    query: str  # the question about this side alone: the other side taken out


def sides(question: str) -> tuple[Side, ...]:
    """The sides of a comparison, two or more; () when the question compares nothing.

    >>> question = "What is the difference between SQS standard and FIFO queues?"
    >>> [sorted(side.words) for side in sides(question)]
    [['sqs', 'standard'], ['fifo', 'queue']]
    >>> sides("What is the difference between SQS standard and FIFO queues?")[1].query
    'FIFO queues What is the difference between?'
    >>> [side.query for side in sides("How do standard and FIFO SNS topics differ on order?")]
    ['How do standard differ on order?', 'FIFO SNS topics differ on order?']
    >>> [side.text for side in sides("What separates Aurora, RDS and DynamoDB on cost?")]
    ['Aurora', 'RDS', 'DynamoDB on cost']
    """
    match = SIDES.search(question)
    if not match:
        return ()
    groups = [i for i, part in enumerate(match.groups()) if part][:2]
    first, second = (match.group(i + 1) for i in groups)
    second = CLAUSE_END.split(second)[0].strip()
    if groups[0] in LISTING_GROUPS:  # "separates X, Y and Z": the commas list sides
        texts = [part.strip() for part in first.split(",") if part.strip()] + [second]
    else:  # "For an ASG, how does X differ …": the commas end clauses before the side
        texts = [CLAUSE_END.split(first.rstrip(" ,;:"))[-1].strip(), second]
    words = [frozenset(tokens) - asking_words() for tokens in lexical_tokens(texts)]
    if not all(words):
        return ()
    # Each side's question: its own words and what the question asks of all ("on cost"); the
    # joiner between the sides goes with them ("standard and FIFO SNS topics differ on …").
    start = question.find(texts[0])
    end = question.find(texts[-1], start + len(texts[0]))
    between = question[start + len(texts[0]) : end]
    if (
        start >= 0
        and end >= 0
        and all(BETWEEN_SIDES.fullmatch(part) for part in _between_texts(between, texts[1:-1]))
    ):
        rest = question[:start] + " " + question[end + len(texts[-1]) :]
    else:
        rest = question
        for text in texts:
            rest = rest.replace(text, " ", 1)
    asked = " ".join(JOINER.sub(" ", rest).split())
    return tuple(
        Side(text, side_words, f"{text} {asked}".replace(" ?", "?"))
        for text, side_words in zip(texts, words)
    )


def _between_texts(between: str, inner: list[str]) -> list[str]:
    """What stands between the sides, once the inner sides are cut out of the span."""
    parts = [between]
    for text in inner:
        head, _, tail = parts.pop().partition(text)
        parts += [head, tail]
    return parts


def in_context(compared: Sequence[Side], judge: Judge, named: frozenset[str]) -> tuple[Side, ...]:
    """The sides, each asked with the titles that the other side writes as its context: in
    "ElastiCache Redis versus Memcached", Memcached is ElastiCache's too, and in "standard and FIFO
    SNS topics", standard is SNS's. A title the question names is context for a side when its words
    are only part of the other side's (ElastiCache of "ElastiCache Redis"), this side names none of
    them, and some line under the title names this side (Memcached is under ElastiCache; Global
    Accelerator is not under Route 53)."""
    titles = sorted(named)
    ways = naming_words(titles, asking_words())
    placed = []
    for side in compared:
        others = [other for other in compared if other is not side]
        context = [
            title
            for title, naming in zip(titles, ways)
            if any(way < other.words and not way & side.words for way in naming for other in others)
            and _names_side(judge, title, side.words)
        ]
        query = side.query.replace(side.text, " ".join([side.text, *context]), 1)
        placed.append(Side(side.text, side.words, query))
    return tuple(placed)


def _names_side(judge: Judge, title: str, words: frozenset[str]) -> bool:
    """Whether a line under the title names all of these words."""
    texts = [judge.index.lines[p].text for p in judge.under(title)]
    return bool(texts) and any(words <= set(tokens) for tokens in lexical_tokens(texts))


def choose(
    judgement: Judgement, judge: Judge, compared: Sequence[tuple[Side, Judgement]] = ()
) -> list[ScoredLine]:
    """The lines to quote, best first: the best line and close runners-up, and for a comparison the
    best line of each side (from that side's own judgement, `compared`) they do not already cover.
    A question asking for a kind of amount ("how long …") is answered by lines that state one (a
    duration), when any of the best candidates does: "Default 1000 per region" does not say how
    long anything runs."""
    ranked = judgement.lines
    if not ranked:
        return []
    kinds = judgement.question.kinds
    stating = [s for s in ranked[:KIND_WINDOW] if kinds and _states(judge, s.line, kinds)]
    ranked = stating or ranked
    best = ranked[0].score
    chosen = [s for s in ranked[:MAX_QUOTES] if s.score >= RUNNER_UP * best]
    for side, side_judgement in compared:
        found = _on_side(
            judge,
            side_judgement.lines or ranked,
            side.words,
            [
                (side.words - other.words, other.words - side.words)
                for other, _ in compared
                if other is not side
            ],
        )
        if found and found.line not in {c.line for c in chosen}:
            chosen.append(found)
    return chosen


def _on_side(
    judge: Judge,
    ranked: Sequence[ScoredLine],
    side: frozenset[str],
    apart: list[tuple[frozenset[str], frozenset[str]]],
) -> ScoredLine | None:
    """The best line whose nearest step naming any side (the line itself, else its parent, and so
    on up) names this one: against each other side (`apart`: the words of this side the other
    lacks, and of the other this side lacks), some of this side's and none of the other's.
    "Memcached" under "ElastiCache" is Memcached's, and a "Timeout" under Step Functions is not
    Lambda's; "EKS Anywhere" is neither ECS Anywhere's nor EKS on Outposts'. The side's own node,
    when it is at most `SIDE_NODE_STEPS` above that line and has several children, stands for the
    side ("Gateway Endpoint" with its children, not one of them with its own); else the parent
    does when it names the side."""
    steps = [step for s in ranked for step in s.line.path[1:]]
    words = iter(set(tokens) for tokens in lexical_tokens(steps)) if steps else iter(())
    ways = iter(naming_words(steps, asking_words()))
    found = []  # (line, its path's step words, their naming ways, the nearest naming step)
    for scored in ranked:
        path = [next(words) for _ in scored.line.path[1:]]
        named_by = [next(ways) for _ in scored.line.path[1:]]
        naming = [i for i, step in enumerate(path) if any(step & (m | t) for m, t in apart)]
        if naming and all(
            path[naming[-1]] & mine and not path[naming[-1]] & theirs for mine, theirs in apart
        ):
            found.append((scored, path, named_by, naming[-1]))
    if not found:
        return None
    # the best line under a step naming all of the side ("ECS Anywhere"), else under one naming
    # part of it ("ECS")
    scored, path, named_by, nearest = next(
        (item for item in found if side <= item[1][item[3]]), found[0]
    )
    line = scored.line
    for up, step in enumerate(reversed(named_by[-1 - SIDE_NODE_STEPS :])):
        node = _up(judge, line, up)
        # named by the side's words alone, some its own ("Gateway Endpoint", "… (ALB)"; not the
        # "Placement group" of "cluster placement group" and "spread placement group"), and a
        # summary of it
        if (
            any(way <= side and all(way & mine for mine, _ in apart) for way in step)
            and len(judge.children_of(node)) > 1
        ):
            return ScoredLine(node, scored.score)
    if nearest == len(path) - 2:
        return ScoredLine(_up(judge, line, 1), scored.score)
    return scored


def _up(judge: Judge, line: OutlineLine, steps: int) -> OutlineLine:
    for _ in range(steps):
        line = judge.parent_of(line) or line
    return line


def _states(judge: Judge, line: OutlineLine, kinds: frozenset[str]) -> bool:
    """Whether the line or one of its children states an amount of these kinds."""
    return any(states_kind(shown.text, kinds) for shown in (line, *judge.children_of(line)))


def quotes(
    judgement: Judgement, judge: Judge, compared: Sequence[tuple[Side, Judgement]] = ()
) -> list[Quote]:
    """One quote per chosen line: the line with its children, or, for a leaf, its parent with the
    leaf and its siblings (lists and comparisons live in siblings). Shared heads are quoted once."""
    heads: dict[OutlineLine, None] = {}
    for scored in choose(judgement, judge, compared):
        up = judge.parent_of(scored.line)
        heads.setdefault(scored.line if up is None or judge.children_of(scored.line) else up)
    if judgement.question.asks_list:
        heads = _as_list(judge, heads, judgement.question.words)
    return [
        _quote(judge, head) for head in dict.fromkeys(_below_lone_child(judge, h) for h in heads)
    ]


def _as_list(
    judge: Judge, heads: dict[OutlineLine, None], asked: frozenset[str]
) -> dict[OutlineLine, None]:
    """For a question asking for several things, the lists that hold them, first:
    - a quoted head's parent when two heads share it, or when several of its children name what
      the question names ("Routing" of "Geoproximity Routing": "Simple routing", "Failover
      routing", … for "which routing policies …");
    - a quoted head's child heading that the question names beyond the head's own path
      ("Reports" under "Artifact" for "which compliance reports …").
    The heads that a list already shows as items are dropped."""
    parents = [judge.parent_of(head) for head in heads]
    lists = [
        parent
        for parent in dict.fromkeys(parents)
        if parent is not None
        and len(parent.path) > 1  # not the outline's title: its children are every topic
        and (
            parents.count(parent) > 1
            or sum(
                bool(matched(asked, words)) for _, words in _with_words(judge.children_of(parent))
            )
            > 1
        )
    ]
    for head in heads:
        own = set(lexical_tokens([" ".join(head.path[1:])])[0])
        lists += [
            kid
            for kid, words in _with_words(judge.children_of(head))
            if judge.children_of(kid) and matched(asked, words - own)
        ]
    items = {kid for head in lists for kid in judge.children_of(head)[:MAX_CHILDREN]}
    kept = [head for head in heads if head not in items or judge.children_of(head)]
    return dict.fromkeys([*lists, *kept])


def _with_words(lines: list[OutlineLine]) -> list[tuple[OutlineLine, set[str]]]:
    texts = [line.text for line in lines]
    return list(zip(lines, (set(t) for t in lexical_tokens(texts)))) if lines else []


def _below_lone_child(judge: Judge, head: OutlineLine) -> OutlineLine:
    """The head, or, while its only child has children of its own, that child: "Global Accelerator ›
    Features › AWS provides set of static IPs: …", not "Global Accelerator: Features"."""
    kids = judge.children_of(head)
    while len(kids) == 1 and judge.children_of(kids[0]):
        head, kids = kids[0], judge.children_of(kids[0])
    return head


def _quote(judge: Judge, head: OutlineLine) -> Quote:
    kids = judge.children_of(head)[:MAX_CHILDREN]
    return Quote(judge.chunk_of(head), head, (head, *kids))
