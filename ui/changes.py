"""What a re-index changed, in the app: the sidebar list of changed branches, the earlier answers it
makes stale, and when the automatic re-index may start.

Pure helpers (`mark_stale`, `changed_lines`, `settled`) decide; `change_list` draws. The changes
come from `indexer.changes` through the build's report; this module does not build or compare.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import streamlit as st

from assistant import Turn
from indexer.changes import Change, stale_lines

SHOWN = 10  # changes listed in the sidebar before "and N more"
AUTO = "auto_reindex"  # the toggle's widget key
SETTLE_SECONDS = (
    1.0  # a file saved this recently may still be being written: wait for the next check
)

Browse = Callable[[tuple[str, ...]], None]  # opens the outline browser at a path


def mark_stale(turns: Sequence[Turn], changes: Iterable[Change]) -> list[Turn]:
    """The turns again, each with the numbers of its citations whose cited lines `changes` changed
    or removed added to `stale` (a citation's supporting lines, or its whole branch without
    them)."""
    changes = list(changes)
    marked = []
    for turn in turns:
        hit = {
            c.n
            for c in turn.answer.citations
            if stale_lines(c.id, c.supporting_lines or c.lines, changes)
        }
        stale = tuple(sorted(set(turn.stale) | hit))
        marked.append(dataclasses.replace(turn, stale=stale) if stale != turn.stale else turn)
    return marked


def changed_lines(changes: Iterable[Change]) -> dict[str, frozenset[int]]:
    """Per source file, the lines an update added or edited (what the outline browser highlights).

    >>> changed_lines([Change("changed", ("A",), "f.md", (1, 3), (1, 3), edited=(2,)),
    ...                Change("removed", ("B",), "f.md", None, (4, 5), gone=(4, 5))])
    {'f.md': frozenset({2})}
    """
    found: dict[str, set[int]] = {}
    for change in changes:
        if change.edited:
            found.setdefault(change.source, set()).update(change.edited)
    return {source: frozenset(lines) for source, lines in found.items()}


def settled(
    paths: Iterable[Path], now: float | None = None, seconds: float = SETTLE_SECONDS
) -> bool:
    """Whether no outline file was written in the last `seconds` (the automatic re-index's debounce:
    an editor's save is often a truncate and a write, and several files may be saved together)."""
    now = time.time() if now is None else now
    newest = 0.0
    for path in paths:
        try:
            newest = max(newest, path.stat().st_mtime)
        except OSError:
            continue  # vanished: the build reports it
    return now - newest >= seconds


def change_list(changes: Sequence[Change], browse: Browse | None) -> None:
    """The first `SHOWN` changes, each a link to its branch in the outline browser (a removed branch
    has nowhere to go), then how many more."""
    if not changes:
        st.caption("No branch changed.")
        return
    st.caption(f"{len(changes)} changed {'branch' if len(changes) == 1 else 'branches'}:")
    for number, change in enumerate(changes[:SHOWN]):
        label = (
            "\\" + change.describe()
        )  # its sign (+ - > ~) would otherwise start a list or a quote
        if change.kind == "removed" or browse is None:
            st.caption(label)
        elif st.button(
            label,
            key=f"change-{number}",
            type="tertiary",
            help=f"Show it in the outline, the {change.kind} lines highlighted",
        ):
            browse(change.path)
    if len(changes) > SHOWN:
        st.caption(f"and {len(changes) - SHOWN} more")
