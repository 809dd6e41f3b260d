"""The index folder: FAISS vectors, chunk records, the lexical index and `manifest.json`.

The only module that imports `faiss`. It reads and writes whole folders and checks that their files
agree (each file's format through manifest.py, chunk_records.py and lexical.py); deciding what to
embed belongs to build.py, swapping folders into place to swap.py.
"""

from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import IndexMismatchError, IndexMissingError
from indexer.chunk_records import load_chunks, read_branches, write_branches, write_chunks
from indexer.lexical import Lexical, joined_words, lexical_tokens
from indexer.lines import LineTree, OutlineLine, line_tree, outline_lines
from indexer.manifest import FIX, Manifest, read_manifest, write_manifest
from indexer.records import Chunk, ChunkedBranch
from indexer.swap import previous_folder

DENSE = "dense.faiss"
LINES = "lines.faiss"  # one vector per outline line, in `outline_lines(chunks)` order
SWAP_RETRIES = 5


@dataclass(frozen=True)
class Vectors:
    """An index's embeddings: one row per chunk, and one per line of `outline_lines(chunks)`."""

    chunks: np.ndarray
    lines: np.ndarray


def faiss_id(chunk_id: str) -> int:
    """The 63-bit FAISS id of a chunk id (hex digest)."""
    return int(chunk_id, 16) & 0x7FFF_FFFF_FFFF_FFFF


class Index:
    """A loaded, read-only index. A new build makes a new folder and a new `Index`."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        chunks: list[Chunk],
        dense,
        lexical: Lexical,
        line_dense,
        lines: list[OutlineLine],
    ):
        self.folder, self.manifest, self.chunks, self.lines = folder, manifest, chunks, lines
        self._dense, self._lexical, self._line_dense = dense, lexical, line_dense
        self._line_position = {(line.source, line.line): i for i, line in enumerate(lines)}
        self._position = {faiss_id(c.id): i for i, c in enumerate(chunks)}
        self._row = np.empty(len(chunks), dtype=np.int64)  # chunk position → row in the FAISS store
        for row, stored_id in enumerate(_id_map(dense)):
            self._row[self._position[int(stored_id)]] = row

    def dense_search(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) of the n nearest chunks."""
        scores, ids = self._dense.search(
            vector.reshape(1, -1).astype(np.float32), min(n, len(self.chunks))
        )
        return [(self._position[int(i)], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]

    def dense_scores(self, vector: np.ndarray, positions: list[int]) -> list[float]:
        """Cosine similarity of the vector with the chunks at these positions."""
        rows = [self._dense.index.reconstruct(int(self._row[p])) for p in positions]
        return [float(np.dot(vector, row)) for row in rows]

    @functools.cached_property
    def tree(self) -> LineTree:
        """Parents, children and top-level topics of the lines: built once per loaded index."""
        return line_tree(self.lines)

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every stemmed word of the outline (as `lexical_tokens` makes them), and each two
        neighbouring words of a line joined (`joined_words`): the outline's "Secure String" is
        the "SecureString" a question writes."""
        return frozenset(self._lexical.vocabulary) | joined_words(
            [line.text for line in self.lines]
        )

    def line_search(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(line position, cosine similarity) of the n nearest outline lines."""
        if not self.lines:
            return []
        scores, rows = self._line_dense.search(
            vector.reshape(1, -1).astype(np.float32), min(n, len(self.lines))
        )
        return [(int(i), float(s)) for s, i in zip(scores[0], rows[0]) if i != -1]

    def line_scores(self, vector: np.ndarray, positions: list[int]) -> np.ndarray:
        """Cosine similarity of the vector with the outline lines at these positions."""
        if not positions:
            return np.zeros(0, np.float32)
        rows = np.stack([self._line_dense.reconstruct(int(p)) for p in positions])
        return rows @ vector.astype(np.float32)

    def line_position(self, source: str, line: int) -> int | None:
        """Position in `lines` of a source's line, None when no chunk holds it."""
        return self._line_position.get((source, line))

    def line_vectors(self) -> dict[str, np.ndarray]:
        """Embedded line text → stored vector, so an update embeds only new line texts."""
        total = self._line_dense.ntotal
        rows = (
            self._line_dense.reconstruct_n(0, total)
            if total
            else np.zeros((0, self.manifest.dimension))
        )
        return {line.context: rows[i] for i, line in enumerate(self.lines)}

    def lexical_scores(self, question: str) -> np.ndarray:
        """BM25 score of every chunk for the question (zeros when no word matches)."""
        return self._lexical.scores(lexical_tokens([question])[0])

    def vectors(self) -> dict[str, np.ndarray]:
        """Content hash → stored vector, so an update re-embeds only changed text."""
        inner = self._dense.index
        rows = (
            inner.reconstruct_n(0, inner.ntotal)
            if inner.ntotal
            else np.zeros((0, self.manifest.dimension))
        )
        ids = _id_map(self._dense)
        return {
            self.chunks[self._position[int(i)]].content_hash: rows[r] for r, i in enumerate(ids)
        }

    def branches(self) -> dict[str, list[ChunkedBranch]]:
        """Per source file, the branches its last chunking recorded; none when the file is absent or
        unreadable (an update then chunks changed files afresh)."""
        return read_branches(self.folder)


def write_index(
    folder: Path,
    manifest: Manifest,
    chunks: list[Chunk],
    vectors: Vectors,
    branches: dict[str, list[ChunkedBranch]] | None = None,
    previous: Index | None = None,
) -> None:
    """Write every file of an index into an empty folder; chunks `previous` holds are not tokenized
    again."""
    import faiss

    dense = faiss.IndexIDMap(faiss.IndexFlatIP(manifest.dimension))
    if chunks:
        dense.add_with_ids(
            np.ascontiguousarray(vectors.chunks, dtype=np.float32),
            np.array([faiss_id(c.id) for c in chunks], dtype=np.int64),
        )
    faiss.write_index(dense, str(folder / DENSE))
    line_dense = faiss.IndexFlatIP(manifest.dimension)
    if len(vectors.lines):
        line_dense.add(np.ascontiguousarray(vectors.lines, dtype=np.float32))
    faiss.write_index(line_dense, str(folder / LINES))
    Lexical.build(
        chunks, (previous._lexical, previous.chunks) if previous is not None else None
    ).save(folder)
    write_chunks(folder, chunks)
    write_branches(folder, branches or {})
    write_manifest(folder, manifest)


def load_index(folder: Path, embedding_model: str | None = None) -> Index:
    """Load and check an index folder; `embedding_model` must match the one it was built with.

    A build may swap folders while we read: a load that a swap overtook (which could mix files of
    two indexes) is done again, so a reader always gets one whole index, old or new.
    """
    for _ in range(SWAP_RETRIES):
        before = _swap_state(folder)
        try:
            index = _load(folder, embedding_model)
        except (IndexMissingError, IndexMismatchError):
            if _swap_state(folder) == before:
                raise
            continue
        if _swap_state(folder) == before:
            return index
    raise IndexMismatchError(f"index at {folder} kept changing while it was loaded; try again")


def _swap_state(folder: Path) -> tuple:
    """Identity of the index folder and its `.previous`: every rename or new folder changes it."""
    state = []
    for path in (folder, previous_folder(folder)):
        try:
            info = path.stat()
            state.append((info.st_ino, info.st_ctime_ns))
        except FileNotFoundError:
            state.append(None)
    return tuple(state)


def _load(folder: Path, embedding_model: str | None) -> Index:
    import faiss

    if not folder.exists() and previous_folder(folder).exists():
        folder = previous_folder(folder)  # a build is between its two renames
    manifest = read_manifest(folder)
    if embedding_model is not None and manifest.embedding_model != embedding_model:
        raise IndexMismatchError(
            f"index at {folder} was built with embedding model "
            f"{manifest.embedding_model!r}, not {embedding_model!r}: {FIX}"
        )
    try:
        chunks = load_chunks(folder)
        dense = faiss.read_index(str(folder / DENSE))
        line_dense = faiss.read_index(str(folder / LINES))
        lexical = Lexical.load(folder)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, zipfile.BadZipFile) as error:
        raise IndexMismatchError(
            f"index at {folder} is corrupt ({type(error).__name__}: {error}): {FIX}"
        ) from None
    lines = outline_lines(chunks)
    _check_consistent(folder, manifest, chunks, dense, lexical)
    if line_dense.ntotal != len(lines) or line_dense.d != manifest.dimension:
        raise IndexMismatchError(
            f"index at {folder} is inconsistent (line vectors and chunks disagree): {FIX}"
        )
    return Index(folder, manifest, chunks, dense, lexical, line_dense, lines)


def _id_map(dense) -> np.ndarray:
    import faiss

    return faiss.vector_to_array(dense.id_map)


def _check_consistent(
    folder: Path, manifest: Manifest, chunks: list[Chunk], dense, lexical: Lexical
) -> None:
    """FAISS ids, chunk records, lexical index and manifest must describe the same chunks."""
    record_ids = {c.id: c.content_hash for c in chunks}
    stored = sorted(int(i) for i in _id_map(dense))
    if (
        record_ids != manifest.chunks
        or stored != sorted(faiss_id(i) for i in record_ids)
        or dense.d != manifest.dimension
        or len(lexical.offsets) != len(chunks) + 1
    ):
        raise IndexMismatchError(
            f"index at {folder} is inconsistent (vectors, chunks and manifest disagree): {FIX}"
        )
