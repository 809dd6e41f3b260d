"""Markdown outline file → tree of `Node`s, parsed heading by heading as it is needed.

Owns reading outline files (and their errors) and which part of a file is parsed when; the syntax
of a line belongs to syntax.py. It does not chunk or embed (see chunk.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from core.errors import OutlineError
from indexer.syntax import LineParser, Node, find_headings

__all__ = ["Node", "Outline", "parse_outline", "read_outline_text"]


@dataclass(frozen=True)
class _Span:
    """A heading's place in the file: 0-based line indexes and character offsets of its branch."""

    level: int
    start: int  # the heading's line
    own_end: int  # the next heading's line: its own lines end there
    end: int  # the next heading at its level or above: its branch ends there
    chars: tuple[int, int]  # the branch as offsets into the normalised text


class Outline:
    """A parsed outline file. Headings are found up front; a heading's own lines (its bullets and
    paragraphs) are parsed when first needed (`expand`), so a chunker that re-uses an unchanged
    branch from the last build never parses it. `walk` expands everything it visits."""

    def __init__(self, source: str, text: str):
        self.source = source  # the file as recorded in chunks, e.g. "seeds/notes.md"
        # The final newline ends the last line; it does not start another (an open fence would
        # record it).
        self._text = text.replace("\r\n", "\n").removesuffix("\n")
        self._lines = self._text.split("\n")
        self._warnings: list[tuple[int, str]] = []
        self._spans: dict[Node, _Span] = {}
        self._pending: set[Node] = set()
        self._fingerprints: dict[Node, tuple[str, range]] = {}
        self.roots = self._skeleton(find_headings(self._text))

    def _skeleton(self, headings: list[tuple[int, int, int, str]]) -> tuple[Node, ...]:
        """Parse the lines before the first heading, then link every heading under its parent."""
        parser = LineParser(self.source)
        first = headings[0][0] if headings else len(self._lines)
        for index in range(first):
            parser.feed(self._lines[index].rstrip(), index + 1)
        self._warnings.extend(parser.warnings)
        ends = [line for line, *_ in headings[1:]] + [len(self._lines)]
        open_spans: list[
            tuple[int, Node]
        ] = []  # (level, node) of headings whose branch is still open
        for (line, chars, level, title), own_end in zip(headings, ends):
            while open_spans and open_spans[-1][0] >= level:
                self._close(open_spans.pop()[1], line, chars)
            parser.heading(level, title, line + 1)
            node = parser.last
            self._spans[node] = _Span(level, line, own_end, 0, (chars, 0))
            self._pending.add(node)
            open_spans.append((level, node))
        for _, node in open_spans:
            self._close(node, len(self._lines), len(self._text))
        return tuple(parser.roots)

    def _close(self, node: Node, end: int, end_char: int) -> None:
        span = self._spans[node]
        self._spans[node] = _Span(
            span.level, span.start, span.own_end, end, (span.chars[0], end_char)
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings of the lines parsed so far, in line order."""
        return tuple(
            message for _, message in sorted(self._warnings, key=lambda warning: warning[0])
        )

    def warning_lines(self) -> list[int]:
        return sorted(line for line, _ in self._warnings)

    def expand(self, node: Node) -> None:
        """Parse a heading's own lines into its text and children (before its sub-headings)."""
        if node not in self._pending:
            return
        self._pending.discard(node)
        span = self._spans[node]
        headings, node.children = node.children, []
        parser = LineParser.under(self.source, span.level, node)
        for index in range(span.start + 1, span.own_end):
            parser.feed(self._lines[index].rstrip(), index + 1)
        node.children.extend(headings)
        self._warnings.extend(parser.warnings)

    def expanded(self, node: Node) -> bool:
        return node not in self._pending

    def fingerprint(self, node: Node) -> tuple[str, range] | None:
        """(sha1 of its text, its 1-based lines) for a heading's branch; None for other nodes.
        Two branches with equal text parse and chunk alike, but for their line numbers."""
        span = self._spans.get(node)
        if span is None:
            return None
        if node not in self._fingerprints:
            text = self._text[span.chars[0] : span.chars[1]].encode("utf-8", "surrogatepass")
            self._fingerprints[node] = (
                hashlib.sha1(text).hexdigest(),
                range(span.start + 1, span.end + 1),
            )
        return self._fingerprints[node]

    def walk(self):
        """Every node, depth-first in file order (iterative: outlines may nest thousands deep)."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            self.expand(node)
            yield node
            stack.extend(reversed(node.children))


def read_outline_text(path: Path) -> str:
    """The file's text, or an `OutlineError` naming the file, line and byte that is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise OutlineError(
            path, None, "file not found", "check the path given in --seeds or BRANCHWISE_SEEDS"
        ) from None
    except IsADirectoryError:
        raise OutlineError(
            path, None, "is a folder, not a file", "pass the folder itself to --seeds"
        ) from None
    except OSError as error:
        raise OutlineError(
            path, None, f"cannot be read ({error.strerror})", "check its permissions"
        ) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise OutlineError(
            path,
            line,
            "binary content (NUL byte), not a Markdown outline",
            "remove it from the seeds or pass only .md text files",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1)
        raise OutlineError(
            path,
            line,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at byte offset {column} of the line)",
            "re-save the file as UTF-8",
        ) from None


def parse_outline(text: str, source: str) -> Outline:
    """Parse outline text into a tree, every line of it.

    >>> [n.title for n in parse_outline("# A\\n- b\\n  - c\\n", "x.md").walk()]
    ['A', 'b', 'c']
    """
    outline = Outline(source, text)
    for _ in outline.walk():
        pass
    return outline
