"""`python -m retriever.eval FILE.jsonl`: retrieval quality on a question set with gold lines.

Prints Recall@1/3/5/10, MRR@10 and the top-5 text size for the fused, dense-only and lexical-only
retrievers over non-refusal questions, then Recall@5 / MRR@10 per question kind, and per shape: the
questions told as a scenario (two or more sentences) and the one-sentence ones, whatever their kind.
A hit counts when its lines contain a gold line; for `gold_any: false`, Recall@k is the share of gold
lines covered by the top k.

Examples:
  python -m retriever.eval ../shared/eval/dev.jsonl                # the index in ./index
  python -m retriever.eval questions.jsonl --index /tmp/my-index
"""
from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from core.cli import add_index_flag, run_command, settings_from
from retriever.search import MODES, Hit

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
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(Question(item["id"], item["question"], item.get("kind", ""),
                                      frozenset(g["line"] for g in item.get("gold", [])),
                                      bool(item.get("gold_any", False))))
    return questions


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


def markdown_table(rows: dict[str, dict[str, float]], first: str) -> str:
    columns = list(next(iter(rows.values())))
    lines = [f"| {first} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        cells = [f"{v:.0f}" if c.endswith("chars") or c == "n" else f"{v:.3f}" for c, v in row.items()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def evaluate(retriever, questions: list[Question]) -> tuple[dict, dict]:
    """(metrics per mode, Recall@5 / MRR@10 per kind and per shape for the fused mode)."""
    answerable = [q for q in questions if q.gold_lines]
    by_mode = {mode: [(q, retriever.search(q.text, k=10, mode=mode)) for q in answerable] for mode in MODES}
    overall = {mode: score(results) for mode, results in by_mode.items()}
    groups = {kind: [(q, h) for q, h in by_mode["hybrid"] if q.kind == kind] for kind in sorted({q.kind for q in answerable})}
    groups.update(by_shape(by_mode["hybrid"], lambda q: q.text))
    per_kind = {}
    for name, subset in groups.items():
        if subset:
            row = score(subset)
            per_kind[name] = {"n": len(subset), "R@5": row["R@5"], "MRR@10": row["MRR@10"]}
    return overall, per_kind


def by_shape(results: list[tuple], text_of) -> dict[str, list[tuple]]:
    """Results split by the question's shape, whatever its kind: a scenario (situation, then the ask)
    or one sentence; `text_of(question)` is its text.

    >>> sorted(len(v) for v in by_shape([("We use S3. Why?", 1), ("Why?", 2), ("How?", 3)], lambda q: q).values())
    [1, 2]
    """
    from retriever.reading import read_question

    shapes: dict[str, list[tuple]] = {SCENARIO_SHAPE: [], ONE_SENTENCE: []}
    for result in results:
        shapes[SCENARIO_SHAPE if read_question(text_of(result[0])).is_scenario else ONE_SENTENCE].append(result)
    return shapes


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m retriever.eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path, metavar="FILE.jsonl", help="e.g. ../shared/eval/dev.jsonl")
    add_index_flag(parser)
    args = parser.parse_args()
    from retriever.load import open_retriever

    retriever = open_retriever(settings_from(args))
    overall, per_kind = evaluate(retriever, read_questions(args.questions))
    print(markdown_table(overall, "retriever"))
    print()
    print(markdown_table(per_kind, "kind (fused)"))
    return 0


if __name__ == "__main__":
    run_command(main)
