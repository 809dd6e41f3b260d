"""The vectors of a build: every chunk and outline line gets one, re-used from the last index while
the text it embeds is unchanged, embedded otherwise (each new text once).

Does not decide what is chunked (rechunk.py) or write the vectors (store.py).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from indexer.embed import Embedder
from indexer.lines import OutlineLine, outline_lines
from indexer.records import Chunk
from indexer.store import Index, Vectors

EMBED_BATCH = 64


def vectors_for(
    chunks: list[Chunk],
    old: Index | None,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None,
) -> tuple[Vectors, int]:
    """The vectors of the chunks and of their outline lines, and how many chunks were embedded;
    `progress` hears about texts embedded."""
    lines = outline_lines(chunks)
    reuse = _stored_vectors(old)
    vectors = _embed_missing(_texts(chunks, lines), reuse, embedder, progress)
    matrices = Vectors(
        _stack([vectors[_chunk_key(c)] for c in chunks], embedder.dimension),
        _stack([vectors[_line_key(line)] for line in lines], embedder.dimension),
    )
    return matrices, len(chunks) - sum(_chunk_key(c) in reuse for c in chunks)


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
    progress: Callable[[int, int], None] | None,
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
