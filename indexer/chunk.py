"""Outline tree → `Chunk`s by path: each chunk is a branch that fits the embedding window.

A branch that fits `target` tokens is one chunk. A larger branch becomes chunks holding the node,
its leaf children in full and its other children by title (split into parts when many), and each
non-leaf child is chunked the same way. Given the file's last chunking, a heading whose branch and
place are unchanged gets its chunks back, lines shifted, unparsed and uncounted: an edit costs its
section, not the file. It does not embed or store (see build.py, store.py).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, replace
from typing import Sequence

from indexer.crumbs import TokenCounter, breadcrumbs, display_path
from indexer.markup import plain
from indexer.outline import Node, Outline
from indexer.pieces import Piece, indent, pack, shorten, split_long
from indexer.records import Chunk, Row

SPECIAL_TOKENS = 2  # [CLS] and [SEP]


@dataclass(frozen=True)
class ChunkedBranch:
    """A heading's branch as one build chunked it: the next build re-uses its chunks while it is
    unchanged."""

    place: (
        str  # hash of its text and of all its chunks show from above it (path, breadcrumb, sizes)
    )
    text: str  # hash of its text alone
    tokens: int  # its text's tokens: what chunking its parent needs to know of it
    has_children: bool
    line: int  # its heading's line
    first: int  # its chunks are the file's chunks first … first + count - 1
    count: int = 0


@dataclass(frozen=True)
class Chunked:
    """One file's chunks in order, with the branches a later build can re-use."""

    chunks: list[Chunk]
    branches: list[ChunkedBranch]


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
        self.own: dict[Node, list[Piece]] = {}  # filled as nodes are measured
        self.subtree: dict[Node, int] = {}
        self.complete: set[Node] = set()  # nodes whose whole subtree has its pieces
        self.reusable = {branch.place: i for i, branch in enumerate(previous.branches)}
        self.sizes = {branch.text: branch for branch in previous.branches}
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
            self._measure(node)
            if fingerprint:
                work.append(self._open(node, place, fingerprint))
            budget = max(self.target - crumb_tokens, 1)  # a breadcrumb may take up to limit // 4
            if self.subtree[node] <= budget:
                self._emit(path, key, crumb, self._branch(node))
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
                self.subtree[node],
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

    def _measure(self, top: Node, known_sizes: bool = True) -> None:
        """Pieces of `top` and tokens of its subtree. With `known_sizes`, a node below it whose size
        is known (this build, or an unchanged branch of the last one) is not parsed or counted
        again; without, every node below it gets its pieces."""
        if top in self.complete or known_sizes and top in self.own and top in self.subtree:
            return
        order, stack, skipped = [], [top], False
        while stack:
            node = stack.pop()
            if node is not top and (
                node in self.complete or known_sizes and self._size_known(node)
            ):
                skipped = skipped or node not in self.complete
                continue
            self.outline.expand(node)
            order.append(node)
            stack.extend(node.children)
        self._count_own([node for node in order if node not in self.own])
        for node in reversed(order):  # children before parents
            self.subtree[node] = sum(p.tokens for p in self.own[node]) + sum(
                self.subtree[c] for c in node.children
            )
        if not skipped:
            self.complete.update(order)

    def _size_known(self, node: Node) -> bool:
        if node in self.subtree:
            return True
        fingerprint = self.outline.fingerprint(node)
        if fingerprint and fingerprint[0] in self.sizes and not self.outline.expanded(node):
            self.subtree[node] = self.sizes[fingerprint[0]].tokens
            return True
        return False

    def _has_children(self, node: Node) -> bool:
        if self.outline.expanded(node):
            return bool(node.children)
        return self.sizes[self.outline.fingerprint(node)[0]].has_children

    def _count_own(self, nodes: list[Node]) -> None:
        """Each node's own lines as pieces, token-counted in one batch."""
        if not nodes:
            return
        texts = [
            (node, line_no, line)
            for node in nodes
            for line_no, line in zip(node.lines, node.text.split("\n"))
        ]
        plains = [plain(text) for _, _, text in texts]
        tokens = self.count(plains) if texts else []
        for node in nodes:
            self.own[node] = []
        for (node, line_no, text), search, n in zip(texts, plains, tokens):
            depth = 1 if self.own[node] else 0  # continuation lines hang below the node's title
            self.own[node].append(Piece(text, search, n, (line_no,), depth))

    def _titles(self, nodes: Sequence[Node]) -> dict[Node, Piece]:
        """Each node's first piece: its title line, counted without parsing the rest of it."""
        missing = [node for node in nodes if node not in self.own]
        counted = self.count([plain(node.title) for node in missing]) if missing else []
        titles = {
            node: Piece(node.title, plain(node.title), n, (node.line,))
            for node, n in zip(missing, counted)
        }
        return {node: self.own[node][0] if node in self.own else titles[node] for node in nodes}

    def _work(self, nodes: Sequence[Node], path: tuple, key) -> list[tuple]:
        """(node, path, key, breadcrumb, its tokens) per node, reversed for popping in order."""
        keyed = _keyed(nodes, key)
        paths = [(*path, node.title) for node, _ in keyed]
        crumbs = breadcrumbs(paths, self.count, self.limit // 4)
        return [
            (node, p, k, *crumb)
            for (node, k), p, crumb in reversed(list(zip(keyed, paths, crumbs)))
        ]

    def _branch(self, node: Node) -> list[Piece]:
        """The whole subtree, indented; iterative because outlines may nest thousands deep."""
        self._measure(node, known_sizes=False)
        pieces, stack = [], [(node, 0)]
        while stack:
            current, level = stack.pop()
            pieces.extend(indent(p, level) for p in self.own[current])
            stack.extend((child, level + 1) for child in reversed(current.children))
        return pieces

    def _emit_parts(self, node: Node, path: tuple, key, crumb: str, budget: int) -> list[Node]:
        """Chunks of the node with its leaves and child titles; returns the children chunked on
        their own."""
        header = self.own[node]
        if sum(p.tokens for p in header) > budget // 2:
            for part, piece in enumerate(split_long(header, self.count, budget)):
                self._emit(path, key, crumb, [piece], f"text{part}", titled=False)
            header = [Piece(header[0].display[:80], "", 0, (node.line,))]
        room = max(budget - sum(p.tokens for p in header), 1)
        big, items = [], []
        titles = self._titles(node.children)
        for child in node.children:
            # A leaf that would push a chunk past the hard cap gets chunks of its own, like a
            # branch.
            if self._has_children(child) or self.subtree[child] > room + self.limit - self.target:
                big.append(child)
                items.extend(indent(p, 1) for p in shorten(titles[child], self.count))
            else:
                items.extend(indent(p, 1) for p in self._branch(child))
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
