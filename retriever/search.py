"""Question → ranked `Hit`s: dense (FAISS) and lexical (BM25) candidates over chunks, and the
nearest outline lines (each voting for the chunk that holds it best), fused by reciprocal rank.

The question is searched as the outline would write it: mistyped words corrected (spelling.py)
and a title's initials followed by the title ("kds (Kinesis Data Streams)", abbreviations.py).
`retrieve` also hands back those nearest lines (`LineHit`s): the answer judge's candidates from the
whole outline, not only from the top chunks. A scenario question (several sentences) is ranked
by its whole text, as a short one is; what the judge reads of it (`Retrieval.focus`) is its ask and
stated needs (reading.py), so the situation told around the ask does not decide whether it is
answered.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from indexer.chunk import Chunk
from indexer.embed import Embedder
from indexer.lines import OutlineLine
from indexer.store import Index
from retriever.abbreviations import Abbreviations
from retriever.fusion import reciprocal_rank_fusion
from retriever.reading import read_question
from retriever.spelling import Spelling

CANDIDATES = 50  # per retriever, before fusion
LINE_CANDIDATES = 50  # nearest outline lines: a ranked list for fusion, and the judge's candidates
MODES = ("hybrid", "dense", "lexical", "lines")


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    rank: int
    score: float  # the ranking score of the mode used (fused, cosine or BM25)
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score (0 when no word matches)


@dataclass(frozen=True)
class LineHit:
    line: OutlineLine
    position: int  # in `Index.lines`
    cosine: float  # of the question and the line with its path


@dataclass(frozen=True)
class Retrieval:
    """What one search found: the chunks (as hits), and the outline lines nearest the question."""

    question: str
    vector: np.ndarray  # the question's embedding
    hits: list[Hit]
    lines: list[LineHit]
    # what the answer judge reads: the question, or a scenario's ask and needs without constraints
    focus: str


class Retriever:
    """Read-only over one loaded `Index`; safe to share between threads."""

    def __init__(self, index: Index, embedder: Embedder):
        self.index, self.embedder = index, embedder

    @functools.cached_property
    def abbreviations(self) -> Abbreviations:
        """Built on the first search: the initials of every title (a step with lines below it)
        and of every name a note defines ("Recovery Point Objective" of "Recovery Point Objective
        = 1 second")."""
        titles = {step for line in self.index.lines for step in line.path[1:-1]}
        titles |= {line.text.split(" = ")[0] for line in self.index.lines if " = " in line.text}
        return Abbreviations(titles, self.spelling.words, self.embedder.known_words())

    @functools.cached_property
    def spelling(self) -> Spelling:
        """Built on the first search: the words of every line and path step."""
        texts = {text for line in self.index.lines for text in (line.text, *line.path)}
        return Spelling(texts, self.index.vocabulary, self.embedder.known_words())

    def search(self, question: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        return self.retrieve(question, k, mode).hits

    def retrieve(self, question: str, k: int = 5, mode: str = "hybrid") -> Retrieval:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if not question.strip() or not self.index.chunks:
            return Retrieval(question, np.zeros(0, np.float32), [], [], question)
        asked = self.abbreviations.expand(self.spelling.correct(question))
        vector = self.embedder.embed([asked])[0]
        dense = dict(self.index.dense_search(vector, CANDIDATES))
        lexical = self.index.lexical_scores(asked)
        lines = [
            LineHit(self.index.lines[i], i, score)
            for i, score in self.index.line_search(vector, LINE_CANDIDATES)
        ]
        rankings = {
            "dense": [(i, dense[i]) for i in dense],
            "lexical": [
                (int(i), float(lexical[i]))
                for i in np.argsort(-lexical, kind="stable")[:CANDIDATES]
                if lexical[i] > 0
            ],
            "lines": line_votes(lines),
        }
        if mode == "hybrid":
            ranked = reciprocal_rank_fusion(
                [[i for i, _ in r] for r in rankings.values()], weights=[1.0] * 3
            )
        else:
            ranked = rankings[mode]
        cosine = self._cosines(vector, [i for i, _ in ranked[:k]], dense)
        hits = [
            Hit(self.index.chunks[i], rank, score, cosine[i], float(lexical[i]))
            for rank, (i, score) in enumerate(ranked[:k], start=1)
        ]
        return Retrieval(question, vector, hits, lines, focus_of(asked))

    def _cosines(
        self, vector: np.ndarray, positions: list[int], known: dict[int, float]
    ) -> dict[int, float]:
        missing = [i for i in positions if i not in known]
        return {**known, **dict(zip(missing, self.index.dense_scores(vector, missing)))}


def focus_of(question: str) -> str:
    """The question as the judge reads it: unchanged when it is one sentence; for a scenario its ask
    and needs, constraints out ("most cost-effective" asks for no price; measured on exam.jsonl,
    reading it as one made the judge refuse 27% of answerable scenarios, 8% without).

    >>> focus_of("We log from 40 accounts. Which service is the most cost-effective?")
    'Which service is?'
    """
    parts = read_question(question)
    return parts.focus if parts.is_scenario else question


def line_votes(lines: list[LineHit]) -> list[tuple[int, float]]:
    """Chunk positions in the order of their best line, with that line's cosine.

    >>> from indexer.lines import OutlineLine
    >>> hit = lambda chunk, cos: LineHit(OutlineLine("f", 1, ("a",), chunk), 0, cos)
    >>> line_votes([hit(4, 0.9), hit(2, 0.8), hit(4, 0.7)])
    [(4, 0.9), (2, 0.8)]
    """
    best: dict[int, float] = {}
    for hit in lines:
        best.setdefault(hit.line.chunk, hit.cosine)
    return list(best.items())
