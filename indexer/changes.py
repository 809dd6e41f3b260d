"""What an index update changed, branch by branch: added, changed, removed or moved.

Compares the chunk records of two builds. A branch's place is its path and its text is what it
shows: a branch whose source, path and text are all unchanged is no change, even when edits above it
shifted its line numbers (those shifts would otherwise bury a one-bullet edit under hundreds of
entries).
Does not: build, read or write indexes (build.py, store.py).

>>> from indexer.records import Row
>>> old = [Chunk("a", "f.md", ("A",), (1, 2), (Row(1, 0, "A"), Row(2, 1, "x")), "", "1")]
>>> new = [Chunk("a", "f.md", ("A",), (1, 2), (Row(1, 0, "A"), Row(2, 1, "y")), "", "2")]
>>> [c.describe() for c in compare(old, new)]
['~ A (lines 1–2)']
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from indexer.records import Chunk

KINDS = ("added", "changed", "removed", "moved")
SIGNS = {"added": "+", "changed": "~", "removed": "-", "moved": ">"}


@dataclass(frozen=True)
class Change:
    """One branch that an update added, changed, removed or moved (its path changed, its text did
    not)."""

    kind: str  # one of KINDS
    path: tuple[str, ...]  # the branch's path now; before, for a removed branch
    source: str
    lines: tuple[int, int] | None  # its first and last line now; None when removed
    old_lines: tuple[int, int] | None  # its first and last line before; None when added
    old_path: tuple[str, ...] = ()  # its path before, when moved
    old_id: str = ""  # the chunk id before ("" when added): what earlier answers cite
    edited: tuple[int, ...] = ()  # lines now whose text is new or differs (highlighted in the app)
    gone: tuple[
        int, ...
    ] = ()  # lines before whose text is gone or differs (what makes a citation stale)

    @property
    def breadcrumb(self) -> str:
        return " › ".join(self.path)

    def to_json(self) -> dict:
        """The `--json` record: {"kind", "path", "source", "lines", "old_lines"}."""
        return {
            "kind": self.kind,
            "path": list(self.path),
            "source": self.source,
            "lines": list(self.lines) if self.lines else None,
            "old_lines": list(self.old_lines) if self.old_lines else None,
        }

    def describe(self) -> str:
        """One line, e.g. "~ Lambda › Sizing › Timeout (lines 445–447)"."""
        where = f"was {_span(self.old_lines)}" if self.lines is None else _span(self.lines)
        if self.kind == "moved":
            where += f", was {' › '.join(self.old_path)}"
        return f"{SIGNS[self.kind]} {self.breadcrumb} ({where})"


def compare(old: Sequence[Chunk], new: Sequence[Chunk]) -> list[Change]:
    """The changes from the chunks of one build to those of the next, in file and line order.

    Branches equal in source, path and text pair up first; then those that share an id (same source
    and path) are `changed`; then, per source, an old and a new branch with the same text, or the
    same text below their first row (a renamed heading), are `moved`; the rest are `removed` and
    `added`.
    """
    kept = Counter(map(_same, old)) & Counter(map(_same, new))
    old_left, new_left = _unmatched(old, kept), _unmatched(new, kept)
    pairs: list[tuple[Chunk, Chunk]] = []
    by_id = {chunk.id: chunk for chunk in old_left}
    for chunk in list(new_left):
        if chunk.id in by_id:
            pairs.append((by_id[chunk.id], chunk))
            old_left.remove(by_id.pop(chunk.id))
            new_left.remove(chunk)
    moved = _pair(old_left, new_left, lambda c: c.text) + _pair(old_left, new_left, _body)
    changes = [_change("changed", before, after) for before, after in pairs]
    changes += [_change("moved", before, after) for before, after in moved]
    changes += [_change("removed", chunk, None) for chunk in old_left]
    changes += [_change("added", None, chunk) for chunk in new_left]
    return sorted(
        changes, key=lambda c: (c.source, (c.lines or c.old_lines or (0,))[0], KINDS.index(c.kind))
    )


def stale_lines(chunk_id: str, lines: Iterable[int], changes: Iterable[Change]) -> tuple[int, ...]:
    """Of `lines`, cited from the chunk `chunk_id` of the build before `changes`, those the update
    changed or removed (a branch that only moved, or lines that only shifted, are not stale).

    >>> from indexer.records import Row
    >>> rows = (Row(1, 0, "A"), Row(2, 1, "x"))
    >>> old = [Chunk("a", "f.md", ("A",), (1, 2, 3), (*rows, Row(3, 1, "y")), "", "1")]
    >>> new = [Chunk("a", "f.md", ("A",), (1, 2, 3), (*rows, Row(3, 1, "z")), "", "2")]
    >>> stale_lines("a", (2, 3), compare(old, new))
    (3,)
    """
    gone = {line for change in changes if change.old_id == chunk_id for line in change.gone}
    return tuple(line for line in lines if line in gone)


def _same(chunk: Chunk) -> tuple:
    return chunk.source, chunk.path, chunk.text


def _unmatched(chunks: Sequence[Chunk], kept: Counter) -> list[Chunk]:
    left, budget = [], Counter(kept)
    for chunk in chunks:
        key = _same(chunk)
        if budget[key]:
            budget[key] -= 1
        else:
            left.append(chunk)
    return left


def _body(chunk: Chunk) -> str | None:
    """The branch's text below its first row (its title); None when there is none to recognise it
    by."""
    _, _, body = chunk.text.partition("\n")
    return body or None


def _pair(old: list[Chunk], new: list[Chunk], key) -> list[tuple[Chunk, Chunk]]:
    """Pairs of one old and one new chunk of the same source with the same non-None key, in order;
    paired chunks leave both lists."""
    waiting: dict[tuple, list[Chunk]] = {}
    for chunk in old:
        if key(chunk) is not None:
            waiting.setdefault((chunk.source, key(chunk)), []).append(chunk)
    pairs = []
    for chunk in list(new):
        candidates = waiting.get((chunk.source, key(chunk)))
        if key(chunk) is not None and candidates:
            before = candidates.pop(0)
            pairs.append((before, chunk))
            old.remove(before)
            new.remove(chunk)
    return pairs


def _change(kind: str, before: Chunk | None, after: Chunk | None) -> Change:
    edited, gone = _row_diff(before, after)
    shown = after or before
    return Change(
        kind,
        shown.path,
        shown.source,
        _extent(after),
        _extent(before),
        before.path if kind == "moved" else (),
        before.id if before else "",
        edited,
        gone,
    )


def _row_diff(before: Chunk | None, after: Chunk | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(lines of `after` whose row is not in `before`, lines of `before` whose row is not in
    `after`), rows compared by depth and text in order."""
    old = list(before.rows) if before else []
    new = list(after.rows) if after else []
    same_old, same_new = set(), set()
    matcher = difflib.SequenceMatcher(
        None, [(r.depth, r.text) for r in old], [(r.depth, r.text) for r in new], autojunk=False
    )
    for block in matcher.get_matching_blocks():
        same_old.update(range(block.a, block.a + block.size))
        same_new.update(range(block.b, block.b + block.size))
    return (
        tuple(r.line for i, r in enumerate(new) if i not in same_new and r.line is not None),
        tuple(r.line for i, r in enumerate(old) if i not in same_old and r.line is not None),
    )


def _extent(chunk: Chunk | None) -> tuple[int, int] | None:
    return (chunk.lines[0], chunk.lines[-1]) if chunk is not None and chunk.lines else None


def _span(lines: tuple[int, int] | None) -> str:
    if lines is None:
        return "no lines"
    return f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}–{lines[1]}"
