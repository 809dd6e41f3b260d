"""The extractive answer: the outline lines most relevant to the question, quoted with their paths.

It is the answer in extractive mode and the fallback when no model sentence survives verification.
Quotes are the outline's own words, so everything they state is in the branch they cite.

>>> # a chosen line "Memory" with one child reads: "Lambda › Sizing › Memory: 128mb to 10240 MB"
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.evidence import CONTEXT_STEPS, Evidence, children, parent

MAX_QUOTES = 3  # lines chosen by score (each may bring its children)
QUOTE_MARGIN = 0.1  # a further line is quoted only when it scores within this of the best one
MAX_CHILDREN = 8  # children listed after a chosen line ("Routing: Simple; Failover; …")


@dataclass(frozen=True)
class Quote:
    branch: int  # 1-based rank of the hit it comes from
    lines: tuple[int, ...]  # outline lines quoted
    text: str  # "Lambda › Sizing › Memory: 128mb to 10240 MB"


def choose(evidence: Evidence) -> list[int]:
    """Positions of the lines to quote: the best informative line and close runners-up."""
    ranked = evidence.ranked()
    if not ranked:
        return []
    best = evidence.relevance(ranked[0])
    return [i for i in ranked[:MAX_QUOTES] if evidence.relevance(i) >= best - QUOTE_MARGIN]


def quotes(evidence: Evidence) -> list[Quote]:
    """One quote per chosen line: the line with its children, or, for a leaf, its parent with the
    leaf and its siblings (lists and comparisons live in siblings). Shared heads are quoted once."""
    heads: dict[tuple, int] = {}
    for i in choose(evidence):
        head = _head(evidence, i)
        heads.setdefault(evidence.key(head), head)
    return [_quote(evidence, head) for head in heads.values()]


def _head(evidence: Evidence, i: int) -> int:
    """The line to quote for chosen line i: the line itself where some branch shows its children,
    else its parent (whose children are the line and its siblings), else the line alone."""
    lines = evidence.lines
    same = [j for j in range(len(lines)) if evidence.key(j) == evidence.key(i)]
    with_children = [j for j in same if children(lines, j)]
    if with_children:
        return with_children[0]
    parents = [up for up in (parent(lines, j) for j in same) if up is not None]
    return parents[0] if parents else i


def _quote(evidence: Evidence, head: int) -> Quote:
    line = evidence.lines[head]
    kids = [evidence.lines[k] for k in children(evidence.lines, head)[:MAX_CHILDREN]]
    context = " › ".join(line.path[-CONTEXT_STEPS:])
    text = f"{context}: " + "; ".join(k.text for k in kids) if kids else context
    numbers = tuple(sorted({n for n in (line.number, *(k.number for k in kids)) if n}))
    return Quote(line.branch, numbers, text)
