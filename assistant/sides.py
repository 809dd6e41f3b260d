"""The sides of a comparison question ("X vs Y", "compare X, Y and Z"), each asked on its own,
and which outline line belongs to which side. Does not: choose or format quotes (quotes.py,
side_quotes.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.judge import Judge, Judgement, ScoredLine
from assistant.question import Question, asking_words, naming_words
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

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
# A side ends where its clause does: "Polly vs Transcribe: which …", "X vs Y - what is each
# built on?", "X and Y in terms of cost", "standard and FIFO topics in how many …".
CLAUSE_END = re.compile(
    r"[:;,?!]|\s[-–—]\s|\s(?=(?:in|on|for|by)\s+(?:how|what|which|terms\s+of)\b)",
    re.IGNORECASE,
)
# The word left dangling where a side was cut out: "between X and ?" → "between X ?".
JOINER = re.compile(
    r"\s(?:and|or|with|to|from|vs\.?|versus|compared\s+(?:with|to)|rather\s+than|instead\s+of)"
    r"(?=\s*(?:[,;:?!]|$))",
    re.IGNORECASE,
)


# A word standing in for the other side's noun, naming nothing itself: "resource-based ones".
STANDS_IN = re.compile(r"\bones\b", re.IGNORECASE)
# What stands between two sides and nothing else: "and", ", or", " vs. ", "compared with".
BETWEEN_SIDES = re.compile(
    r"[\s,]*(?:and|or|with|to|from|vs\.?|versus|compared\s+(?:with|to)|rather\s+than|"
    r"instead\s+of)?[\s,]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Side:
    """One side of a comparison question."""

    text: str  # as the question writes it: "SQS standard"
    words: frozenset[str]  # its stemmed words, asking words aside: {"sqs", "standard"}
    query: str  # the question about this side alone: the other side taken out
    context: tuple[str, ...] = ()  # titles the other side names that this side lies under too
    bare: bool = False  # the question asks nothing of the sides but what they are: "SNS vs SQS"
    unknown: tuple[str, ...] = ()  # names it writes that the outline never does: "Azure Functions"


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
    >>> [side.query for side in sides("Simple AD vs AD Connector - what is each built on?")]
    ['Simple AD - what is each built on?', 'AD Connector - what is each built on?']
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
    words = [
        frozenset(tokens) - asking_words()
        for tokens in lexical_tokens([STANDS_IN.sub("", text) for text in texts])
    ]
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
    bare = not set(lexical_tokens([asked])[0]) - asking_words()
    return tuple(
        Side(text, side_words, f"{text} {asked}".replace(" ?", "?"), bare=bare)
        for text, side_words in zip(texts, words)
    )


def _between_texts(between: str, inner: list[str]) -> list[str]:
    """What stands between the sides, once the inner sides are cut out of the span."""
    parts = [between]
    for text in inner:
        head, _, tail = parts.pop().partition(text)
        parts += [head, tail]
    return parts


def in_context(compared: Sequence[Side], judge: Judge, question: Question) -> tuple[Side, ...]:
    """The sides, each with the names it writes that the outline never does, and asked with the
    titles that the other side writes as its context: in
    "ElastiCache Redis versus Memcached", Memcached is ElastiCache's too, and in "standard and FIFO
    SNS topics", standard is SNS's. A title the question names is context for a side when its words
    are only part of the other side's (ElastiCache of "ElastiCache Redis"), this side names none of
    them, and lines under the title name this side and the rest of the other (Memcached and Redis
    are under ElastiCache; Global Accelerator is not under Route 53; "gp3" is not gp2's context in
    "gp2 vs gp3 volumes": no volume is under it)."""
    titles = sorted(question.named)
    ways = naming_words(titles, asking_words())
    compared = _sharing_the_noun(compared, [way for naming in ways for way in naming])
    placed = []
    for side in compared:
        others = [other for other in compared if other is not side]
        context = [
            title
            for title, naming in zip(titles, ways)
            if any(
                way < other.words
                and not way & side.words
                and _names_side(judge, title, other.words - way, every=False)
                for way in naming
                for other in others
            )
            and _names_side(judge, title, side.words)
        ]
        query = side.query.replace(side.text, " ".join([side.text, *context]), 1)
        unknown = judge.unwritten([name for name in question.names if name in side.text])
        placed.append(Side(side.text, side.words, query, tuple(context), side.bare, tuple(unknown)))
    return tuple(placed)


def _sharing_the_noun(compared: Sequence[Side], ways: list[set[str]]) -> Sequence[Side]:
    """One-word sides with the last side's noun when, with it, they name a title the question names:
    "Standard vs Convertible reserved instances" compares "Standard Reserved Instances", and
    "gateway vs interface endpoints" "Gateway Endpoint"; but "Lambda vs Google Cloud Functions"
    names no "Lambda Cloud Functions"."""
    if not compared:
        return compared
    _, *noun = compared[-1].text.split()
    if not noun:
        return compared
    shared = frozenset(lexical_tokens([" ".join(noun)])[0]) - asking_words()
    sharing = []
    for side in compared[:-1]:
        words = side.words | shared
        if " " not in side.text.strip() and any(
            way <= words and way & side.words and shared <= way for way in ways
        ):
            query = side.query.replace(side.text, f"{side.text} {' '.join(noun)}", 1)
            side = Side(side.text, words, query, side.context, side.bare, side.unknown)
        sharing.append(side)
    return [*sharing, compared[-1]]


def known_sides(
    judgement: Judgement, compared: Sequence[tuple[Side, Judgement]]
) -> tuple[Judgement, list[tuple[Side, Judgement]], list[str]]:
    """(what answers, the sides to quote, the sides the outline has no notes on) for a comparison
    some of whose sides write names the outline never does ("Lambda vs Azure Functions"): the
    sides it knows are answered, and the others are said to be absent. With one side left, that
    side's own judgement answers; when it knows none, or all, the question's does, with every
    side."""
    absent = [side.text for side, _ in compared if side.unknown]
    known = [(side, judged) for side, judged in compared if not side.unknown]
    if not absent or not known:
        return judgement, list(compared), []
    if len(known) == 1:
        return known[0][1], [], absent
    return judgement, known, absent


def _names_side(judge: Judge, title: str, words: frozenset[str], every: bool = True) -> bool:
    """Whether a line under the title names all of these words (`every`), its path's steps counting
    ("SNS standard" is named by "SNS › … › Topic › Types › Standard"), else any of them in its own
    text ("gp3" names no volume: "EBS" above it does not count)."""
    lines = [judge.index.lines[p] for p in judge.under(title)]
    texts = [" ".join(line.path[1:]) if every else line.text for line in lines]
    found = words.issubset if every else words.intersection
    return bool(texts) and any(found(set(tokens)) for tokens in lexical_tokens(texts))


def side_line(
    judge: Judge,
    ranked: Sequence[ScoredLine],
    compared: Side,
    apart: list[tuple[frozenset[str], frozenset[str]]],
) -> ScoredLine | None:
    """The best line whose nearest step naming any side (the line itself, else its parent, and so
    on up) names this one: against each other side (`apart`: the words of this side the other
    lacks, and of the other this side lacks), some of this side's and none of the other's.
    "Memcached" under "ElastiCache" is Memcached's, and a "Timeout" under Step Functions is not
    Lambda's; "EKS Anywhere" is neither ECS Anywhere's nor EKS on Outposts'. The side's own node,
    when it is at most `SIDE_NODE_STEPS` above that line (at any height when the question asks
    nothing of the sides but what they are: "Compare SNS and SQS") and has several children,
    stands for the side ("Gateway Endpoint" with its children, not one of them with its own); else
    the parent does when it names the side. A line under a step that the other side names, unless
    this side lies under it too (its context), is the other side's: "gp3 › 20% cheaper than gp2"
    is gp3's."""
    side = compared.words
    steps = [step for s in ranked for step in s.line.path[1:]]
    words = iter(set(tokens) for tokens in lexical_tokens(steps)) if steps else iter(())
    ways = iter(naming_words(steps, asking_words()))
    found = []  # (line, the ways its path's steps are named, its nearest naming step: index, words)
    for scored in ranked:
        path = [next(words) for _ in scored.line.path[1:]]
        named_by = [next(ways) for _ in scored.line.path[1:]]
        naming = [i for i, step in enumerate(path) if any(step & (m | t) for m, t in apart)]
        nearest = path[naming[-1]] if naming else set()
        if (
            naming
            and all(
                (nearest & mine and not nearest & theirs)
                or _named_apart(named_by[naming[-1]], side, mine, theirs)
                for mine, theirs in apart
            )
            and not any(
                step not in compared.context
                and any(way <= theirs for way in step_ways for _, theirs in apart)
                for step, step_ways in zip(scored.line.path[1 : 1 + naming[-1]], named_by)
            )
        ):
            found.append((scored, named_by, naming[-1], nearest))
    if not found:
        return None
    # the best line under a step naming all of the side ("ECS Anywhere"), else under one naming
    # part of it ("ECS")
    scored, named_by, nearest, _ = next((item for item in found if side <= item[3]), found[0])
    line = scored.line
    reach = len(named_by) if compared.bare else 1 + SIDE_NODE_STEPS
    for up, step in enumerate(reversed(named_by[-reach:])):
        node = _up(judge, line, up)
        # named by the side's words alone, some its own ("Gateway Endpoint", "… (ALB)"; not the
        # "Placement group" of "cluster placement group" and "spread placement group"), and a
        # summary of it
        if (
            any(way <= side and all(way & mine for mine, _ in apart) for way in step)
            and len(judge.children_of(node)) > 1
        ):
            return ScoredLine(node, scored.score)
    if nearest == len(named_by) - 2:
        return ScoredLine(_up(judge, line, 1), scored.score)
    return scored


def _named_apart(
    ways: list[set[str]], side: frozenset[str], mine: frozenset[str], theirs: frozenset[str]
) -> bool:
    """Whether one of the ways a step is named names it by this side's words alone, some its own
    and none of the other side's: "CMK" names "Customer Master Key (CMK)" though the other side,
    "data encryption key", writes "key" too."""
    return any(way <= side and way & mine and not way & theirs for way in ways)


def _up(judge: Judge, line: OutlineLine, steps: int) -> OutlineLine:
    for _ in range(steps):
        line = judge.parent_of(line) or line
    return line
