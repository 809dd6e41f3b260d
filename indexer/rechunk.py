"""Outline files → each file's `Chunked`, for a build: a file whose bytes did not change keeps its
chunks without being parsed; a changed one is parsed and chunked again, re-using the chunks of its
unchanged headings (see `chunk_file`).

Does not list or hash the files (sources.py), embed (reembed.py) or write the index (store.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from core.errors import BranchwiseError, OutlineError
from core.settings import Settings
from indexer.chunk import chunk_file
from indexer.embed import Embedder
from indexer.outline import Outline, read_outline_text
from indexer.records import Chunk, Chunked
from indexer.store import Index


def chunk_outline_files(
    files,
    hashes,
    settings: Settings,
    embedder: Embedder,
    old: Index | None,
    reading: Callable[[int, int], None] | None,
) -> tuple[dict[str, Chunked], list[str]]:
    """Each file's chunks, and warnings. A file whose bytes did not change keeps its chunks without
    re-parsing; a changed one re-uses the chunks of its unchanged headings (see `chunk_file`). A
    file deleted since it was hashed is skipped and dropped from `hashes`."""
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
