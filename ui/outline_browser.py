"""The outline browser page: each outline file as a collapsible tree, with a filter box.

Opening a node shows its path and lines; a filter shows every matching branch under its full
path. Citation panels and the sidebar's list of changes open this page filtered to their branch
(by presetting `FILTER`), and `?path=A › B` in the URL does the same. Lines the last re-index added
or edited are highlighted and marked "changed".
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Mapping

import streamlit as st

from core.errors import OutlineError
from indexer.outline import Node, Outline
from indexer.records import Row
from ui import resources
from ui.citations import line_span, rows_markdown
from ui.index_panel import describe

FILTER = "outline_filter"
MAX_MATCHES = 30
MAX_ROWS = 300  # lines shown per branch before "… more"
SEPARATORS = ("›", ">")


def page(
    files: tuple[tuple[Path, str], ...], changed: Mapping[str, frozenset[int]] | None = None
) -> None:
    st.title(":material/account_tree: Outline", anchor=False)
    if "path" in st.query_params:
        st.session_state[FILTER] = st.query_params["path"]
        del st.query_params["path"]
    query = st.text_input(
        "Filter",
        key=FILTER,
        placeholder="a word, or a path such as Storage › S3",
        help="Words match any line; a path (steps joined by › or >) matches branches.",
    )
    for path, source in files:
        if len(files) > 1:
            st.subheader(f":material/description: {source}", anchor=False)
        try:
            info = path.stat()
            outline = resources.outline(str(path), source, info.st_mtime_ns, info.st_size)
        except OutlineError as error:
            st.error(describe(error))
            continue
        except OSError as error:
            st.error(f"`{source}` cannot be read: {error.strerror}")
            continue
        if query.strip():
            _matches(outline, query, (changed or {}).get(source, frozenset()))
        else:
            for root in outline.roots:
                _tree_node(outline.source, root, (root.title,), open_first=len(outline.roots) == 1)


def walk_paths(outline: Outline) -> Iterator[tuple[Node, tuple[str, ...]]]:
    """Every node with its path of titles, depth-first in file order."""
    stack = [(root, (root.title,)) for root in reversed(outline.roots)]
    while stack:
        node, path = stack.pop()
        yield node, path
        stack.extend((child, (*path, child.title)) for child in reversed(node.children))


def matches(query: str, node: Node, path: tuple[str, ...]) -> bool:
    """A path query matches the end of a node's path, step by step; words match its text.

    >>> from indexer.outline import parse_outline
    >>> o = parse_outline("# Storage\\n## S3\\n- Performance\\n", "x.md")
    >>> [p for n, p in walk_paths(o) if matches("s3 › performance", n, p)]
    [('Storage', 'S3', 'Performance')]
    >>> [n.title for n, p in walk_paths(o) if matches("PERF", n, p)]
    ['Performance']
    """
    steps = [s.strip().lower() for s in _split_path(query) if s.strip()]
    if len(steps) > 1:
        return len(path) >= len(steps) and [t.strip().lower() for t in path[-len(steps) :]] == steps
    return bool(steps) and steps[0] in node.text.lower()


def _split_path(query: str) -> list[str]:
    for separator in SEPARATORS:
        if separator in query:
            return query.split(separator)
    return [query]


def subtree_rows(node: Node, limit: int = MAX_ROWS) -> list[Row]:
    """Rows of a node and its descendants, depth relative to the node (continuation lines one
    deeper)."""
    rows: list[Row] = []
    stack = [(node, 0)]
    while stack and len(rows) < limit:
        current, depth = stack.pop()
        texts = current.text.split("\n")
        rows.extend(
            Row(line, depth + (i > 0), text)
            for i, (line, text) in enumerate(zip(current.lines, texts))
        )
        stack.extend((child, depth + 1) for child in reversed(current.children))
    return rows[:limit]


def _matches(outline: Outline, query: str, changed: frozenset[int]) -> None:
    found = [(node, path) for node, path in walk_paths(outline) if matches(query, node, path)]
    st.caption(
        f"{len(found)} matching {'branch' if len(found) == 1 else 'branches'} in `{outline.source}`"
        + (f", showing the first {MAX_MATCHES}" if len(found) > MAX_MATCHES else "")
    )
    for node, path in found[:MAX_MATCHES]:
        with st.expander(" › ".join(path), expanded=len(found) <= 3):
            _branch(outline.source, node, path, changed)


def _branch(source: str, node: Node, path: tuple[str, ...], changed: frozenset[int]) -> None:
    """The branch's rows: its own lines highlighted, or the lines the last re-index changed in
    it."""
    rows = subtree_rows(node)
    lines = [row.line for row in rows if row.line is not None]
    span = f" (branch: lines {line_span(lines)})" if len(lines) > 1 else ""
    edited = changed.intersection(lines)
    note = f" · changed by the last re-index: line {line_span(edited)}" if edited else ""
    st.caption(f":material/description: `{source}` · line {node.line}{span}{note}")
    st.markdown(
        rows_markdown(rows, marked=edited or node.lines, changed=edited), unsafe_allow_html=True
    )
    if len(rows) >= MAX_ROWS:
        st.caption(
            f"… the branch continues; filter on a deeper path to see more of `{' › '.join(path)}`."
        )


def _tree_node(source: str, node: Node, path: tuple[str, ...], open_first: bool = False) -> None:
    """A node as a lazily filled expander: its content is drawn only while it is open."""
    label = f"{node.title} :gray[· {len(node.children)}]" if node.children else node.title
    box = st.expander(
        label,
        expanded=open_first,
        key=f"tree:{source}:{node.line}",
        on_change="rerun",
        type="compact",
    )
    if not box.open:
        return
    with box:
        st.caption(
            f"`{' › '.join(path)}` · :material/description: `{source}` · line {node.line}"
            + (f"–{node.lines[-1]}" if len(node.lines) > 1 else "")
        )
        leaves: list[Node] = []
        for child in [*node.children, None]:
            if child is not None and not child.children:
                leaves.append(child)
                continue
            if leaves:
                rows = [row for leaf in leaves for row in subtree_rows(leaf)]
                st.markdown(rows_markdown(rows), unsafe_allow_html=True)
                leaves = []
            if child is not None:
                _tree_node(source, child, (*path, child.title))


def open_at(outline_page, path: tuple[str, ...]) -> None:
    """Switch to the browser, filtered to one branch (the "Show in outline" of a citation)."""
    st.session_state[FILTER] = " › ".join(path)
    st.switch_page(outline_page)
