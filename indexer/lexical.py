"""BM25 over the chunks' search texts, kept as term ids per chunk so that an update tokenizes only
the chunks whose text is new and rebuilds the score matrix with a few array operations.

Scores are Lucene's BM25 as bm25s computes it by default (k1 1.5, b 0.75,
idf log(1 + (N-df+.5)/(df+.5))).
Owns the lexical files of an index folder; the tokenizer is `lexical_tokens`. store.py decides when
to build, save and load.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from indexer.chunk import Chunk

K1, B = 1.5, 0.75
VOCABULARY, TERMS = "lexical.vocabulary.json", "lexical.terms.npz"
_WORD = re.compile(r"[A-Za-z0-9]+")
_ACRONYM_PLURAL = re.compile(
    r"\b([A-Z][A-Z0-9]+)s\b"
)  # "WCUs" → "WCU": stemmers leave acronyms alone


def lexical_tokens(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stemmed words without English stop words: the same for chunks and questions.

    >>> lexical_tokens(["Provisioned WCUs and the buckets"])
    [['provis', 'wcu', 'bucket']]
    """
    import bm25s  # its tokenizer and the Snowball stemmer: imported on first use, like the models
    import Stemmer

    texts = [_ACRONYM_PLURAL.sub(r"\1", text) for text in texts]
    return bm25s.tokenize(
        texts,
        stopwords="en",
        stemmer=Stemmer.Stemmer("english"),
        return_ids=False,
        show_progress=False,
    )


def joined_words(texts: Sequence[str]) -> frozenset[str]:
    """Each two neighbouring words of the texts written as one, as names often are: "Route 53" →
    "route53", "Secure String" → "securestr" (stemmed like `lexical_tokens`).

    >>> sorted(joined_words(["Route 53 zones"]))
    ['53zone', 'route53']
    """
    pairs = [a + b for text in texts for a, b in itertools.pairwise(_WORD.findall(text))]
    return (
        frozenset(token for tokens in lexical_tokens(pairs) for token in tokens)
        if pairs
        else frozenset()
    )


class Lexical:
    """The lexical index of a list of chunks: term ids per chunk (`terms[offsets[i]:offsets[i+1]]`)
    and, per term, the chunks that hold it with their BM25 weight."""

    def __init__(self, vocabulary: list[str], terms: np.ndarray, offsets: np.ndarray):
        self.vocabulary, self.terms, self.offsets = vocabulary, terms, offsets
        self._ids = {term: i for i, term in enumerate(vocabulary)}
        self._weights, self._chunks, self._starts = _bm25(terms, offsets, len(vocabulary))

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], previous: tuple[Lexical, Sequence[Chunk]] | None = None
    ) -> Lexical:
        """Index the chunks; a chunk whose text the previous index holds keeps its term ids
        untokenized."""
        old, old_chunks = previous if previous is not None else (None, ())
        position = {c.content_hash: i for i, c in enumerate(old_chunks)}
        ids = dict(old._ids) if old is not None else {}
        fresh = [c.search_text for c in chunks if c.content_hash not in position]
        tokenized = iter(lexical_tokens(fresh) if fresh else ())
        pieces = []
        for chunk in chunks:
            at = position.get(chunk.content_hash)
            if at is None:
                pieces.append(
                    np.array([ids.setdefault(t, len(ids)) for t in next(tokenized)], dtype=np.int64)
                )
            else:
                pieces.append(old.terms[old.offsets[at] : old.offsets[at + 1]])
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces], dtype=np.int64)])
        flat = np.concatenate(pieces).astype(np.int64) if pieces else np.zeros(0, np.int64)
        used, terms = np.unique(
            flat, return_inverse=True
        )  # drops the words no chunk holds any more
        names = list(ids)
        return cls([names[i] for i in used], terms.astype(np.int32).reshape(-1), offsets)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every chunk for the question's tokens (a repeated token counts again)."""
        scores = np.zeros(len(self.offsets) - 1, dtype=np.float32)
        for term in (self._ids[t] for t in tokens if t in self._ids):
            start, end = self._starts[term], self._starts[term + 1]
            scores[self._chunks[start:end]] += self._weights[start:end]
        return scores

    def save(self, folder: Path) -> None:
        np.savez(folder / TERMS, terms=self.terms, offsets=self.offsets)
        (folder / VOCABULARY).write_text(
            json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Lexical:
        """Raises OSError or ValueError for missing or unreadable files (store.py names the fix)."""
        vocabulary = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
        with np.load(folder / TERMS) as stored:
            terms, offsets = stored["terms"], stored["offsets"]
        if (
            terms.size
            and (terms.min() < 0 or terms.max() >= len(vocabulary))
            or offsets[-1] != terms.size
        ):
            raise ValueError("term ids and vocabulary disagree")
        return cls(vocabulary, terms, offsets)


def _bm25(
    terms: np.ndarray, offsets: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weights, chunks, starts): term t's chunks and weights are [starts[t]:starts[t+1]]."""
    n_chunks = len(offsets) - 1
    lengths = np.diff(offsets)
    chunk_of = np.repeat(np.arange(n_chunks, dtype=np.int64), lengths)
    pairs, frequency = np.unique(
        terms.astype(np.int64) * max(n_chunks, 1) + chunk_of, return_counts=True
    )
    term, chunk = np.divmod(pairs, max(n_chunks, 1))  # sorted by term, then chunk
    holding = np.bincount(term, minlength=n_terms)
    idf = np.log(1 + (n_chunks - holding + 0.5) / (holding + 0.5)).astype(np.float32)
    average = lengths.mean() if n_chunks else 1.0
    tf = frequency.astype(np.float32)
    weights = idf[term] * (tf / (K1 * ((1 - B) + B * lengths[chunk] / average) + tf))
    starts = np.concatenate([[0], np.cumsum(holding)])
    return weights.astype(np.float32), chunk.astype(np.int32), starts
