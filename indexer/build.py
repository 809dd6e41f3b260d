"""Build or update an index folder: parse, chunk, embed only new text, write atomically, swap in.

Owns the order of a build under its lock and what it reports. Which files are chunked again is
rechunk.py's, which texts are embedded reembed.py's, the folder's files store.py's and the swap
swap.py's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from core.errors import IndexMismatchError, IndexMissingError, OutlineError
from core.settings import Settings
from indexer.changes import Change, compare
from indexer.chunk_records import read_chunks
from indexer.embed import Embedder
from indexer.lock import BuildLock
from indexer.manifest import Manifest
from indexer.rechunk import chunk_outline_files
from indexer.records import Chunk
from indexer.reembed import vectors_for
from indexer.sources import file_sha256, list_outline_files
from indexer.store import Index, load_index, write_index
from indexer.swap import recover, write_atomically

Progress = Callable[
    [int, int], None
]  # (done so far, total): chunks embedded, or outline files read


@dataclass(frozen=True)
class BuildReport:
    chunks: int
    embedded: int
    removed: int
    unchanged: int
    added: int
    changed: int
    seconds: float
    warnings: tuple[str, ...] = ()
    changes: tuple[
        Change, ...
    ] = ()  # branch by branch, from the index this build replaced (first build: all added)

    def summary(self) -> dict[str, int | float]:
        """The `--json` contract of `python -m indexer`."""
        return {
            "chunks": self.chunks,
            "embedded": self.embedded,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "seconds": round(self.seconds, 3),
            "changes": [change.to_json() for change in self.changes],
        }


def build_index(
    settings: Settings,
    embedder: Embedder,
    rebuild: bool = False,
    progress: Progress | None = None,
    reading: Progress | None = None,
) -> BuildReport:
    """Bring the index at `settings.index_dir` up to date with the outline files; `progress` hears
    about chunks embedded, `reading` about changed outline files parsed and chunked."""
    started = time.perf_counter()
    folder = Path(settings.index_dir)
    with BuildLock(folder) as lock:
        recover(folder)
        old = None if rebuild else _previous_index(folder, embedder.model_id)
        files = list_outline_files(settings.seeds)
        hashes, warnings = _hash_files(files)
        if lock.stale_pid:
            warnings.append(f"cleared a stale build lock left by process {lock.stale_pid}")
        if old is not None and _up_to_date(old, settings, hashes):
            n = len(old.chunks)
            return BuildReport(n, 0, 0, n, 0, 0, time.perf_counter() - started, tuple(warnings))
        chunked, problems = chunk_outline_files(files, hashes, settings, embedder, old, reading)
        warnings.extend(problems)
        chunks = [chunk for part in chunked.values() for chunk in part.chunks]
        vectors, embedded = vectors_for(chunks, old, embedder, progress)
        manifest = Manifest(
            embedding_model=embedder.model_id,
            dimension=embedder.dimension,
            chunk_tokens=settings.chunk_tokens,
            chunks={c.id: c.content_hash for c in chunks},
            sources=hashes,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            warnings=warnings,
        )
        branches = {source: part.branches for source, part in chunked.items()}
        before = (
            old.chunks if old is not None else read_chunks(folder)
        )  # a --rebuild reports changes too
        write_atomically(
            folder, lambda into: write_index(into, manifest, chunks, vectors, branches, old)
        )
    return _report(
        old,
        chunks,
        embedded,
        time.perf_counter() - started,
        warnings,
        compare(before, chunks),
    )


def _previous_index(folder: Path, model_id: str) -> Index | None:
    """The index to update from, or None when there is none or it cannot be trusted."""
    try:
        return load_index(folder, model_id)
    except (IndexMissingError, IndexMismatchError):
        return None


def _hash_files(files: list[tuple[Path, str]]) -> tuple[dict[str, str], list[str]]:
    hashes, warnings = {}, []
    for path, source in files:
        try:
            hashes[source] = file_sha256(path)
        except OSError as error:
            if path.is_symlink():  # it loops or points nowhere
                warnings.append(f"{source}: a broken symbolic link ({error.strerror}); skipped")
            elif isinstance(error, FileNotFoundError):
                warnings.append(f"{source}: disappeared while indexing; skipped")
            else:
                raise OutlineError(
                    path, None, f"cannot be read ({error.strerror})", "check its permissions"
                ) from None
    return hashes, warnings


def _up_to_date(old: Index, settings: Settings, hashes: dict[str, str]) -> bool:
    return old.manifest.sources == hashes and old.manifest.chunk_tokens == settings.chunk_tokens


def _report(
    old: Index | None,
    chunks: list[Chunk],
    embedded: int,
    seconds: float,
    warnings: list[str],
    changes: list[Change],
) -> BuildReport:
    before = old.manifest.chunks if old is not None else {}
    after = {c.id: c.content_hash for c in chunks}
    changed = sum(1 for i, h in after.items() if i in before and before[i] != h)
    added = sum(1 for i in after if i not in before)
    removed = sum(1 for i in before if i not in after)
    return BuildReport(
        len(chunks),
        embedded,
        removed,
        len(chunks) - embedded,
        added,
        changed,
        seconds,
        tuple(warnings),
        tuple(changes),
    )
