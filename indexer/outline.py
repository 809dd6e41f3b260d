"""Markdown outline → tree of `Node`s. Owns reading files and every rule of outline syntax.

Headings nest by level, bullets by indentation under the nearest heading, indented plain lines
continue the bullet above, and paragraphs become nodes: no content line is dropped.
It does not chunk or embed (see chunk.py).
"""
from __future__ import annotations

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
class Outline:
    source: str  # the file as recorded in chunks, e.g. "seeds/notes.md"
    roots: tuple[Node, ...]
    warnings: tuple[str, ...] = ()

    def walk(self):
        """Every node, depth-first in file order (iterative: outlines may nest thousands deep)."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
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
    """Parse outline text into a tree.

    >>> [n.title for n in parse_outline("# A\\n- b\\n  - c\\n", "x.md").walk()]
    ['A', 'b', 'c']
    """
    parser = _Parser(source)
    # The final newline ends the last line; it does not start another (an open fence would record it).
    for number, raw in enumerate(text.replace("\r\n", "\n").removesuffix("\n").split("\n"), start=1):
        parser.feed(raw.rstrip(), number)
    return Outline(source, tuple(parser.roots), tuple(parser.warnings))


class _Parser:
    """Line-by-line state: the open headings, the open bullets and the node text continues into."""

    def __init__(self, source: str):
        self.source = source
        self.roots: list[Node] = []
        self.warnings: list[str] = []
        self.headings: list[tuple[int, Node]] = []  # (level, node), shallow → deep
        self.bullets: list[tuple[int, Node]] = []  # (indent columns, node), shallow → deep
        self.last: Node | None = None  # the node a continuation line joins
        self.after_blank = True
        self.fence: str | None = None

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
            self._heading(len(heading.group(1)), (heading.group(2) or "").strip(), number)
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

    def _heading(self, level: int, text: str, number: int) -> None:
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
            self.warnings.append(
                f"{self.source}:{number}: indentation of {indent} matches no open level; "
                + (f"attached under line {parent_line}" if parent_line else "attached to the heading"))
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
