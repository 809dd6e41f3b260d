"""Build or update an index folder: parse, chunk, embed only new text, write atomically, swap in.

Owns the update policy (what to re-use, what to re-embed) and the crash safety (lock, temporary
folder, rename). Reading and writing the folder's files belongs to store.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import BranchwiseError, IndexMismatchError, IndexMissingError, OutlineError
from core.settings import Settings
from indexer.changes import Change, compare
from indexer.chunk import chunk_file
from indexer.chunk_records import read_chunks
from indexer.embed import Embedder
from indexer.lines import OutlineLine, outline_lines
from indexer.lock import BuildLock
from indexer.manifest import Manifest
from indexer.outline import Outline, read_outline_text
from indexer.records import Chunk, Chunked
from indexer.sources import file_sha256, list_outline_files
from indexer.store import Index, Vectors, load_index, write_index
from indexer.swap import previous_folder

Progress = Callable[
    [int, int], None
]  # (done so far, total): chunks embedded, or outline files read
EMBED_BATCH = 64


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
        _recover(folder)
        old = None if rebuild else _previous_index(folder, embedder.model_id)
        files = list_outline_files(settings.seeds)
        hashes, warnings = _hash_files(files)
        if lock.stale_pid:
            warnings.append(f"cleared a stale build lock left by process {lock.stale_pid}")
        if old is not None and _up_to_date(old, settings, hashes):
            n = len(old.chunks)
            return BuildReport(n, 0, 0, n, 0, 0, time.perf_counter() - started, tuple(warnings))
        chunked, problems = _chunk_files(files, hashes, settings, embedder, old, reading)
        warnings.extend(problems)
        chunks = [chunk for part in chunked.values() for chunk in part.chunks]
        lines = outline_lines(chunks)
        reuse = _stored_vectors(old)
        vectors = _embed_missing(_texts(chunks, lines), reuse, embedder, progress)
        manifest = Manifest(
            embedding_model=embedder.model_id,
            dimension=embedder.dimension,
            chunk_tokens=settings.chunk_tokens,
            chunks={c.id: c.content_hash for c in chunks},
            sources=hashes,
            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            warnings=warnings,
        )
        matrices = Vectors(
            _stack([vectors[_chunk_key(c)] for c in chunks], embedder.dimension),
            _stack([vectors[_line_key(line)] for line in lines], embedder.dimension),
        )
        branches = {source: part.branches for source, part in chunked.items()}
        before = (
            old.chunks if old is not None else read_chunks(folder)
        )  # a --rebuild reports changes too
        _write_atomically(
            folder, lambda into: write_index(into, manifest, chunks, matrices, branches, old)
        )
    return _report(
        old,
        chunks,
        len(chunks) - sum(_chunk_key(c) in reuse for c in chunks),
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


def _chunk_files(
    files,
    hashes,
    settings: Settings,
    embedder: Embedder,
    old: Index | None,
    reading: Progress | None,
) -> tuple[dict[str, Chunked], list[str]]:
    """Each file's chunks, and warnings. A file whose bytes did not change keeps its chunks without
    re-parsing; a changed one re-uses the chunks of its unchanged headings (see `chunk_file`)."""
    same_config = old is not None and old.manifest.chunk_tokens == settings.chunk_tokens
    before = _by_source(old) if same_config else {}
    to_read, read = sum(1 for s, h in hashes.items() if s not in before or before[s][0] != h), 0
    chunked: dict[str, Chunked] = {}
    warnings: list[str] = []
    if reading and to_read:
        reading(0, to_read)  # starts the clock of a bar that shows once reading takes over 2 s
    for path, source in files:
        if source not in hashes:
            continue
        if source in before and before[source][0] == hashes[source]:
            chunked[source] = before[source][1]
            continue
        if path.exists():
            previous = before[source][1] if source in before else None
            chunked[source] = _chunk_file(path, source, settings, embedder, previous, warnings)
        else:  # deleted since it was hashed: as if deleted before the listing
            warnings.append(f"{source}: disappeared while indexing; skipped")
            del hashes[source]
        read += 1
        if reading:
            reading(read, to_read)
    if not any(part.chunks for part in chunked.values()):
        raise OutlineError(
            ", ".join(s for _, s in files) or "(no files)",
            None,
            "nothing to index: no outline content",
            "add Markdown headings or bullets, or point --seeds at your outline",
        )
    _check_unique([chunk for part in chunked.values() for chunk in part.chunks])
    return chunked, warnings


def _by_source(old: Index) -> dict[str, tuple[str, Chunked]]:
    """The last build, per file: (sha256 of its bytes, its chunks and branches)."""
    chunks: dict[str, list[Chunk]] = {}
    for chunk in old.chunks:
        chunks.setdefault(chunk.source, []).append(chunk)
    branches = old.branches()
    return {
        source: (digest, Chunked(chunks.get(source, []), branches.get(source, [])))
        for source, digest in old.manifest.sources.items()
    }


def _chunk_file(
    path: Path,
    source: str,
    settings: Settings,
    embedder: Embedder,
    previous: Chunked | None,
    warnings: list[str],
) -> Chunked:
    outline = Outline(source, read_outline_text(path))
    if not outline.roots:
        warnings.append(f"{source}: empty outline; skipped")
        return Chunked([], [])
    chunked = chunk_file(
        outline, embedder.count_tokens, settings.chunk_tokens, embedder.max_tokens, previous
    )
    warnings.extend(outline.warnings)
    return chunked


def _check_unique(chunks: list[Chunk]) -> None:
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        if chunk.id in seen:
            raise BranchwiseError(
                f"two chunks share id {chunk.id} ({chunk.source} lines {chunk.lines[0]} and "
                f"{seen[chunk.id].lines[0]}); please report this"
            )
        seen[chunk.id] = chunk


def _chunk_key(chunk: Chunk) -> tuple[str, str]:
    return ("chunk", chunk.content_hash)


def _line_key(line: OutlineLine) -> tuple[str, str]:
    return ("line", line.context)


def _texts(chunks: list[Chunk], lines: list[OutlineLine]) -> dict[tuple[str, str], str]:
    """What the index embeds, by the key its vector is kept under: chunks by content hash, lines by
    their embedded text (a line whose path and text are unchanged keeps its vector wherever it
    moves)."""
    return {
        **{_chunk_key(c): c.search_text for c in chunks},
        **{_line_key(line): line.context for line in lines},
    }


def _stored_vectors(old: Index | None) -> dict[tuple[str, str], np.ndarray]:
    if old is None:
        return {}
    return {
        **{("chunk", key): vector for key, vector in old.vectors().items()},
        **{("line", key): vector for key, vector in old.line_vectors().items()},
    }


def _stack(rows: list[np.ndarray], dimension: int) -> np.ndarray:
    return np.stack(rows) if rows else np.zeros((0, dimension), np.float32)


def _embed_missing(
    texts: dict[tuple[str, str], str],
    reuse: dict[tuple[str, str], np.ndarray],
    embedder: Embedder,
    progress: Progress | None,
) -> dict[tuple[str, str], np.ndarray]:
    """Vectors for every key, embedding only texts that have none yet (each text once)."""
    vectors = dict(reuse)
    todo = [(key, text) for key, text in texts.items() if key not in reuse]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        for (key, _), vector in zip(batch, embedder.embed([text for _, text in batch])):
            vectors[key] = vector
        if progress:
            progress(start + len(batch), len(todo))
    return vectors


def _write_atomically(folder: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder, then rename it into place (the old index survives a
    crash)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        write(temporary)
        previous = previous_folder(folder)
        shutil.rmtree(previous, ignore_errors=True)
        if folder.exists():
            os.rename(folder, previous)
        os.rename(temporary, folder)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _recover(folder: Path) -> None:
    """Undo what a killed build left: a half swap, or temporary folders."""
    previous = previous_folder(folder)
    if not folder.exists() and previous.exists():
        os.rename(previous, folder)
    shutil.rmtree(previous, ignore_errors=True)  # left when a build died after its swap
    for leftover in folder.parent.glob(f".{folder.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


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
