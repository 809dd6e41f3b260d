"""The index side of the app: first build, status and change notice in the sidebar, Re-index (by
button, or automatically when the toggle is on), and what the last re-index changed.

Builds go through `indexer.build.build_index`, which writes a new folder and swaps it in
atomically, so a failed build leaves the serving index untouched. After a success the retriever
loader is cleared; its key (the manifest stamp) already points every session at the new folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import streamlit as st

from core.errors import BranchwiseError, OutlineError
from core.settings import Settings
from indexer.build import BuildReport, build_index
from indexer.changes import Change
from indexer.manifest import Manifest
from indexer.sources import list_outline_files
from retriever import Retriever
from ui import changes as change_view
from ui import resources
from ui.chat import TURNS

OUTCOME = "reindex_outcome"  # session_state: the last Re-index of this session
CHECK_EVERY = "4s"  # how often the sidebar looks for edited outline files


@dataclass(frozen=True)
class IndexStatus:
    files: tuple[tuple[Path, str], ...]  # (path, source name) of the outline files found now
    stamp: str  # the serving build ("" when there is no index)
    manifest: Manifest | None
    changes: tuple[str, ...] = ()  # e.g. "notes.md (edited)"
    signature: str = ""  # digest of the outline files' current hashes
    problem: str = ""  # why the index cannot serve as it is


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    belongs_to: str  # the index stamp it produced (success) or the outline signature it failed on
    changes: tuple[Change, ...] = ()  # branch by branch, what a successful re-index changed


def outline_changes(indexed: dict[str, str], current: dict[str, str]) -> tuple[str, ...]:
    """What differs between the indexed file hashes and the files now.

    >>> outline_changes(
    ...     {"a.md": "1", "b.md": "2", "d.md": "5"}, {"a.md": "1", "b.md": "3", "c.md": "4"}
    ... )
    ('b.md (edited)', 'c.md (new)', 'd.md (removed)')
    """
    edited = [f"{s} (edited)" for s in current if s in indexed and indexed[s] != current[s]]
    new = [f"{s} (new)" for s in current if s not in indexed]
    removed = [f"{s} (removed)" for s in indexed if s not in current]
    return tuple(sorted(edited + new + removed))


def describe(error: BranchwiseError) -> str:
    """One Markdown line for `st.error`: file and line first when the outline is at fault."""
    if isinstance(error, OutlineError):
        where = f"`{error.path}`" + (f", line {error.line}" if error.line else "")
        fix = f". {error.fix[:1].upper()}{error.fix[1:]}." if error.fix else ""
        return f"{where}: {error.problem}{fix}"
    return str(error)


def read_status(settings: Settings) -> IndexStatus:
    """Cheap enough for every rerun: a stat per file, hashing only files whose mtime or size
    moved."""
    try:
        files = tuple(list_outline_files(settings.seeds))
    except OutlineError as error:
        return IndexStatus((), "", None, problem=describe(error))
    current = _current_hashes(files)
    signature = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
    stamp = resources.index_stamp(settings.index_dir)
    if not stamp:
        return IndexStatus(files, "", None, signature=signature)
    try:
        manifest = resources.manifest(str(settings.index_dir), stamp)
    except BranchwiseError as error:
        return IndexStatus(files, stamp, None, signature=signature, problem=str(error))
    problem = (
        ""
        if manifest.embedding_model == settings.embedding_model
        else (
            f"the index was built with `{manifest.embedding_model}`, "
            f"not `{settings.embedding_model}`"
        )
    )
    return IndexStatus(
        files, stamp, manifest, outline_changes(manifest.sources, current), signature, problem
    )


def _current_hashes(files: tuple[tuple[Path, str], ...]) -> dict[str, str]:
    hashes = {}
    for path, source in files:
        try:
            info = path.stat()
            hashes[source] = resources.file_hash(str(path), info.st_mtime_ns, info.st_size)
        except OSError:
            continue  # vanished or unreadable: the build reports it
    return hashes


def ready_retriever(settings: Settings, status: IndexStatus) -> Retriever:
    """The retriever over the serving index; builds a missing index first, or explains and stops."""
    if not status.files and not status.problem:
        seeds = ", ".join(f"`{seed}`" for seed in settings.seeds)
        st.error(f"No outline files (`*.md`) in {seeds}: point BRANCHWISE_SEEDS at your notes.")
        st.stop()
    if status.files and not status.stamp:
        st.info(
            f"No index yet at `{settings.index_dir}`: building it from {len(status.files)} outline "
            "file(s). This happens once; later edits re-index only what changed."
        )
        _build_or_stop(settings, rebuild=False)
    if status.problem:
        st.error(f"The index cannot be used: {status.problem}")
        if status.files and st.button("Rebuild the index", type="primary"):
            _build_or_stop(settings, rebuild=True)
        st.stop()
    try:
        return resources.retriever(str(settings.index_dir), settings.embedding_model, status.stamp)
    except BranchwiseError as error:
        st.error(f"The index cannot be loaded: {error}")
        if st.button("Rebuild the index", type="primary"):
            _build_or_stop(settings, rebuild=True)
        st.stop()


def _build_or_stop(settings: Settings, rebuild: bool) -> None:
    try:
        _build(settings, rebuild)
    except BranchwiseError as error:
        st.error(f"Building the index failed: {describe(error)}")
        st.stop()
    resources.retriever.clear()
    st.rerun()


def _build(settings: Settings, rebuild: bool = False) -> BuildReport:
    bar = st.progress(0.0, text="Reading the outline…")
    embedder = resources.embedder(settings.embedding_model)

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Embedding branches and lines: {done} of {total}")

    try:
        return build_index(settings, embedder, rebuild=rebuild, progress=progress)
    finally:
        bar.empty()


@st.fragment(run_every=CHECK_EVERY)
def sidebar_panel(
    settings: Settings, generator_name: str, browse: change_view.Browse | None = None
) -> None:
    """Index facts, a notice when an outline file changed since the build, the Re-index button and
    toggle, and what the last re-index changed (each change opening the outline browser)."""
    status = read_status(settings)
    st.subheader("Index", anchor=False)
    if status.manifest is not None:
        _facts(status, generator_name)
    auto = st.toggle(
        "Re-index when the outline changes",
        key=change_view.AUTO,
        help=f"Checks the outline files every {CHECK_EVERY} and re-indexes a saved edit.",
    )
    if status.changes:
        st.warning("The outline changed since the index was built: " + ", ".join(status.changes))
        clicked = st.button("Re-index", type="primary", icon=":material/refresh:", key="reindex")
        if clicked or auto and _auto_due(status):
            _reindex(settings, status)
    _show_outcome(status, browse)


def _auto_due(status: IndexStatus) -> bool:
    """The toggle re-indexes once the files have settled, and not again on an outline that just
    failed."""
    outcome: Outcome | None = st.session_state.get(OUTCOME)
    failed_here = outcome is not None and not outcome.ok and outcome.belongs_to == status.signature
    return not failed_here and change_view.settled(path for path, _ in status.files)


def last_changes(settings: Settings) -> dict[str, frozenset[int]]:
    """The lines this session's last re-index added or edited, per file, while its index serves."""
    outcome: Outcome | None = st.session_state.get(OUTCOME)
    if (
        outcome is None
        or not outcome.ok
        or outcome.belongs_to != resources.index_stamp(settings.index_dir)
    ):
        return {}
    return change_view.changed_lines(outcome.changes)


def _facts(status: IndexStatus, generator_name: str) -> None:
    manifest = status.manifest
    built = datetime.fromisoformat(manifest.built_at).strftime("%Y-%m-%d %H:%M %Z")
    files = ", ".join(f"`{source}`" for source in manifest.sources)
    st.markdown(
        f"**{len(manifest.chunks)}** branches from {files}  \n"
        f"Embedding model: `{manifest.embedding_model}`  \n"
        f"Generator: `{generator_name}`  \nBuilt: {built}"
    )
    if not status.changes:
        st.caption(":material/check_circle: Up to date with the outline files.")


def _reindex(settings: Settings, status: IndexStatus) -> None:
    try:
        report = _build(settings)
    except BranchwiseError as error:
        message = f"Re-index failed, the previous index keeps answering. {describe(error)}"
        st.session_state[OUTCOME] = Outcome(False, message, status.signature)
        return
    message = (
        f"Re-indexed in {report.seconds:.1f} s: {report.added} added, {report.changed} changed, "
        f"{report.removed} removed ({report.chunks} branches in all). New questions use it."
    )
    st.session_state[OUTCOME] = Outcome(
        True, message, resources.index_stamp(settings.index_dir), report.changes
    )
    if st.session_state.get(TURNS):
        st.session_state[TURNS] = change_view.mark_stale(st.session_state[TURNS], report.changes)
    resources.retriever.clear()
    st.rerun()


def _show_outcome(status: IndexStatus, browse: change_view.Browse | None) -> None:
    outcome: Outcome | None = st.session_state.get(OUTCOME)
    if outcome is None:
        return
    if outcome.ok and outcome.belongs_to == status.stamp:
        st.success(outcome.message)
        change_view.change_list(outcome.changes, browse)
    elif not outcome.ok and outcome.belongs_to == status.signature:
        st.error(outcome.message)
