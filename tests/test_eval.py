"""assistant.eval: the answer-quality metrics reported in the README, on hand-made answers, and the
question-set reader's error for files in another format."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation
from assistant.evaluation import Case, read_cases, score
from core.errors import BranchwiseError
from indexer.records import Chunk, Row


def case(id: str, gold: tuple[int, ...] = (), facts: tuple[str, ...] = ()) -> Case:
    return Case(id, f"question {id}?", "refusal" if not gold else "fact", frozenset(gold), facts)


def answer(
    text: str, lines: tuple[int, ...] = (), refused: bool = False, first_token: float = 1.0
) -> Answer:
    chunk = Chunk("c1", "n.md", ("N",), lines, (), "", "h")
    citations = (Citation(1, chunk, lines),) if lines else ()
    return Answer("q", text, citations, refused, (), "extractive", 2.0, first_token)


def test_facts_and_citation_hits_count_only_answered_answerable_questions() -> None:
    results = [
        (
            case("a", gold=(10,), facts=("4 days", "SQS")),
            answer("Kept 4 DAYS in sqs [1]", lines=(9, 10)),
        ),
        (case("b", gold=(20,), facts=("14 days",)), answer("Kept 4 days [1]", lines=(30,))),
        (
            case("c", gold=(40,), facts=("x",)),
            answer("The outline does not cover it", refused=True),
        ),
    ]

    metrics = score(results, [])

    assert (
        metrics["facts"] == 0.5 and metrics["citation hit"] == 0.5
    )  # a and b answered; only a right
    assert metrics["false refusals"] == pytest.approx(1 / 3)


def test_refusal_precision_and_recall() -> None:
    results = [
        (case("r1"), answer("not covered", refused=True)),
        (case("r2"), answer("an invented answer [1]", lines=(5,))),
        (case("a", gold=(7,)), answer("not covered", refused=True)),
        (case("b", gold=(8,)), answer("fine [1]", lines=(8,))),
    ]

    metrics = score(results, [20.0, 30.0, 25.0])

    assert metrics["refusal recall"] == 0.5 and metrics["refusal precision"] == 0.5
    assert metrics["false refusals"] == 0.5
    assert metrics["tokens/s"] == 25.0 and metrics["median first token s"] == 1.0


def test_a_metric_with_nothing_to_count_is_not_a_number() -> None:
    metrics = score([(case("r"), answer("not covered", refused=True))], [])

    assert math.isnan(metrics["facts"]) and math.isnan(metrics["tokens/s"])
    assert metrics["refusal recall"] == 1.0


def test_question_sets_read_in_the_dev_set_format(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "q1", "question": "How long?", "kind": "fact", "gold": [{"line": 3}], '
        '"answer_facts": ["4 days"]}\n\n{"id": "q2", "question": "Price?", "kind": "refusal"}\n'
    )

    cases = read_cases(path)

    assert cases == [
        Case("q1", "How long?", "fact", frozenset({3}), ("4 days",)),
        Case("q2", "Price?", "refusal", frozenset(), ()),
    ]
    assert [c.refusal for c in cases] == [False, True]


def test_another_format_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "no id"}\n')

    with pytest.raises(
        BranchwiseError, match="q.jsonl:1: expected a question in the dev-set format"
    ):
        read_cases(path)


def test_gold_lines_quoted_counts_the_lines_the_answer_draws_on() -> None:
    from assistant.evaluation import gold_quoted

    result = answer("a [1]", lines=(3, 4))

    assert gold_quoted(result, case("a", gold=(3, 4, 5, 6))) == 0.5


def test_invented_numbers_are_those_no_cited_branch_holds() -> None:
    from assistant.evaluation import invented_numbers

    chunk = Chunk(
        "c1", "n.md", ("N", "Limits"), (1, 2), (Row(1, 0, "Limits"), Row(2, 1, "Max 900s")), "", "h"
    )
    result = Answer(
        "q", "Runs 900s [1], or 1200s.", (Citation(1, chunk, (2,)),), False, (), "model", 1.0, 0.1
    )

    assert invented_numbers(result) == 1  # 1200; 900 is in the branch and 1 is its marker


def test_per_kind_rows_also_split_scenarios_from_one_sentence_questions() -> None:
    from assistant.evaluation import per_kind
    from retriever.evaluation import ONE_SENTENCE, SCENARIO_SHAPE

    scenario = Case(
        "s", "We run 40 accounts. Which service shares subnets?", "fact", frozenset({7}), ("RAM",)
    )
    results = [
        (scenario, answer("RAM shares subnets [1]", lines=(7,))),
        (case("a", gold=(8,), facts=("x",)), answer("not covered", refused=True)),
    ]

    rows = per_kind(results)

    assert rows["fact"]["n"] == 2
    assert rows[SCENARIO_SHAPE]["n"] == 1 and rows[SCENARIO_SHAPE]["facts"] == 1.0
    assert rows[ONE_SENTENCE]["n"] == 1 and rows[ONE_SENTENCE]["false refusals"] == 1.0
