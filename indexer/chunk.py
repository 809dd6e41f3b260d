"""Outline tree → `Chunk`s by path: each chunk is a branch that fits the embedding window.

A branch that fits `target` tokens is one chunk. A larger branch becomes chunks holding the node,
its leaf children in full and its other children by title (split into parts when many), and each
non-leaf child is chunked the same way. Given the file's last chunking, a heading whose branch and
place are unchanged gets its chunks back, lines shifted, unparsed and uncounted: an edit costs its
section, not the file. Measuring nodes belongs to node_sizes.py; it does not embed or store (see
build.py, store.py).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import replace
from typing import Sequence

from indexer.crumbs import TokenCounter, breadcrumbs, display_path
from indexer.node_sizes import NodeSizes
from indexer.outline import Node, Outline
from indexer.pieces import Piece, indent, pack, shorten, split_long
from indexer.records import Chunk, Chunked, ChunkedBranch, Row

SPECIAL_TOKENS = 2  # [CLS] and [SEP]


def chunk_file(
    outline: Outline, count: TokenCounter, target: int, limit: int, previous: Chunked | None = None
) -> Chunked:
    """Chunk one parsed outline (`limit`: the model's max sequence length, a hard cap), re-using
    `previous` (the same file's last chunking) for every heading whose branch and place are
    unchanged: such a branch is neither parsed nor token-counted again, and its chunks come out
    exactly as chunking it afresh would make them."""
    builder = _ChunkBuilder(
        outline,
        count,
        min(target, limit - SPECIAL_TOKENS),
        limit - SPECIAL_TOKENS,
        previous or Chunked([], []),
    )
    return builder.run()


class _ChunkBuilder:
    def __init__(
        self, outline: Outline, count: TokenCounter, target: int, limit: int, previous: Chunked
    ):
        self.outline, self.source, self.count = outline, outline.source, count
        self.target, self.limit, self.previous = target, limit, previous
        self.sizes = NodeSizes(outline, count, previous.branches)
        self.reusable = {branch.place: i for i, branch in enumerate(previous.branches)}
        self.chunks: list[Chunk] = []
        self.branches: list[ChunkedBranch] = []
        self.opened: dict[int, range] = {}  # branches chunked afresh: their lines

    def run(self) -> Chunked:
        work: list = self._work(self.outline.roots, (), hashlib.sha1(self.source.encode()))
        while work:
            item = work.pop()
            if isinstance(item, int):  # every chunk of the branch recorded at this position is out
                self.branches[item] = replace(
                    self.branches[item], count=len(self.chunks) - self.branches[item].first
                )
                continue
            node, path, key, crumb, crumb_tokens = item
            fingerprint = self.outline.fingerprint(node)
            place = fingerprint and _place(
                fingerprint[0], key, crumb, crumb_tokens, self.target, self.limit
            )
            if place in self.reusable and self._reuse(self.reusable[place], node.line):
                continue
            self.sizes.measure(node)
            if fingerprint:
                work.append(self._open(node, place, fingerprint))
            budget = max(self.target - crumb_tokens, 1)  # a breadcrumb may take up to limit // 4
            if self.sizes.subtree[node] <= budget:
                self._emit(path, key, crumb, self.sizes.branch(node))
            else:
                big = self._emit_parts(node, path, key, crumb, budget)
                work.extend(self._work(big, path, key))
        return Chunked(self.chunks, self._without_warnings())

    def _open(self, node: Node, place: str, fingerprint: tuple[str, range]) -> int:
        self.opened[len(self.branches)] = fingerprint[1]
        self.branches.append(
            ChunkedBranch(
                place,
                fingerprint[0],
                self.sizes.subtree[node],
                bool(node.children),
                node.line,
                len(self.chunks),
            )
        )
        return len(self.branches) - 1

    def _reuse(self, index: int, line: int) -> bool:
        """Copy a branch's chunks, and the branches within it, from the last build, shifted to
        `line`."""
        old = self.previous.branches[index]
        chunks = self.previous.chunks[old.first : old.first + old.count]
        if not chunks or len(chunks) != old.count:
            return False  # a record that disagrees with the chunks: chunk afresh
        shift, offset = line - old.line, len(self.chunks) - old.first
        self.chunks.extend(c if not shift else _shifted(c, shift) for c in chunks)
        for inner in self.previous.branches[index:]:  # in chunk order: those within it follow it
            if inner.first >= old.first + old.count:
                break
            self.branches.append(
                ChunkedBranch(
                    inner.place,
                    inner.text,
                    inner.tokens,
                    inner.has_children,
                    inner.line + shift,
                    inner.first + offset,
                    inner.count,
                )
            )
        return True

    def _without_warnings(self) -> list[ChunkedBranch]:
        """A branch with a parser warning is not re-used: the warning must be raised again."""
        warned = self.outline.warning_lines()
        if not warned:
            return self.branches
        return [
            b
            for i, b in enumerate(self.branches)
            if i not in self.opened or not _any_within(warned, self.opened[i])
        ]

    def _work(self, nodes: Sequence[Node], path: tuple, key) -> list[tuple]:
        """(node, path, key, breadcrumb, its tokens) per node, reversed for popping in order."""
        keyed = _keyed(nodes, key)
        paths = [(*path, node.title) for node, _ in keyed]
        crumbs = breadcrumbs(paths, self.count, self.limit // 4)
        return [
            (node, p, k, *crumb)
            for (node, k), p, crumb in reversed(list(zip(keyed, paths, crumbs)))
        ]

    def _emit_parts(self, node: Node, path: tuple, key, crumb: str, budget: int) -> list[Node]:
        """Chunks of the node with its leaves and child titles; returns the children chunked on
        their own."""
        header = self.sizes.own[node]
        if sum(p.tokens for p in header) > budget // 2:
            for part, piece in enumerate(split_long(header, self.count, budget)):
                self._emit(path, key, crumb, [piece], f"text{part}", titled=False)
            header = [Piece(header[0].display[:80], "", 0, (node.line,))]
        room = max(budget - sum(p.tokens for p in header), 1)
        big, items = [], []
        titles = self.sizes.titles(node.children)
        for child in node.children:
            # A leaf that would push a chunk past the hard cap gets chunks of its own, like a
            # branch.
            if (
                self.sizes.has_children(child)
                or self.sizes.subtree[child] > room + self.limit - self.target
            ):
                big.append(child)
                items.extend(indent(p, 1) for p in shorten(titles[child], self.count))
            else:
                items.extend(indent(p, 1) for p in self.sizes.branch(child))
        for part, group in enumerate(pack(items, room) or [[]]):
            self._emit(path, key, crumb, header + group, f"part{part}" if part else "")
        return big

    def _emit(
        self, path: tuple, key, crumb: str, pieces: list[Piece], part: str = "", titled: bool = True
    ) -> None:
        """Record one chunk; when `titled`, pieces[0] is the node's title, already in the
        breadcrumb."""
        lines = tuple(sorted({line for p in pieces for line in p.lines}))
        body = "\n".join(p.search for p in pieces[titled:] if p.search)
        search_text = f"{crumb}\n{body}".strip()
        ident = key.copy()
        ident.update(f"\x1f{part}".encode())
        self.chunks.append(
            Chunk(
                id=ident.hexdigest()[:16],
                source=self.source,
                path=display_path(path),
                lines=lines,
                rows=_rows(pieces, lines),
                search_text=search_text,
                content_hash=hashlib.sha256(search_text.encode()).hexdigest()[:32],
            )
        )


def _rows(pieces: list[Piece], lines: tuple[int, ...]) -> tuple[Row, ...]:
    """One row per piece, numbered when every piece is one line of its own; a chunk whose lines were
    split or merged (a huge line) shows without numbers rather than wrong ones."""
    numbered = len(lines) == len(pieces)
    return tuple(Row(p.lines[0] if numbered else None, p.depth, p.display) for p in pieces)


def _shifted(chunk: Chunk, shift: int) -> Chunk:
    """The chunk of an unchanged branch that moved `shift` lines down the file."""
    rows = tuple(
        row if row.line is None else replace(row, line=row.line + shift) for row in chunk.rows
    )
    return replace(chunk, lines=tuple(n + shift for n in chunk.lines), rows=rows)


def _place(text_hash: str, key, crumb: str, crumb_tokens: int, target: int, limit: int) -> str:
    """What a heading's chunks depend on: its branch's text, its path (in `key`) and breadcrumb, the
    sizes."""
    return hashlib.sha1(
        f"{text_hash}\x1f{key.hexdigest()}\x1f{crumb}\x1f{crumb_tokens}\x1f{target}\x1f{limit}".encode(
            "utf-8", "surrogatepass"
        )
    ).hexdigest()


def _any_within(sorted_lines: list[int], lines: range) -> bool:
    at = bisect.bisect_left(sorted_lines, lines.start)
    return at < len(sorted_lines) and sorted_lines[at] < lines.stop


def _keyed(nodes: Sequence[Node], parent_key) -> list[tuple[Node, object]]:
    """Stable keys for ids: the title, plus a counter when siblings share a title. A key is the sha1
    of `source␟title␟title…` so far, extended per child: deep paths and huge titles are hashed
    once."""
    seen: dict[str, int] = {}
    keyed = []
    for node in nodes:
        seen[node.title] = seen.get(node.title, 0) + 1
        suffix = f"#{seen[node.title]}" if seen[node.title] > 1 else ""
        key = parent_key.copy()
        key.update(f"\x1f{node.title}{suffix}".encode())
        keyed.append((node, key))
    return keyed
