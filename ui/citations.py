"""Citation panels: one expander per cited branch, with its file, lines and highlighted tree.

Pure helpers (`line_span`, `branch_markdown`) turn a `Chunk` into Markdown; `citation_panel`
draws it. The numbers on the panels are the `[n]` markers of the answer text.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

import streamlit as st

from indexer.chunk import Chunk

INDENT = 2  # spaces per level in `Chunk.text`
_BLOCK_START = re.compile(r"^(#{1,6}\s|>|[-*+]\s|\d{1,9}[.)]\s)")  # would turn a list item into a block


def line_span(lines: Iterable[int]) -> str:
    """Sorted line numbers as short ranges.

    >>> line_span((3, 4, 5, 9))
    '3–5, 9'
    """
    ordered = sorted(set(lines))
    runs: list[list[int]] = []
    for line in ordered:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def branch_rows(chunk: Chunk) -> list[tuple[int | None, int, str]]:
    """(source line or None, depth, text) per display line of the branch.

    Lines pair with `chunk.lines` when there is one line number per display line (the usual
    case); a branch shortened by the chunker shows without numbers rather than wrong ones.
    """
    texts = chunk.text.split("\n")
    numbers: list[int | None] = list(chunk.lines) if len(chunk.lines) == len(texts) else [None] * len(texts)
    rows = []
    for number, text in zip(numbers, texts):
        stripped = text.lstrip(" ")
        rows.append((number, (len(text) - len(stripped)) // INDENT, stripped))
    return rows


def branch_markdown(chunk: Chunk, supporting: Iterable[int] = ()) -> str:
    """The branch as a nested Markdown list with line numbers; supporting lines are marked.

    >>> c = Chunk("i", "a.md", ("A",), (1, 2), "A\\n  b", "A\\nb", "h")
    >>> print(branch_markdown(c, supporting=(2,)))
    - `1` A
      - `2` <mark>b</mark>
    """
    return rows_markdown(branch_rows(chunk), supporting)


def rows_markdown(rows: Iterable[tuple[int | None, int, str]], marked: Iterable[int] = (),
                  changed: Iterable[int] = ()) -> str:
    """(line, depth, text) rows → a nested Markdown list: line numbers as a gutter, `marked` lines
    highlighted, `changed` lines tagged.

    >>> print(rows_markdown([(4, 0, "Timeout"), (5, 1, "Max 900s")], marked=(5,), changed=(5,)))
    - `4` Timeout
      - `5` <mark>Max 900s</mark> :orange-badge[changed]
    """
    marked, changed = set(marked), set(changed)
    lines = []
    for number, depth, text in rows:
        body = _escape(text)
        if number in marked:
            body = f"<mark>{body}</mark>"
        if number in changed:
            body += " :orange-badge[changed]"
        gutter = f"`{number}` " if number is not None else ""
        lines.append(f"{'  ' * depth}- {gutter}{body}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Keep inline Markdown, but not raw HTML or a leading marker that would open a new block."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\\" + text if _BLOCK_START.match(text) else text


def citation_panel(title: str, chunk: Chunk, supporting: Iterable[int] = (),
                   on_browse: Callable[[], None] | None = None, key: str = "", note: str = "") -> None:
    """One expander: `title`, then `note` as a warning, file and lines, the highlighted branch and a
    link to the outline."""
    with st.expander(title):
        if note:
            st.warning(note, icon=":material/history:")
        st.caption(f":material/description: `{chunk.source}` · lines {line_span(chunk.lines)}")
        st.markdown(branch_markdown(chunk, supporting), unsafe_allow_html=True)
        if on_browse is not None and st.button("Show in outline", key=key, type="tertiary",
                                               icon=":material/account_tree:"):
            on_browse()
