"""Citation panels: one expander per cited chunk, with its file, lines and highlighted tree.

Pure helpers (`line_span`, `chunk_markdown`) turn a `Chunk` into Markdown; `citation_panel`
draws it. The numbers on the panels are the `[n]` markers of the answer text.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

import streamlit as st

from indexer.records import Chunk, Row

_BLOCK_START = re.compile(
    r"^(#{1,6}\s|>|[-*+]\s|\d{1,9}[.)]\s)"
)  # would turn a list item into a block


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


def chunk_markdown(chunk: Chunk, supporting: Iterable[int] = ()) -> str:
    """The chunk's rows as a nested Markdown list with line numbers; supporting lines are marked.

    >>> c = Chunk("i", "a.md", ("A",), (1, 2), (Row(1, 0, "A"), Row(2, 1, "b")), "A\\nb", "h")
    >>> print(chunk_markdown(c, supporting=(2,)))
    - `1` A
      - `2` <mark>b</mark>
    """
    return rows_markdown(chunk.rows, supporting)


def rows_markdown(
    rows: Iterable[Row], marked: Iterable[int] = (), changed: Iterable[int] = ()
) -> str:
    """Rows → a nested Markdown list: line numbers as a gutter, `marked` lines highlighted,
    `changed` lines tagged.

    >>> print(
    ...     rows_markdown([Row(4, 0, "Timeout"), Row(5, 1, "Max 900s")], marked=(5,), changed=(5,))
    ... )
    - `4` Timeout
      - `5` <mark>Max 900s</mark> :orange-badge[changed]
    """
    marked, changed = set(marked), set(changed)
    lines = []
    for row in rows:
        body = _escape(row.text)
        if row.line in marked:
            body = f"<mark>{body}</mark>"
        if row.line in changed:
            body += " :orange-badge[changed]"
        gutter = f"`{row.line}` " if row.line is not None else ""
        lines.append(f"{'  ' * row.depth}- {gutter}{body}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Keep inline Markdown, but not raw HTML or a leading marker that would open a new block."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\\" + text if _BLOCK_START.match(text) else text


def citation_panel(
    title: str,
    chunk: Chunk,
    supporting: Iterable[int] = (),
    on_browse: Callable[[], None] | None = None,
    key: str = "",
    note: str = "",
) -> None:
    """One expander: `title`, then `note` as a warning, file and lines, the highlighted branch and a
    link to the outline."""
    with st.expander(title):
        if note:
            st.warning(note, icon=":material/history:")
        st.caption(f":material/description: `{chunk.source}` · lines {line_span(chunk.lines)}")
        st.markdown(chunk_markdown(chunk, supporting), unsafe_allow_html=True)
        if on_browse is not None and st.button(
            "Show in outline", key=key, type="tertiary", icon=":material/account_tree:"
        ):
            on_browse()
