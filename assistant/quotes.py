"""What an answer quotes: the judge's answering lines, each with its children or siblings, and for
a comparison the best line of each side.

A quote is the outline's own words with its path, so everything it states is in the branch it
cites: "Lambda › Sizing › Timeout: Default 3s; Max 900s". Does not: judge lines (judge.py) or
number citations (pipeline.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.judge import Judge, Judgement, ScoredLine
from assistant.signals import asking_words, states_kind
from indexer.chunk import Chunk
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

KIND_WINDOW = 10  # best candidates searched for a line stating the kind of amount asked for
MAX_QUOTES = 3  # heads chosen by score (a comparison adds one per side)
RUNNER_UP = 0.5  # a further line is quoted when it scores at least this share of the best one
MAX_CHILDREN = 12  # children listed after a head: a list question wants them all
CONTEXT_STEPS = 3  # path steps shown before a quoted line
# "X vs Y", "X versus Y", "difference between X and Y", "compare X and/with Y", "X compared with Y",
# "how does X differ from Y", "how do X and Y compare/differ", "X or Y".
SIDES = re.compile(r"(?:difference|differences|differ)\s+between\s+(.+?)\s+and\s+(.+)|compare\s+(.+?)\s+"
                   r"(?:and|with|to)\s+(.+)|(.+?)\s+(?:vs\.?|versus|compared\s+(?:with|to))\s+(.+)|"
                   r"(.+?)\s+(?:differs?|different)\s+from\s+(.+)|"
                   r"(.+?)\s+and\s+(.+?)\s+(?:compare|differ)|(.+?)\s+or\s+(.+)", re.IGNORECASE)
CLAUSE_END = re.compile(r"[:;,?!]")  # a side ends where its clause does: "Polly vs Transcribe: which …"


@dataclass(frozen=True)
class Quote:
    chunk: Chunk  # the smallest branch holding the quoted lines: what the quote cites
    head: OutlineLine
    lines: tuple[OutlineLine, ...]  # the head, then the children quoted after it

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted({line.line for line in self.lines}))

    @property
    def text(self) -> str:
        context = " › ".join(self.head.path[-CONTEXT_STEPS:])
        kids = self.lines[1:]
        return f"{context}: " + "; ".join(k.text for k in kids) if kids else context


def sides(question: str) -> list[set[str]]:
    """The stemmed words of each side of a comparison; [] when the question compares nothing.

    >>> sides("What is the difference between SQS standard and FIFO queues?")
    [{'sqs', 'standard'}, {'fifo', 'queue'}]
    """
    match = SIDES.search(question)
    if not match:
        return []
    first, second = [part for part in match.groups() if part][:2]
    first = CLAUSE_END.split(first)[-1]  # "For an Auto Scaling group, how does X" → " how does X"
    second = CLAUSE_END.split(second)[0]
    words = [set(tokens) - asking_words() for tokens in lexical_tokens([first, second])]
    return words if all(words) else []


def choose(judgement: Judgement, judge: Judge) -> list[ScoredLine]:
    """The lines to quote, best first: the best line and close runners-up, and for a comparison the
    best line of each side they do not already cover. A question asking for a
    kind of amount ("how long …") is answered by lines that state one (a duration), when any of
    the best candidates does: "Default 1000 per region" does not say how long anything runs."""
    ranked = judgement.lines
    if not ranked:
        return []
    kinds = judgement.question.kinds
    stating = [s for s in ranked[:KIND_WINDOW] if kinds and _states(judge, s.position, kinds)]
    ranked = stating or ranked
    best = ranked[0].score
    chosen = [s for s in ranked[:MAX_QUOTES] if s.score >= RUNNER_UP * best]
    pair = sides(judgement.question.text)
    if not pair:
        return chosen
    texts = [s.line.text for s in ranked] + [" ".join(s.line.path[1:]) for s in ranked]
    tokens = [set(words) for words in lexical_tokens(texts)]
    own, path = tokens[:len(ranked)], tokens[len(ranked):]
    for side, other in (pair, pair[::-1]):
        # On a side: the line itself names what only that side names ("Standard", not "Queue Types"),
        # and its path leans to that side (a "Timeout" under Step Functions is not Lambda's).
        mine, theirs = side - other, other - side
        found = [s for s, words, steps in zip(ranked, own, path)
                 if words & mine and len(steps & mine) > len(steps & theirs)]
        if found and found[0] not in chosen:
            chosen.append(found[0])
    return chosen


def _states(judge: Judge, position: int, kinds: frozenset[str]) -> bool:
    """Whether the line or one of its children states an amount of these kinds."""
    lines = [judge.index.lines[p] for p in (position, *judge.children.get(position, []))]
    return any(states_kind(line.text, kinds) for line in lines)


def quotes(judgement: Judgement, judge: Judge) -> list[Quote]:
    """One quote per chosen line: the line with its children, or, for a leaf, its parent with the
    leaf and its siblings (lists and comparisons live in siblings). Shared heads are quoted once."""
    heads: dict[int, None] = {}
    for scored in choose(judgement, judge):
        kids = judge.children.get(scored.position)
        up = judge.parent.get(scored.position)
        heads.setdefault(scored.position if kids or up is None else up)
    return [_quote(judge, head) for head in heads]


def _quote(judge: Judge, head: int) -> Quote:
    line = judge.index.lines[head]
    kids = [judge.index.lines[k] for k in judge.children.get(head, [])[:MAX_CHILDREN]]
    return Quote(judge.index.chunks[line.chunk], line, (line, *kids))
