"""Outline tree → `Chunk`s by path: each chunk is a branch that fits the embedding window.

A branch that fits `target` tokens is one chunk. A larger branch becomes chunks holding the node,
its leaf children in full and its other children by title (split into parts when many), and each
non-leaf child is chunked the same way. It does not embed or store (see build.py, store.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from indexer.crumbs import (CRUMB_CHARS, CRUMB_WORDS, PATH_CHARS, TokenCounter, breadcrumbs, display_path,
                            fit)
from indexer.markup import plain
from indexer.outline import Node, Outline

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
        work = self._work(self.roots, (), hashlib.sha1(self.source.encode()))
        while work:
            node, path, key, crumb, crumb_tokens = work.pop()
            budget = self.target - crumb_tokens
            if self.subtree[node] <= budget:
                self._emit(path, key, crumb, self._branch(node))
                continue
            big = self._emit_parts(node, path, key, crumb, budget)
            work.extend(self._work(big, path, key))
        return self.chunks

    def _work(self, nodes: Sequence[Node], path: tuple, key) -> list[tuple]:
        """(node, path, key, breadcrumb, its tokens) per node, reversed for popping in order."""
        keyed = _keyed(nodes, key)
        paths = [(*path, node.title) for node, _ in keyed]
        crumbs = breadcrumbs(paths, self.count, self.limit // 4)
        return [(node, p, k, *crumb) for (node, k), p, crumb in reversed(list(zip(keyed, paths, crumbs)))]

    def _branch(self, node: Node) -> list[_Piece]:
        """The whole subtree, indented; iterative because outlines may nest thousands deep."""
        pieces, stack = [], [(node, 0)]
        while stack:
            current, level = stack.pop()
            pieces.extend(_indent(p, level) for p in self.own[current])
            stack.extend((child, level + 1) for child in reversed(current.children))
        return pieces

    def _emit_parts(self, node: Node, path: tuple, key, crumb: str, budget: int) -> list[Node]:
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

    def _emit(self, path: tuple, key, crumb: str, pieces: list[_Piece], part: str = "",
              titled: bool = True) -> None:
        """Record one chunk; when `titled`, pieces[0] is the node's title, already in the breadcrumb."""
        lines = tuple(sorted({line for p in pieces for line in p.lines}))
        body = "\n".join(p.search for p in pieces[titled:] if p.search)
        search_text = f"{crumb}\n{body}".strip()
        ident = key.copy()
        ident.update(f"\x1f{part}".encode())
        self.chunks.append(Chunk(
            id=ident.hexdigest()[:16], source=self.source, path=display_path(path), lines=lines,
            text="\n".join(p.display for p in pieces), search_text=search_text,
            content_hash=hashlib.sha256(search_text.encode()).hexdigest()[:32]))


def _own_pieces(outline: Outline, count: TokenCounter) -> dict[Node, list[_Piece]]:
    """Each node's own lines as pieces, token-counted in one batch."""
    nodes = list(outline.walk())
    texts = [(node, line_no, line) for node in nodes for line_no, line in zip(node.lines, node.text.split("\n"))]
    plains = [plain(text) for _, _, text in texts]
    tokens = count(plains) if texts else []
    own: dict[Node, list[_Piece]] = {node: [] for node in nodes}
    for (node, line_no, text), search, n in zip(texts, plains, tokens):
        prefix = "" if not own[node] else "  "
        own[node].append(_Piece(prefix + text, search, n, (line_no,)))
    return own


def _subtree_tokens(outline: Outline, own: dict[Node, list[_Piece]]) -> dict[Node, int]:
    totals: dict[Node, int] = {}
    for node in reversed(list(outline.walk())):  # children before parents
        totals[node] = sum(p.tokens for p in own[node]) + sum(totals[c] for c in node.children)
    return totals


def _keyed(nodes: Sequence[Node], parent_key) -> list[tuple[Node, object]]:
    """Stable keys for ids: the title, plus a counter when siblings share a title. A key is the sha1 of
    `source␟title␟title…` so far, extended per child: deep paths and huge titles are hashed once."""
    seen: dict[str, int] = {}
    keyed = []
    for node in nodes:
        seen[node.title] = seen.get(node.title, 0) + 1
        suffix = f"#{seen[node.title]}" if seen[node.title] > 1 else ""
        key = parent_key.copy()
        key.update(f"\x1f{node.title}{suffix}".encode())
        keyed.append((node, key))
    return keyed


def _indent(piece: _Piece, level: int) -> _Piece:
    return _Piece("  " * level + piece.display, piece.search, piece.tokens, piece.lines)


def _shorten(piece: _Piece, count: TokenCounter) -> list[_Piece]:
    """A child's title line, cut to a few words when it is huge (its own chunks hold it whole)."""
    if piece.tokens <= 32:
        return [piece]
    words = " ".join(piece.search[:CRUMB_CHARS].split()[:CRUMB_WORDS])
    words, tokens = fit(words, count([words])[0], count, 32)
    display = " ".join(piece.display[:CRUMB_CHARS].split()[:CRUMB_WORDS])[:PATH_CHARS]
    return [_Piece(display + " …", words, tokens, piece.lines)]


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
    """Split a node's own text into pieces of at most `budget` tokens, word by word (huge words sliced).
    A line without words (blank, in a code block) rides along as "" so that its line is kept."""
    words = [(w, p.lines) for p in pieces for w in p.search.split() or [""]]
    sizes = count([w for w, _ in words]) if words else []
    sliced = [(s, n, lines) for (w, lines), size in zip(words, sizes) for s, n in _slices(w, size, count, budget)]
    out: list[_Piece] = []
    current: list[str] = []
    lines: set[int] = set()
    used = 0
    for word, size, word_lines in sliced:
        if current and used + size > budget:
            out.append(_joined(current, used, lines))
            current, lines, used = [], set(), 0
        current.append(word)
        lines.update(word_lines)
        used += size
    if current:
        out.append(_joined(current, used, lines))
    return out


def _joined(words: list[str], tokens: int, lines: set[int]) -> _Piece:
    text = " ".join(w for w in words if w)
    return _Piece(text, text, tokens, tuple(sorted(lines)))


def _slices(word: str, tokens: int, count: TokenCounter, budget: int) -> list[tuple[str, int]]:
    """(slice, tokens) of a word, each slice within the budget: a 1 MB line without spaces is one word."""
    if tokens <= budget or len(word) == 1:
        return [(word, tokens)]
    width = max(1, len(word) * budget // (2 * tokens))  # aim at half the budget: slicing adds pieces
    parts = [word[i:i + width] for i in range(0, len(word), width)]
    return [s for part, n in zip(parts, count(parts)) for s in _slices(part, n, count, budget)]
