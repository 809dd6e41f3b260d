"""Every outline line as a record with its path: what the line index embeds and the answer judge scores.

A chunk's text is an indented tree; its rows are read back once here (`rows`), and each outline line
becomes one `OutlineLine`, held by one chunk (a child's title is in its parent's chunk and, with its
own children, in its own chunk: its own is the one it votes for and is quoted from).
Does not: embed or store vectors (build.py, store.py) or score lines against a question (assistant/).

>>> [row.text for row in rows(Chunk("c", "f.md", ("A", "Timeout"), (7, 8), "Timeout\\n  Max 900s", "", "h"))]
['Timeout', 'Max 900s']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from indexer.chunk import Chunk
from indexer.markup import plain

INDENT = 2  # spaces per level in `Chunk.text`


@dataclass(frozen=True)
class Row:
    """One row of a chunk's display tree."""

    line: int | None  # 1-based line in the chunk's source; None when the chunker shortened the branch
    depth: int  # 0 for the chunk's own node
    text: str  # plain text, markup removed


@dataclass(frozen=True)
class OutlineLine:
    """One line of an outline file, with the path that gives it meaning."""

    source: str
    line: int  # 1-based line in `source`
    path: tuple[str, ...]  # from the outline's root down to this line, the line included
    chunk: int  # position (in the index's chunk list) of the smallest chunk holding the line
    parent: int | None = None  # 1-based line in `source` of its parent; None for a file's top node

    @property
    def text(self) -> str:
        return self.path[-1]

    @property
    def context(self) -> str:
        """The text the line index embeds: the path, so that a terse line carries its topic ("Lambda >
        Sizing > Timeout > Max 900s"), without the root (the file's title, shared by every line) once
        there is a topic below it. The whole path matched the dev questions' gold lines better than
        its last three steps alone (top-5 0.89 vs 0.80)."""
        return " > ".join(self.path[1:] if len(self.path) > 2 else self.path)


def rows(chunk: Chunk) -> list[Row]:
    """The chunk's display tree as rows, blank rows dropped."""
    texts = chunk.text.split("\n")
    numbers = list(chunk.lines) if len(chunk.lines) == len(texts) else [None] * len(texts)
    found = []
    for number, raw in zip(numbers, texts):
        text = plain(raw)
        if text:
            found.append(Row(number, (len(raw) - len(raw.lstrip(" "))) // INDENT, text))
    return found


def row_paths(chunk: Chunk) -> list[tuple[Row, tuple[str, ...], int | None]]:
    """Each row with its full path and its parent's line: `("EC2", "Pricing", "Spot")` for a row
    "Spot" under "Pricing". The chunk's own node has no parent row (its parent is in another chunk)."""
    stack: list[Row] = []
    found = []
    for row in rows(chunk):
        stack = stack[:row.depth] + [row]
        up = stack[-2].line if len(stack) > 1 else None
        found.append((row, (*chunk.path[:-1], *(r.text for r in stack)), up))
    return found


def outline_lines(chunks: Sequence[Chunk]) -> list[OutlineLine]:
    """Each numbered outline line once, in chunk order, with the chunk that holds it best: the
    smallest chunk of its own branch (where it is the node, with its children), else the smallest
    chunk that shows it."""
    best: dict[tuple[str, int], tuple[tuple[bool, int], int, tuple[str, ...]]] = {}
    parents: dict[tuple[str, int], int] = {}
    for position, chunk in enumerate(chunks):
        for row, path, up in row_paths(chunk):
            if row.line is None:
                continue
            key = (chunk.source, row.line)
            rank = (row.depth != 0, len(chunk.lines))
            if key not in best or rank < best[key][0]:
                best[key] = (rank, position, path)
            if up is not None:  # a chunk's own node learns its parent from a chunk that shows both
                parents.setdefault(key, up)
    return [OutlineLine(key[0], key[1], path, position, parents.get(key))
            for key, (_, position, path) in best.items()]


@dataclass(frozen=True)
class LineTree:
    """How the lines of an index hang together, by position in its line list."""

    parent: dict[int, int]
    children: dict[int, list[int]]
    topics: dict[str, list[int]]  # a top-level title (a child of a file's root) → the lines under it


def line_tree(lines: Sequence[OutlineLine]) -> LineTree:
    position = {(line.source, line.line): i for i, line in enumerate(lines)}
    parent: dict[int, int] = {}
    children: dict[int, list[int]] = {}
    topics: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if len(line.path) > 2:
            topics.setdefault(line.path[1], []).append(i)
        up = position.get((line.source, line.parent)) if line.parent is not None else None
        if up is not None:
            parent[i] = up
            children.setdefault(up, []).append(i)
    return LineTree(parent, children, topics)
