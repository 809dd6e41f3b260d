"""Markdown outline → tree of `Node`s. Owns reading files and every rule of outline syntax.

Headings nest by level, bullets by indentation under the nearest heading, indented plain lines
continue the bullet above, and paragraphs become nodes: no content line is dropped.
It does not chunk or embed (see chunk.py).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import OutlineError

TAB_WIDTH = 4
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$")  # thematic break / setext underline


@dataclass(eq=False)
class Node:
    """One outline entry: a heading, a bullet or a paragraph, with its continuation lines."""

    text: str  # display text: markers stripped, inline markup kept; continuations joined by "\n"
    line: int  # 1-based line of the entry itself
    depth: int  # 0 for a root
    kind: str  # "heading" | "bullet" | "paragraph"
    more_lines: list[int] = field(default_factory=list)  # continuation lines
    children: list["Node"] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def lines(self) -> tuple[int, ...]:
        return (self.line, *self.more_lines)

    def add_child(self, child: "Node") -> None:
        child.depth = self.depth + 1
        self.children.append(child)

    def continue_with(self, text: str, line: int) -> None:
        self.text = f"{self.text}\n{text}"  # even after an empty first line: one text line per entry of `lines`
        self.more_lines.append(line)


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
    paragraphs) are parsed when first needed (`expand`), so a chunker that re-uses an unchanged branch
    from the last build never parses it. `walk` expands everything it visits."""

    def __init__(self, source: str, text: str):
        self.source = source  # the file as recorded in chunks, e.g. "seeds/notes.md"
        # The final newline ends the last line; it does not start another (an open fence would record it).
        self._text = text.replace("\r\n", "\n").removesuffix("\n")
        self._lines = self._text.split("\n")
        self._warnings: list[tuple[int, str]] = []
        self._spans: dict[Node, _Span] = {}
        self._pending: set[Node] = set()
        self.roots = self._skeleton(_find_headings(self._text))

    def _skeleton(self, headings: list[tuple[int, int, int, str]]) -> tuple[Node, ...]:
        """Parse the lines before the first heading, then link every heading under its parent."""
        parser = _Parser(self.source)
        first = headings[0][0] if headings else len(self._lines)
        for index in range(first):
            parser.feed(self._lines[index].rstrip(), index + 1)
        self._warnings.extend(parser.warnings)
        ends = [line for line, *_ in headings[1:]] + [len(self._lines)]
        open_spans: list[tuple[int, Node]] = []  # (level, node) of headings whose branch is still open
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
        self._spans[node] = _Span(span.level, span.start, span.own_end, end, (span.chars[0], end_char))

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings of the lines parsed so far, in line order."""
        return tuple(message for _, message in sorted(self._warnings, key=lambda warning: warning[0]))

    def warning_lines(self) -> list[int]:
        return sorted(line for line, _ in self._warnings)

    def expand(self, node: Node) -> None:
        """Parse a heading's own lines into its text and children (before its sub-headings)."""
        if node not in self._pending:
            return
        self._pending.discard(node)
        span = self._spans[node]
        headings, node.children = node.children, []
        parser = _Parser.under(self.source, span.level, node)
        for index in range(span.start + 1, span.own_end):
            parser.feed(self._lines[index].rstrip(), index + 1)
        node.children.extend(headings)
        self._warnings.extend(parser.warnings)

    def expanded(self, node: Node) -> bool:
        return node not in self._pending

    def branch(self, node: Node) -> tuple[str, range] | None:
        """(sha1 of its text, its 1-based lines) for a heading's branch; None for other nodes.
        Two branches with equal text parse and chunk alike, but for their line numbers."""
        span = self._spans.get(node)
        if span is None:
            return None
        text = self._text[span.chars[0]:span.chars[1]]
        return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest(), range(span.start + 1, span.end + 1)

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
        raise OutlineError(path, None, "file not found", "check the path given in --seeds or BRANCHWISE_SEEDS") from None
    except IsADirectoryError:
        raise OutlineError(path, None, "is a folder, not a file", "pass the folder itself to --seeds") from None
    except OSError as error:
        raise OutlineError(path, None, f"cannot be read ({error.strerror})", "check its permissions") from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise OutlineError(path, line, "binary content (NUL byte), not a Markdown outline",
                           "remove it from the seeds or pass only .md text files")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1)
        raise OutlineError(path, line, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at byte offset "
                           f"{column} of the line)", "re-save the file as UTF-8") from None


def parse_outline(text: str, source: str) -> Outline:
    """Parse outline text into a tree, every line of it.

    >>> [n.title for n in parse_outline("# A\\n- b\\n  - c\\n", "x.md").walk()]
    ['A', 'b', 'c']
    """
    outline = Outline(source, text)
    for _ in outline.walk():
        pass
    return outline


_LINE_START = re.compile(r"^[^\S\n]*(?:```|~~~)|^ {0,3}#", re.MULTILINE)  # every fence or heading line, and more


def _find_headings(text: str) -> list[tuple[int, int, int, str]]:
    """(0-based line, character offset, level, title) of every heading outside a fenced block: the
    parser's own rules for fences and headings, run over only the lines that could be either."""
    found, fence, line, position = [], None, 0, 0
    for match in _LINE_START.finditer(text):
        start = match.start()
        line += text.count("\n", position, start)
        position = start
        end = text.find("\n", start)
        raw = text[start:end if end >= 0 else len(text)].rstrip()
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
        elif opening := _FENCE.match(raw):
            fence = opening.group(1)
        elif heading := _HEADING.match(raw):
            found.append((line, start, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


class _Parser:
    """Line-by-line state: the open headings, the open bullets and the node text continues into."""

    def __init__(self, source: str):
        self.source = source
        self.roots: list[Node] = []
        self.warnings: list[tuple[int, str]] = []  # (line, message)
        self.headings: list[tuple[int, Node]] = []  # (level, node), shallow → deep
        self.bullets: list[tuple[int, Node]] = []  # (indent columns, node), shallow → deep
        self.last: Node | None = None  # the node a continuation line joins
        self.after_blank = True
        self.fence: str | None = None

    @classmethod
    def under(cls, source: str, level: int, heading: Node) -> "_Parser":
        """A parser in the state it is in just after `heading`'s line (only that heading is open)."""
        parser = cls(source)
        parser.headings.append((level, heading))
        parser.last, parser.after_blank = heading, False
        return parser

    def feed(self, line: str, number: int) -> None:
        if self.fence is not None:
            self._continue_or_paragraph(line.strip(), number)
            if line.strip().startswith(self.fence):
                self.fence = None
            return
        if not line.strip():
            self.after_blank = True
            return
        if fence := _FENCE.match(line):
            self.fence = fence.group(1)
            self._continue_or_paragraph(line.strip(), number)
        elif heading := _HEADING.match(line):
            self.heading(len(heading.group(1)), (heading.group(2) or "").strip(), number)
        elif _RULE.match(line):
            pass  # a separator carries no content; checked before bullets, as "- - -" is one too
        elif bullet := _BULLET.match(line):
            self._bullet(_columns(bullet.group(1)), (bullet.group(3) or "").strip(), number)
        else:
            self._text(line, number)
        self.after_blank = False

    def _attach(self, node: Node, parent: Node | None) -> None:
        if parent is None:
            node.depth = 0
            self.roots.append(node)
        else:
            parent.add_child(node)
        self.last = node

    def heading(self, level: int, text: str, number: int) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        node = Node(text, number, 0, "heading")
        self._attach(node, self.headings[-1][1] if self.headings else None)
        self.headings.append((level, node))
        self.bullets.clear()

    def _bullet(self, indent: int, text: str, number: int) -> None:
        popped: list[int] = []
        while self.bullets and self.bullets[-1][0] >= indent:
            popped.append(self.bullets.pop()[0])
        if popped and indent not in popped and indent > 0:
            parent_line = self.bullets[-1][1].line if self.bullets else None
            self.warnings.append((number,
                f"{self.source}:{number}: indentation of {indent} matches no open level; "
                + (f"attached under line {parent_line}" if parent_line else "attached to the heading")))
        node = Node(text, number, 0, "bullet")
        self._attach(node, self.bullets[-1][1] if self.bullets else self._heading_node())
        self.bullets.append((indent, node))

    def _text(self, line: str, number: int) -> None:
        indent = _columns(line[: len(line) - len(line.lstrip())])
        open_bullet = self.bullets[-1] if self.bullets else None
        if open_bullet and (indent > 0 or not self.after_blank):
            while len(self.bullets) > 1 and self.bullets[-1][0] >= indent > 0:
                self.bullets.pop()  # the line is indented under a shallower bullet
            self.bullets[-1][1].continue_with(line.strip(), number)
            self.last = self.bullets[-1][1]
        elif self.last is not None and self.last.kind == "paragraph" and not self.after_blank:
            self.last.continue_with(line.strip(), number)
        else:
            self.bullets.clear()
            self._attach(Node(line.strip(), number, 0, "paragraph"), self._heading_node())

    def _continue_or_paragraph(self, text: str, number: int) -> None:
        if self.last is not None:
            self.last.continue_with(text, number)
        else:
            self._attach(Node(text, number, 0, "paragraph"), None)

    def _heading_node(self) -> Node | None:
        return self.headings[-1][1] if self.headings else None


def _columns(indent: str) -> int:
    return len(indent.expandtabs(TAB_WIDTH))
