"""What an answer quotes: the judge's answering lines, each with its children or siblings, and for
a comparison the best line of each side (side_quotes.py).

A quote is the outline's own words with its path, so everything it states is in the chunk it
cites: "Lambda › Sizing › Timeout: Default 3s; Max 900s". Does not: judge lines (judge.py) or
number citations (citing.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.amounts import HOW_AMOUNT, stated_amounts
from assistant.judge import Judge, Judgement, ScoredLine
from assistant.question import Question, ask_of, matched
from assistant.side_quotes import with_sides
from assistant.sides import Side
from indexer.chunk import Chunk
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

KIND_WINDOW = 10  # best candidates searched for a line stating the kind of amount asked for
MAX_QUOTES = 3  # heads chosen by score (a comparison adds one per side)
RUNNER_UP = 0.5  # a further line is quoted when it scores at least this share of the best one
# A best line scored below this is less likely than not to answer: the next ones are quoted too.
UNSURE = 0.5
MAX_CHILDREN = 12  # children listed after a head: a list question wants them all
LIST_STEPS = 2  # how far above a quoted head its list may be: a parent or a grandparent
CONTEXT_STEPS = 3  # path steps shown before a quoted line


@dataclass(frozen=True)
class Quote:
    chunk: Chunk  # the chunk holding the head best (see `Judge.chunk_of`): what the quote cites
    head: OutlineLine
    lines: tuple[OutlineLine, ...]  # the head, then each child quoted with its own children

    @property
    def text(self) -> str:
        """ "Types › General Purpose SSDs › gp3: 20% cheaper than gp2; standard 3000 IOPS (pay up to
        16000 IOPS)": the children, each with its children in parentheses."""
        context = " › ".join(self.head.path[-CONTEXT_STEPS:])
        items: list[list[str]] = []
        for line in self.lines[1:]:
            if line.parent == self.head.line:
                items.append([line.text])
            else:
                items[-1].append(line.text)
        shown = [f"{kid} ({', '.join(below)})" if below else kid for kid, *below in items]
        return f"{context}: " + "; ".join(shown) if shown else context


def choose(
    judgement: Judgement, judge: Judge, compared: Sequence[tuple[Side, Judgement]] = ()
) -> list[ScoredLine]:
    """The lines to quote, best first: the best line and close runners-up (the next best lines
    whatever their score when the best is unsure, or the question a scenario: its best line is a
    gold line for half of the scenarios, one of its three best for four in five), and for a
    comparison the best line of each side (from that side's own judgement, `compared`) they do
    not already cover. A question asking nothing of the titles it names quotes the most specific
    of them first (`_named_node`).
    A question asking for a kind of amount ("how long …") is answered by lines that state one (a
    duration), when any of the best candidates under the question's subject does, and then, asked
    "how long/big/many …", by no named title: "Default 1000 per region" does not say how long
    anything runs, and "Aurora: Supports; Scaling; …" not how big an Aurora database can get."""
    ranked = judgement.lines
    if not ranked:
        return []
    question = judgement.question
    stating = [
        s for s in ranked[:KIND_WINDOW] if question.asks_stated and _states(judge, s.line, question)
    ]
    stating = _on_subject(question.named, stating, ranked[:KIND_WINDOW])
    ranked = stating or ranked
    # a line stating the very amount the question states comes first: "what does sqs do with a
    # message after 14 days" is asked of "Retention period: Maximum 14 days"
    stated = stated_amounts(ask_of(question.text))
    same = [
        s
        for s in ranked[:KIND_WINDOW]
        if stated
        and any(
            stated & stated_amounts(shown.text) for shown in (s.line, *judge.children_of(s.line))
        )
    ]
    ranked = [*same[:1], *(s for s in ranked if s not in same[:1])]
    best = ranked[0].score
    unsure = best < UNSURE or judgement.told_with_situation
    chosen = [s for s in ranked[:MAX_QUOTES] if unsure or s.score >= RUNNER_UP * best]
    asks_how = stating and re.search(HOW_AMOUNT, question.text, re.IGNORECASE)
    node = None if compared or asks_how else _named_node(judgement, judge)
    if node is not None:
        chosen = [node, *(s for s in chosen if s.line != node.line)]
    chosen = with_sides(judge, question, chosen, ranked, compared)
    return chosen


def _on_subject(
    named: frozenset[str], lines: list[ScoredLine], candidates: Sequence[ScoredLine]
) -> list[ScoredLine]:
    """The lines under the question's subject: among the candidates' paths, those naming the most
    titles the question names, then the highest of them. "Max visibility timeout for SQS" names
    "Timeout" too, but "Lambda › Sizing › Timeout › Max 900s" lies under Lambda, not SQS; "How long
    is an S3 presigned URL valid?" is asked of "S3 › Features › S3 Presigned Urls", not of "S3 ›
    Types › Infrequent Access › Min 30 days"."""

    best = max((_subject(s.line, named) for s in candidates), default=(0, 0))
    if best == (0, 0):
        return lines
    return [s for s in lines if _subject(s.line, named) == best]


def _subject(line: OutlineLine, named: frozenset[str]) -> tuple[int, int]:
    """How well the line's path names the question's subject: the number of named titles on it,
    then how high the first of them is."""
    steps = [i for i, step in enumerate(line.path) if step in named]
    return (len(steps), -steps[0]) if steps else (0, 0)


def _named_node(judgement: Judgement, judge: Judge) -> ScoredLine | None:
    """For a question that asks nothing of the titles it names ("What is Macie for?"), the most
    specific of them that has children, among the candidates whose paths name the most of its
    titles: what it is, before any detail of it ("Macie: Machine learning to discover …; Data
    source; Alerts", not "Macie › Data source"). "How does spot pricing work?" quotes "EC2 ›
    Pricing › Spot", not the deeper "S3 › Types › … › Pricing"; "What does Security Hub do?" quotes
    "Security Hub", not "Aurora › Security" (`Question.named_whole`). Of those, a title the
    outline writes once before one it writes under many topics ("Aurora Endpoints", not "EC2 ›
    Types", for "What are the Aurora endpoint types?"), then the highest ("Glue", not "Network
    Firewall › Components", for "What are the Glue components?"), then the one of more words
    ("Placement group", not "EC2 › Types", for "What placement group types are there?"). But the
    best line, when the question writes its text as a name, though it has no children:
    "Crowdstrike", not the "ECS › Integration" of "What does CrowdStrike integrate with?"."""
    question = judgement.question
    if question.detail or not question.named:
        return None
    named = question.named_whole
    best = judgement.lines[0] if judgement.lines else None
    if (
        best
        and best.line.text in named
        and best.line.text.lower() in map(str.lower, question.names)
    ):
        return best
    nodes = [s for s in judgement.lines if s.line.text in named and judge.children_of(s.line)]
    return max(
        nodes,
        key=lambda s: (
            _subject(s.line, question.named)[0],
            judge.title_count(s.line.text) == 1,
            _subject(s.line, named)[1],
            len(s.line.text.split()),
            len(s.line.path),
            s.score,
        ),
        default=None,
    )


def _states(judge: Judge, line: OutlineLine, question: Question) -> bool:
    """Whether the line or one of its children states the amount the question asks for."""
    return any(question.states_asked(shown.text) for shown in (line, *judge.children_of(line)))


def quotes(
    judgement: Judgement, judge: Judge, compared: Sequence[tuple[Side, Judgement]] = ()
) -> list[Quote]:
    """One quote per chosen line: the line with its children, or, for a leaf, its parent with the
    leaf and its siblings (lists and comparisons live in siblings). Shared heads are quoted once,
    and a quote all of whose lines another quote shows is left out."""
    heads: dict[OutlineLine, None] = {}
    for scored in choose(judgement, judge, compared):
        up = judge.parent_of(scored.line)
        heads.setdefault(scored.line if up is None or judge.children_of(scored.line) else up)
    if judgement.question.asks_list:
        heads = _as_list(judge, heads, judgement.question)
    found = [
        _quote(judge, head) for head in dict.fromkeys(_below_lone_child(judge, h) for h in heads)
    ]
    return [
        quote
        for quote in found
        if not any(other is not quote and set(quote.lines) < set(other.lines) for other in found)
    ]


def _as_list(
    judge: Judge, heads: dict[OutlineLine, None], question: Question
) -> dict[OutlineLine, None]:
    """For a question asking for several things, the lists that hold them, first:
    - a quoted head's parent when two heads share it;
    - the nearest of a head's parent and grandparent several of whose children name what the
      question names ("Routing" of "Geoproximity Routing": "Simple routing", "Failover routing",
      … for "which routing policies …"; "Endpoints" of "Gateway Endpoint › Multiple
      configurations" for "what are the types of VPC endpoints?"), unless the head is a title
      the question names or its parent is quoted: "EC2 › Pricing" is the list of "What are the EC2
      pricing options?", not "EC2", several of whose children write "EC2";
    - a quoted head's child heading that the question names beyond the head's own path
      ("Reports" under "Artifact" for "which compliance reports …").
    The heads that a list already shows as items are dropped."""
    asked = question.words
    parents = [judge.parent_of(head) for head in heads]
    lists = [
        parent
        for parent in dict.fromkeys(parents)
        if parent is not None and len(parent.path) > 1 and parents.count(parent) > 1
    ]
    climbing = [
        head
        for head, parent in zip(heads, parents)
        if head.text not in question.named and parent not in heads
    ]
    lists += [up for up in (_list_above(judge, head, question) for head in climbing) if up]
    for head in heads:
        own = set(lexical_tokens([" ".join(head.path[1:])])[0])
        lists += [
            kid
            for kid, words in _with_words(judge.children_of(head))
            if judge.children_of(kid) and matched(asked, words - own)
        ]
    lists = list(dict.fromkeys(lists))
    items = {kid for head in lists for kid in judge.children_of(head)[:MAX_CHILDREN]}
    kept = [head for head in heads if head not in items or judge.children_of(head)]
    return dict.fromkeys([*lists, *kept])


def _list_above(judge: Judge, head: OutlineLine, question: Question) -> OutlineLine | None:
    """The nearest of the head's parent and grandparent several of whose children name what the
    question names, or, for a head that names nothing the question asks of its titles, that the
    question names: "IAM Policies" of "Identity based" for "List the IAM policy types", not "IAM",
    whose children "IAM Policies" and "IAM Roles" both write "IAM"; but "Only supports languages"
    is the list of "Which languages can I use with DAX?". Never the outline's title, whose
    children are every topic."""
    up = judge.parent_of(head)
    asks_of_head = matched(question.detail, _with_words([head])[0][1])
    for _ in range(LIST_STEPS):
        if up is None or len(up.path) < 2:
            return None
        if up.text in question.named_whole and not asks_of_head:
            return up
        kids = _with_words(judge.children_of(up))
        if sum(bool(matched(question.words, words)) for _, words in kids) > 1:
            return up
        up = judge.parent_of(up)
    return None


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
    """The head with its children, and theirs while the quote stays within `MAX_CHILDREN` lines
    and the head's chunk (what it cites)."""
    chunk = judge.chunk_of(head)
    kids = judge.children_of(head)[:MAX_CHILDREN]
    room = MAX_CHILDREN - len(kids)
    shown = []
    for kid in kids:
        below = [g for g in judge.children_of(kid) if g.line in chunk.lines][:room]
        room -= len(below)
        shown += [kid, *below]
    return Quote(chunk, head, (head, *shown))
