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
from indexer.chunk import Chunk
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

MAX_QUOTES = 3  # heads chosen by score (a comparison adds one per side)
RUNNER_UP = 0.5  # a further line is quoted when it scores at least this share of the best one
MAX_CHILDREN = 12  # children listed after a head: a list question wants them all
CONTEXT_STEPS = 3  # path steps shown before a quoted line
# "X vs Y", "X versus Y", "difference between X and Y", "compare X and/with Y", "how do X and Y
# compare/differ", "X or Y".
SIDES = re.compile(r"(?:difference|differences|differ)\s+between\s+(.+?)\s+and\s+(.+)|compare\s+(.+?)\s+"
                   r"(?:and|with|to)\s+(.+)|(.+?)\s+(?:vs\.?|versus)\s+(.+)|"
                   r"(.+?)\s+and\s+(.+?)\s+(?:compare|differ)|(.+?)\s+or\s+(.+)", re.IGNORECASE)
SIDE_SHARE = 0.5  # of a side's words, found on a line's path, for the line to be on that side


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
    parts = [part for part in match.groups() if part]
    words = [set(tokens) for tokens in lexical_tokens(parts[:2])]
    return words if all(words) else []


def choose(judgement: Judgement, judge: Judge) -> list[ScoredLine]:
    """The lines to quote, best first: the best line and close runners-up, plus the best line of
    each side of a comparison that those do not already cover."""
    ranked = judgement.lines
    if not ranked:
        return []
    best = ranked[0].score
    chosen = [s for s in ranked[:MAX_QUOTES] if s.score >= RUNNER_UP * best]
    for side in sides(judgement.question.text):
        on_side = [s for s in ranked if _on_side(s.line, side)]
        if on_side and not any(_on_side(s.line, side) for s in chosen):
            chosen.append(on_side[0])
    return chosen


def quotes(judgement: Judgement, judge: Judge) -> list[Quote]:
    """One quote per chosen line: the line with its children, or, for a leaf, its parent with the
    leaf and its siblings (lists and comparisons live in siblings). Shared heads are quoted once."""
    heads: dict[int, None] = {}
    for scored in choose(judgement, judge):
        kids = judge.children.get(scored.position)
        up = judge.parent_of(scored.position)
        heads.setdefault(scored.position if kids or up is None else up)
    return [_quote(judge, head) for head in heads]


def _quote(judge: Judge, head: int) -> Quote:
    line = judge.index.lines[head]
    kids = [judge.index.lines[k] for k in judge.children.get(head, [])[:MAX_CHILDREN]]
    return Quote(judge.index.chunks[line.chunk], line, (line, *kids))


def _on_side(line: OutlineLine, side: set[str]) -> bool:
    words = set(lexical_tokens([" ".join(line.path[1:])])[0])
    return len(side & words) >= SIDE_SHARE * len(side)
