"""retriever.eval: the metrics count what they claim, and on the dev questions the fused retriever
meets the quality bar and beats each of its two halves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import shared_file

from core.errors import BranchwiseError
from indexer.records import Chunk, Row
from retriever.evaluation import (
    Question,
    evaluate,
    read_questions,
    recall_at,
    reciprocal_rank,
    score,
)
from retriever.search import Hit


def hits_with_lines(*line_sets: tuple[int, ...]) -> list[Hit]:
    chunks = [
        Chunk(f"{i:016x}", "n.md", ("A",), lines, (Row(None, 0, "x" * 100),), "A", "h")
        for i, lines in enumerate(line_sets)
    ]
    return [Hit(chunk, rank, 1.0 / rank, 0.0, 0.0) for rank, chunk in enumerate(chunks, start=1)]


def question(gold: set[int], gold_any: bool) -> Question:
    return Question("q", "?", "fact", frozenset(gold), gold_any)


def test_recall_with_gold_any_counts_one_covered_line_as_found() -> None:
    hits = hits_with_lines((1, 2), (7, 8), (3,))

    assert recall_at(hits, question({8, 40}, gold_any=True), k=1) == 0.0
    assert recall_at(hits, question({8, 40}, gold_any=True), k=2) == 1.0


def test_recall_without_gold_any_is_the_share_of_gold_lines_covered() -> None:
    hits = hits_with_lines((1, 2), (7, 8), (3,))

    assert recall_at(hits, question({2, 3, 8, 40}, gold_any=False), k=2) == 0.5
    assert recall_at(hits, question({2, 3, 8, 40}, gold_any=False), k=3) == 0.75


def test_reciprocal_rank_is_one_over_the_first_hit_holding_a_gold_line() -> None:
    hits = hits_with_lines((1,), (5, 6), (9,))

    assert reciprocal_rank(hits, question({9, 6}, gold_any=True)) == 0.5
    assert reciprocal_rank(hits, question({100}, gold_any=True)) == 0.0
    assert reciprocal_rank(hits, question({9}, gold_any=True), k=2) == 0.0


def test_score_averages_over_questions_and_measures_top5_text() -> None:
    found, missed = hits_with_lines((1,), (2,)), hits_with_lines((3,), (4,))
    q = question({1}, gold_any=True)

    row = score([(q, found), (q, missed)])

    assert row["R@1"] == 0.5 and row["MRR@10"] == 0.5
    assert row["top-5 chars"] == 200


def test_read_questions_keeps_gold_lines_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "x1",
                "question": "Why?",
                "kind": "list",
                "gold": [{"line": 4, "path": ["A"]}, {"line": 9, "path": ["B"]}],
            }
        )
        + "\n\n"
    )

    (only,) = read_questions(path)

    assert only == Question("x1", "Why?", "list", frozenset({4, 9}), False)


def test_a_line_that_is_not_json_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "x1", "question": "Why?"}\n{"id": "x2", "question": \n')

    with pytest.raises(BranchwiseError, match=r"q.jsonl:2: not JSON"):
        read_questions(path)


@pytest.fixture
def dev_questions() -> list[Question]:
    """Before `seed_index` in a test's arguments: a clone without ../shared skips without
    indexing."""
    return read_questions(shared_file("eval/dev.jsonl"))


@pytest.mark.model
def test_fused_retrieval_on_the_dev_questions_meets_the_bar_and_beats_each_half(
    dev_questions, seed_index
) -> None:
    _, retriever = seed_index

    overall, _ = evaluate(retriever, dev_questions)

    fused, dense, lexical = overall["hybrid"], overall["dense"], overall["lexical"]
    assert fused["R@5"] >= 0.92 and fused["MRR@10"] >= 0.80, fused
    assert fused["R@5"] > max(dense["R@5"], lexical["R@5"]), overall
    assert fused["MRR@10"] > max(dense["MRR@10"], lexical["MRR@10"]), overall
    assert fused["top-5 chars"] < 3000, fused


def test_results_split_by_shape_whatever_their_kind() -> None:
    from retriever.evaluation import ONE_SENTENCE, SCENARIO_SHAPE, by_shape

    scenario = Question(
        "s", "We run 40 accounts. Which service shares subnets?", "fact", frozenset({1}), True
    )
    short = Question(
        "t", "Which service shares subnets across accounts?", "fact", frozenset({1}), True
    )

    shapes = by_shape([(scenario, []), (short, [])], lambda q: q.text)

    assert shapes == {SCENARIO_SHAPE: [(scenario, [])], ONE_SENTENCE: [(short, [])]}
