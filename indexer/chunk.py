"""Outline tree → `Chunk`s by path: each chunk is a branch that fits the embedding window.

A branch that fits `target` tokens is one chunk. A larger branch becomes chunks holding the node,
its leaf children in full and its other children by title (split into parts when many), and each
non-leaf child is chunked the same way. It does not embed or store (see build.py, store.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Sequence

from indexer.markup import plain
from indexer.outline import Node, Outline

TokenCounter = Callable[[Sequence[str]], list[int]]  # word-pieces per text, without special tokens
CRUMB_WORDS = 12  # a path element longer than this is shortened in the embedded breadcrumb
SPECIAL_TOKENS = 2  # [CLS] and [SEP]


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    path: tuple[str, ...]  # display titles from the root down to the branch's node
    lines: tuple[int, ...]  # 1-based lines of `source` whose text the chunk holds
    text: str  # the branch as an indented tree, markup kept (what users see)
    search_text: str  # breadcrumb + plain body (what is embedded and searched)
    content_hash: str

    @property
    def breadcrumb(self) -> str:
        return " › ".join(self.path)


@dataclass
class _Piece:
    """A line of a chunk being assembled: display text, plain text, tokens, outline lines."""

    display: str
    search: str
    tokens: int
    lines: tuple[int, ...]


def chunk_outline(outline: Outline, count: TokenCounter, target: int, limit: int) -> list[Chunk]:
    """Chunk one parsed outline. `limit` is the model's max sequence length (hard cap)."""
    builder = _ChunkBuilder(outline, count, min(target, limit - SPECIAL_TOKENS), limit - SPECIAL_TOKENS)
    return builder.run()


class _ChunkBuilder:
    def __init__(self, outline: Outline, count: TokenCounter, target: int, limit: int):
        self.source, self.count, self.target, self.limit = outline.source, count, target, limit
        self.roots = outline.roots
        self.own = _own_pieces(outline, count)
        self.subtree = _subtree_tokens(outline, self.own)
        self.chunks: list[Chunk] = []

    def run(self) -> list[Chunk]:
        work = [(root, (root.title,), key) for root, key in reversed(_keyed(self.roots, ()))]
        while work:
            node, path, key = work.pop()
            crumb = _breadcrumb(path, self.count, self.limit // 4)
            budget = self.target - self.count([crumb])[0]
            if self.subtree[node] <= budget:
                self._emit(path, key, crumb, self._branch(node))
                continue
            big = self._emit_parts(node, path, key, crumb, budget)
            work.extend((c, (*path, c.title), k) for c, k in reversed(_keyed(big, key)))
        return self.chunks

    def _branch(self, node: Node) -> list[_Piece]:
        """The whole subtree, indented; iterative because outlines may nest thousands deep."""
        pieces, stack = [], [(node, 0)]
        while stack:
            current, level = stack.pop()
            pieces.extend(_indent(p, level) for p in self.own[current])
            stack.extend((child, level + 1) for child in reversed(current.children))
        return pieces

    def _emit_parts(self, node: Node, path: tuple, key: tuple, crumb: str, budget: int) -> list[Node]:
        """Chunks of the node with its leaves and child titles; returns the children chunked on their own."""
        header = self.own[node]
        if sum(p.tokens for p in header) > budget // 2:
            for part, piece in enumerate(_split_long(header, self.count, budget)):
                self._emit(path, key, crumb, [piece], f"text{part}", titled=False)
            header = [_Piece(header[0].display[:80], "", 0, (node.line,))]
        room = max(budget - sum(p.tokens for p in header), 1)
        big, items = [], []
        for child in node.children:
            # A leaf that would push a chunk past the hard cap gets chunks of its own, like a branch.
            if child.children or self.subtree[child] > room + self.limit - self.target:
                big.append(child)
                items.extend(_indent(p, 1) for p in _shorten(self.own[child][0], self.count))
            else:
                items.extend(_indent(p, 1) for p in self._branch(child))
        for part, group in enumerate(_pack(items, room) or [[]]):
            self._emit(path, key, crumb, header + group, f"part{part}" if part else "")
        return big

    def _emit(self, path: tuple, key: tuple, crumb: str, pieces: list[_Piece], part: str = "",
              titled: bool = True) -> None:
        """Record one chunk; when `titled`, pieces[0] is the node's title, already in the breadcrumb."""
        lines = tuple(sorted({line for p in pieces for line in p.lines}))
        body = "\n".join(p.search for p in pieces[titled:] if p.search)
        search_text = f"{crumb}\n{body}".strip()
        ident = hashlib.sha1("\x1f".join((self.source, *key, part)).encode()).hexdigest()[:16]
        self.chunks.append(Chunk(
            id=ident, source=self.source, path=path, lines=lines,
            text="\n".join(p.display for p in pieces), search_text=search_text,
            content_hash=hashlib.sha256(search_text.encode()).hexdigest()[:32]))


def _own_pieces(outline: Outline, count: TokenCounter) -> dict[Node, list[_Piece]]:
    """Each node's own lines as pieces, token-counted in one batch."""
    nodes = list(outline.walk())
    texts = [(node, line_no, line) for node in nodes for line_no, line in zip(node.lines, node.text.split("\n"))]
    tokens = count([plain(text) for _, _, text in texts]) if texts else []
    own: dict[Node, list[_Piece]] = {node: [] for node in nodes}
    for (node, line_no, text), n in zip(texts, tokens):
        prefix = "" if not own[node] else "  "
        own[node].append(_Piece(prefix + text, plain(text), n, (line_no,)))
    return own


def _subtree_tokens(outline: Outline, own: dict[Node, list[_Piece]]) -> dict[Node, int]:
    totals: dict[Node, int] = {}
    for node in reversed(list(outline.walk())):  # children before parents
        totals[node] = sum(p.tokens for p in own[node]) + sum(totals[c] for c in node.children)
    return totals


def _keyed(nodes: Sequence[Node], parent_key: tuple) -> list[tuple[Node, tuple]]:
    """Stable keys for ids: the title, plus a counter when siblings share a title."""
    seen: dict[str, int] = {}
    keyed = []
    for node in nodes:
        seen[node.title] = seen.get(node.title, 0) + 1
        suffix = f"#{seen[node.title]}" if seen[node.title] > 1 else ""
        keyed.append((node, (*parent_key, node.title + suffix)))
    return keyed


def _breadcrumb(path: tuple[str, ...], count: TokenCounter, max_tokens: int) -> str:
    """`A > B > C` in plain words; long titles are cut and deep paths keep their first and last steps."""
    steps = [" ".join(plain(step).split()[:CRUMB_WORDS]) for step in path]
    crumb = " > ".join(steps)
    keep = len(steps)
    while keep > 1 and count([crumb])[0] > max_tokens:
        keep = max(1, keep // 2)
        crumb = " > ".join([steps[0], "…", *steps[-keep:]])
    return crumb


def _indent(piece: _Piece, level: int) -> _Piece:
    return _Piece("  " * level + piece.display, piece.search, piece.tokens, piece.lines)


def _shorten(piece: _Piece, count: TokenCounter) -> list[_Piece]:
    """A child's title line, cut to a few words when it is huge (its own chunks hold it whole)."""
    if piece.tokens <= 32:
        return [piece]
    words = piece.search.split()[:CRUMB_WORDS]
    return [_Piece(" ".join(piece.display.split()[:CRUMB_WORDS]) + " …", " ".join(words),
                   count([" ".join(words)])[0], piece.lines)]


def _pack(items: list[_Piece], budget: int) -> list[list[_Piece]]:
    """Consecutive groups whose tokens fit the budget (an item larger than it stands alone)."""
    groups: list[list[_Piece]] = []
    used = budget + 1
    for item in items:
        if used + item.tokens > budget:
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += item.tokens
    return groups


def _split_long(pieces: list[_Piece], count: TokenCounter, budget: int) -> list[_Piece]:
    """Split a node's own text into pieces of at most `budget` tokens, word by word."""
    words = [(w, p.lines) for p in pieces for w in p.search.split()]
    sizes = count([w for w, _ in words]) if words else []
    out: list[_Piece] = []
    current: list[str] = []
    lines: set[int] = set()
    used = 0
    for (word, word_lines), size in zip(words, sizes):
        if current and used + size > budget:
            out.append(_Piece(" ".join(current), " ".join(current), used, tuple(sorted(lines))))
            current, lines, used = [], set(), 0
        current.append(word)
        lines.update(word_lines)
        used += size
    if current:
        out.append(_Piece(" ".join(current), " ".join(current), used, tuple(sorted(lines))))
    return out
