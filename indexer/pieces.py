"""The lines of a chunk being assembled (`Piece`s) and the ways chunk.py cuts and groups them
to fit a token budget: indent, shorten a title, pack consecutive lines, split a huge line."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.crumbs import CRUMB_CHARS, CRUMB_WORDS, PATH_CHARS, TokenCounter, fit


@dataclass
class Piece:
    """A line of a chunk being assembled: display text, plain text, tokens, outline lines, depth."""

    display: str
    search: str
    tokens: int
    lines: tuple[int, ...]
    depth: int = 0  # below the chunk's own node


def indent(piece: Piece, level: int) -> Piece:
    return Piece(piece.display, piece.search, piece.tokens, piece.lines, piece.depth + level)


def shorten(piece: Piece, count: TokenCounter) -> list[Piece]:
    """A child's title line, cut to a few words when it is huge (its own chunks hold it whole)."""
    if piece.tokens <= 32:
        return [piece]
    words = " ".join(piece.search[:CRUMB_CHARS].split()[:CRUMB_WORDS])
    words, tokens = fit(words, count([words])[0], count, 32)
    display = " ".join(piece.display[:CRUMB_CHARS].split()[:CRUMB_WORDS])[:PATH_CHARS]
    return [Piece(display + " …", words, tokens, piece.lines, piece.depth)]


def pack(items: list[Piece], budget: int) -> list[list[Piece]]:
    """Consecutive groups whose tokens fit the budget (an item larger than it stands alone)."""
    groups: list[list[Piece]] = []
    used = budget + 1
    for item in items:
        if used + item.tokens > budget:
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += item.tokens
    return groups


def split_long(pieces: list[Piece], count: TokenCounter, budget: int) -> list[Piece]:
    """Split a node's own text into pieces of at most `budget` tokens, word by word (huge words
    sliced). A line without words (blank, in a code block) rides along as "" so that its line is
    kept."""
    words = [(w, p.lines) for p in pieces for w in p.search.split() or [""]]
    sizes = count([w for w, _ in words]) if words else []
    sliced = [
        (s, n, lines)
        for (w, lines), size in zip(words, sizes)
        for s, n in _slices(w, size, count, budget)
    ]
    out: list[Piece] = []
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


def _joined(words: list[str], tokens: int, lines: set[int]) -> Piece:
    text = " ".join(w for w in words if w)
    return Piece(text, text, tokens, tuple(sorted(lines)))


def _slices(word: str, tokens: int, count: TokenCounter, budget: int) -> list[tuple[str, int]]:
    """(slice, tokens) of a word, each slice within the budget: a 1 MB line without spaces is one
    word."""
    if tokens <= budget or len(word) == 1:
        return [(word, tokens)]
    width = max(
        1, len(word) * budget // (2 * tokens)
    )  # aim at half the budget: slicing adds pieces
    parts = [word[i : i + width] for i in range(0, len(word), width)]
    return [s for part, n in zip(parts, count(parts)) for s in _slices(part, n, count, budget)]
