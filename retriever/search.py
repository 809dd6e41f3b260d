"""Question → ranked `Hit`s: dense (FAISS) and lexical (BM25) candidates, fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.chunk import Chunk
from indexer.embed import Embedder
from indexer.store import Index
from retriever.fusion import reciprocal_rank_fusion

CANDIDATES = 50  # per retriever, before fusion
MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    rank: int
    score: float  # the ranking score of the mode used (fused, cosine or BM25)
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score (0 when no word matches)


class Retriever:
    """Read-only over one loaded `Index`; safe to share between threads."""

    def __init__(self, index: Index, embedder: Embedder):
        self.index, self.embedder = index, embedder

    def search(self, question: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if not question.strip() or not self.index.chunks:
            return []
        vector = self.embedder.embed([question])[0]
        dense = dict(self.index.dense_search(vector, CANDIDATES))
        lexical = self.index.lexical_scores(question)
        dense_order = list(dense)
        lexical_order = [int(i) for i in np.argsort(-lexical, kind="stable")[:CANDIDATES] if lexical[i] > 0]
        if mode == "dense":
            ranked = [(i, dense[i]) for i in dense_order]
        elif mode == "lexical":
            ranked = [(i, float(lexical[i])) for i in lexical_order]
        else:
            ranked = reciprocal_rank_fusion([dense_order, lexical_order], weights=[1.0, 1.0])
        cosine = self._cosines(vector, [i for i, _ in ranked[:k]], dense)
        return [Hit(self.index.chunks[i], rank, score, cosine[i], float(lexical[i]))
                for rank, (i, score) in enumerate(ranked[:k], start=1)]

    def _cosines(self, vector: np.ndarray, positions: list[int], known: dict[int, float]) -> dict[int, float]:
        missing = [i for i in positions if i not in known]
        return {**known, **dict(zip(missing, self.index.dense_scores(vector, missing)))}
