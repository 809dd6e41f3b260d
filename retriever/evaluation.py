"""Retrieval quality on a question set with gold lines: the records and metrics behind
`python -m retriever.eval` (eval.py, the command line), also used by tests and benches."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.cli import read_jsonl

if TYPE_CHECKING:  # imported where used: the search loads numpy, which `--help` does not need
    from retriever.search import Hit

CUTOFFS = (1, 3, 5, 10)
SCENARIO_SHAPE, ONE_SENTENCE = "(any kind, 2+ sentences)", "(any kind, one sentence)"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    gold_lines: frozenset[int]
    gold_any: bool


def read_questions(path: Path) -> list[Question]:
    """The questions of a question set (dev-set format); a bad line is an error naming it."""
    return read_jsonl(path, _question, 'a JSON object with "id", "question" and "gold" lines')


def _question(item: dict) -> Question:
    return Question(
        item["id"],
        item["question"],
        item.get("kind", ""),
        frozenset(g["line"] for g in item.get("gold", [])),
        bool(item.get("gold_any", False)),
    )


def recall_at(hits: list[Hit], question: Question, k: int) -> float:
    covered = {line for hit in hits[:k] for line in hit.chunk.lines} & question.gold_lines
    if question.gold_any:
        return 1.0 if covered else 0.0
    return len(covered) / len(question.gold_lines)


def reciprocal_rank(hits: list[Hit], question: Question, k: int = 10) -> float:
    for hit in hits[:k]:
        if question.gold_lines & set(hit.chunk.lines):
            return 1.0 / hit.rank
    return 0.0


def score(results: list[tuple[Question, list[Hit]]]) -> dict[str, float]:
    row = {f"R@{k}": statistics.mean(recall_at(h, q, k) for q, h in results) for k in CUTOFFS}
    row["MRR@10"] = statistics.mean(reciprocal_rank(h, q) for q, h in results)
    row["top-5 chars"] = statistics.mean(sum(len(x.chunk.text) for x in h[:5]) for _, h in results)
    return row


def evaluate(retriever, questions: list[Question]) -> tuple[dict, dict]:
    """(metrics per mode, Recall@5 / MRR@10 per kind and per shape for the fused mode)."""
    from retriever.search import MODES

    answerable = [q for q in questions if q.gold_lines]
    by_mode = {
        mode: [(q, retriever.search(q.text, k=10, mode=mode)) for q in answerable] for mode in MODES
    }
    overall = {mode: score(results) for mode, results in by_mode.items()}
    groups = {
        kind: [(q, h) for q, h in by_mode["hybrid"] if q.kind == kind]
        for kind in sorted({q.kind for q in answerable})
    }
    groups.update(by_shape(by_mode["hybrid"], lambda q: q.text))
    per_kind = {}
    for name, subset in groups.items():
        if subset:
            row = score(subset)
            per_kind[name] = {"n": len(subset), "R@5": row["R@5"], "MRR@10": row["MRR@10"]}
    return overall, per_kind


def by_shape(results: list[tuple], text_of) -> dict[str, list[tuple]]:
    """Results split by the question's shape, whatever its kind: a scenario (situation, then the
    ask) or one sentence; `text_of(question)` is its text.

    >>> results = [("We use S3. Why?", 1), ("Why?", 2), ("How?", 3)]
    >>> sorted(len(v) for v in by_shape(results, lambda q: q).values())
    [1, 2]
    """
    from retriever.reading import read_question

    shapes: dict[str, list[tuple]] = {SCENARIO_SHAPE: [], ONE_SENTENCE: []}
    for result in results:
        shapes[
            SCENARIO_SHAPE if read_question(text_of(result[0])).is_scenario else ONE_SENTENCE
        ].append(result)
    return shapes
