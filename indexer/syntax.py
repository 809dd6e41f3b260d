"""Outline syntax, line by line: which lines are headings, bullets, fences, paragraphs or their
continuations, and the tree of `Node`s they make. Owns every rule of outline syntax.

Headings nest by level, bullets by indentation under the nearest heading, indented plain lines
continue the bullet above, and paragraphs become nodes: no content line is dropped.
Reading files and deciding what to parse when belong to outline.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
        # even after an empty first line: one text line per entry of `lines`
        self.text = f"{self.text}\n{text}"
        self.more_lines.append(line)


_LINE_START = re.compile(
    r"^[^\S\n]*(?:```|~~~)|^ {0,3}#", re.MULTILINE
)  # every fence or heading line, and more


def find_headings(text: str) -> list[tuple[int, int, int, str]]:
    """(0-based line, character offset, level, title) of every heading outside a fenced block: the
    parser's own rules for fences and headings, run over only the lines that could be either."""
    found, fence, line, position = [], None, 0, 0
    for match in _LINE_START.finditer(text):
        start = match.start()
        line += text.count("\n", position, start)
        position = start
        end = text.find("\n", start)
        raw = text[start : end if end >= 0 else len(text)].rstrip()
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
        elif opening := _FENCE.match(raw):
            fence = opening.group(1)
        elif heading := _HEADING.match(raw):
            found.append((line, start, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


class LineParser:
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
    def under(cls, source: str, level: int, heading: Node) -> "LineParser":
        """A parser in the state it is in just after `heading`'s line (only that heading is
        open)."""
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
            self.warnings.append(
                (
                    number,
                    f"{self.source}:{number}: indentation of {indent} matches no open level; "
                    + (
                        f"attached under line {parent_line}"
                        if parent_line
                        else "attached to the heading"
                    ),
                )
            )
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
