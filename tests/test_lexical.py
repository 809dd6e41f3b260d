"""indexer.lexical: BM25 scores as bm25s computes them, and an update that re-uses the term ids of
unchanged chunks gives exactly the index a fresh build gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bm25s
import numpy as np
import pytest

from indexer.lexical import TERMS, VOCABULARY, Lexical, lexical_tokens
from indexer.records import Chunk, Row

TEXTS = [
    "S3 > Storage classes\nStandard, Infrequent Access and Glacier storage classes for objects",
    "S3 > Replication\nCross-region replication copies objects to a bucket in another region",
    "DynamoDB > Capacity\nProvisioned WCUs and RCUs; on-demand capacity scales with traffic",
    "VPC > NAT gateway\nA NAT gateway lets private subnets reach the internet; NAT NAT NAT",
    "VPC > Endpoints\nGateway endpoints for S3 and DynamoDB keep traffic inside the VPC",
    "Lambda > Limits\nMemory from 128 MB to 10240 MB; timeout up to 15 minutes",
]
QUESTIONS = [
    "replication of S3 objects to another region",
    "NAT gateway",
    "WCUs",
    "gateway endpoint traffic",
    "the the of",
    "zebra",
]


def chunk(text: str) -> Chunk:
    return Chunk(
        id=str(abs(hash(text))),
        source="n.md",
        path=("n",),
        lines=(1,),
        rows=(Row(1, 0, text),),
        search_text=text,
        content_hash=str(abs(hash(text))),
    )


def reference_scores(texts: list[str], question: str) -> np.ndarray:
    model = bm25s.BM25()  # Lucene BM25, k1 1.5, b 0.75: the bm25s defaults
    model.index(lexical_tokens(texts), show_progress=False)
    tokens = [t for t in lexical_tokens([question])[0] if t in model.vocab_dict]
    return model.get_scores(tokens) if tokens else np.zeros(len(texts))


@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_equal_those_of_bm25s(question: str) -> None:
    lexical = Lexical.build([chunk(t) for t in TEXTS])

    scores = lexical.scores(lexical_tokens([question])[0])

    assert np.allclose(scores, reference_scores(TEXTS, question), atol=1e-5)


def test_an_update_reusing_term_ids_equals_a_fresh_build() -> None:
    before = [chunk(t) for t in TEXTS]
    after = [
        before[3],
        chunk(TEXTS[0] + " and Deep Archive"),
        *before[4:],
        chunk("EFS > Modes\nBursting throughput"),
    ]

    updated = Lexical.build(after, (Lexical.build(before), before))
    fresh = Lexical.build(after)

    assert sorted(updated.vocabulary) == sorted(
        fresh.vocabulary
    )  # words of removed chunks are gone
    for question in [*QUESTIONS, "deep archive", "bursting throughput", "lambda memory"]:
        tokens = lexical_tokens([question])[0]
        assert np.allclose(updated.scores(tokens), fresh.scores(tokens), atol=1e-6)


def test_an_update_tokenizes_only_chunks_with_new_text(monkeypatch) -> None:
    before = [chunk(t) for t in TEXTS]
    previous = Lexical.build(before)
    tokenized: list[str] = []
    monkeypatch.setattr(
        "indexer.lexical.lexical_tokens",
        lambda texts: tokenized.extend(texts) or lexical_tokens(texts),
    )
    moved = [dataclasses.replace(c, lines=(9,)) for c in before]

    Lexical.build([*moved, chunk("EFS > Modes\nBursting")], (previous, before))

    assert tokenized == ["EFS > Modes\nBursting"]


def test_saved_index_loads_with_the_same_scores(tmp_path: Path) -> None:
    lexical = Lexical.build([chunk(t) for t in TEXTS])
    lexical.save(tmp_path)

    loaded = Lexical.load(tmp_path)

    tokens = lexical_tokens(["NAT gateway for S3"])[0]
    assert np.array_equal(loaded.scores(tokens), lexical.scores(tokens))


def test_term_ids_beyond_the_vocabulary_are_refused_on_load(tmp_path: Path) -> None:
    Lexical.build([chunk(t) for t in TEXTS]).save(tmp_path)
    (tmp_path / VOCABULARY).write_text('["s3"]', encoding="utf-8")

    with pytest.raises(ValueError, match="disagree"):
        Lexical.load(tmp_path)
    assert (tmp_path / TERMS).exists()


def test_no_chunks_give_an_empty_index_that_scores_nothing() -> None:
    lexical = Lexical.build([])

    assert lexical.scores(["s3"]).shape == (0,)
