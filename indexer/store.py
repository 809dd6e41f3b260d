"""The index folder: FAISS vectors, chunk records, the bm25s lexical index and `manifest.json`.

The only module that imports `faiss` and `bm25s`. It reads and writes folders; deciding what to
embed and swapping folders into place belong to build.py.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from indexer.chunk import Chunk
from indexer.errors import IndexMismatchError, IndexMissingError

FORMAT_VERSION = 1
MANIFEST, CHUNKS, DENSE, LEXICAL = "manifest.json", "chunks.jsonl", "dense.faiss", "lexical"
FIX = "run `python -m indexer --rebuild` to rebuild it"
SWAP_RETRIES = 5


@dataclass(frozen=True)
class Manifest:
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunks: dict[str, str]  # chunk id → content hash
    sources: dict[str, str]  # source file → sha256 of its bytes
    built_at: str
    format_version: int = FORMAT_VERSION
    index_type: str = "flat"
    warnings: list[str] = field(default_factory=list)


def faiss_id(chunk_id: str) -> int:
    """The 63-bit FAISS id of a chunk id (hex digest)."""
    return int(chunk_id, 16) & 0x7FFF_FFFF_FFFF_FFFF


_ACRONYM_PLURAL = re.compile(r"\b([A-Z][A-Z0-9]+)s\b")  # "WCUs" → "WCU": stemmers leave acronyms alone


def lexical_tokens(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stemmed words without English stop words: the same for chunks and questions."""
    return _tokenize(texts, ids=False)


def _tokenize(texts: Sequence[str], ids: bool):
    """`lexical_tokens`, or the same as bm25s ids and vocabulary (`ids`): 20% faster to index."""
    import bm25s
    import Stemmer

    texts = [_ACRONYM_PLURAL.sub(r"\1", text) for text in texts]
    return bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"),
                          return_ids=ids, show_progress=False)


class Index:
    """A loaded, read-only index. A new build makes a new folder and a new `Index`."""

    def __init__(self, folder: Path, manifest: Manifest, chunks: list[Chunk], dense, lexical):
        self.folder, self.manifest, self.chunks = folder, manifest, chunks
        self._dense, self._lexical = dense, lexical
        self._position = {faiss_id(c.id): i for i, c in enumerate(chunks)}
        self._row = np.empty(len(chunks), dtype=np.int64)  # chunk position → row in the FAISS store
        for row, stored_id in enumerate(_id_map(dense)):
            self._row[self._position[int(stored_id)]] = row

    def dense_search(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(chunk position, cosine similarity) of the n nearest chunks."""
        scores, ids = self._dense.search(vector.reshape(1, -1).astype(np.float32), min(n, len(self.chunks)))
        return [(self._position[int(i)], float(s)) for s, i in zip(scores[0], ids[0]) if i != -1]

    def dense_scores(self, vector: np.ndarray, positions: list[int]) -> list[float]:
        """Cosine similarity of the vector with the chunks at these positions."""
        rows = [self._dense.index.reconstruct(int(self._row[p])) for p in positions]
        return [float(np.dot(vector, row)) for row in rows]

    def lexical_scores(self, question: str) -> np.ndarray:
        """BM25 score of every chunk for the question (zeros when no word matches)."""
        tokens = lexical_tokens([question])[0]
        if not tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._lexical.get_scores(tokens), dtype=np.float32)

    def vectors(self) -> dict[str, np.ndarray]:
        """Content hash → stored vector, so an update re-embeds only changed text."""
        inner = self._dense.index
        rows = inner.reconstruct_n(0, inner.ntotal) if inner.ntotal else np.zeros((0, self.manifest.dimension))
        ids = _id_map(self._dense)
        return {self.chunks[self._position[int(i)]].content_hash: rows[r] for r, i in enumerate(ids)}


def write_index(folder: Path, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """Write every file of an index into an empty folder."""
    import bm25s
    import faiss

    dense = faiss.IndexIDMap(faiss.IndexFlatIP(manifest.dimension))
    if chunks:
        dense.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                           np.array([faiss_id(c.id) for c in chunks], dtype=np.int64))
    faiss.write_index(dense, str(folder / DENSE))
    lexical = bm25s.BM25()
    lexical.index(_tokenize([c.search_text for c in chunks], ids=True), show_progress=False)
    lexical.save(str(folder / LEXICAL))
    with open(folder / CHUNKS, "w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(vars(chunk), ensure_ascii=False) + "\n")  # asdict deep-copies: 5× slower
    (folder / MANIFEST).write_text(json.dumps(vars(manifest), indent=1), encoding="utf-8")


def read_manifest(folder: Path) -> Manifest:
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # also when a swap renames the folder mid-read
        raise IndexMissingError(f"no index at {folder}: run `python -m indexer` to build it") from None
    try:
        data = json.loads(text)
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(f"index at {folder} has format version {data.get('format_version')}, "
                                     f"this Branchwise reads {FORMAT_VERSION}: {FIX}")
        return Manifest(**data)
    except (ValueError, TypeError) as error:
        raise IndexMismatchError(f"index at {folder} has an unreadable manifest ({error}): {FIX}") from None


def previous_folder(folder: Path) -> Path:
    """Where the last index waits while a new one is renamed into place."""
    return folder.with_name(folder.name + ".previous")


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
    import bm25s
    import faiss

    if not folder.exists() and previous_folder(folder).exists():
        folder = previous_folder(folder)  # a build is between its two renames
    manifest = read_manifest(folder)
    if embedding_model is not None and manifest.embedding_model != embedding_model:
        raise IndexMismatchError(f"index at {folder} was built with embedding model "
                                 f"{manifest.embedding_model!r}, not {embedding_model!r}: {FIX}")
    try:
        with open(folder / CHUNKS, encoding="utf-8") as lines:
            chunks = [_chunk_from_json(line) for line in lines]
        dense = faiss.read_index(str(folder / DENSE))
        lexical = bm25s.BM25.load(str(folder / LEXICAL)) if chunks else None
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
        raise IndexMismatchError(f"index at {folder} is corrupt ({type(error).__name__}: {error}): {FIX}") from None
    _check_consistent(folder, manifest, chunks, dense)
    return Index(folder, manifest, chunks, dense, lexical)


def _chunk_from_json(line: str) -> Chunk:
    data = json.loads(line)
    return Chunk(**{**data, "path": tuple(data["path"]), "lines": tuple(data["lines"])})


def _id_map(dense) -> np.ndarray:
    import faiss

    return faiss.vector_to_array(dense.id_map)


def _check_consistent(folder: Path, manifest: Manifest, chunks: list[Chunk], dense) -> None:
    """FAISS ids, chunk records and manifest must describe the same chunks."""
    record_ids = {c.id: c.content_hash for c in chunks}
    stored = sorted(int(i) for i in _id_map(dense))
    if (record_ids != manifest.chunks or stored != sorted(faiss_id(i) for i in record_ids)
            or dense.d != manifest.dimension):
        raise IndexMismatchError(f"index at {folder} is inconsistent (vectors, chunks and manifest disagree): {FIX}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
