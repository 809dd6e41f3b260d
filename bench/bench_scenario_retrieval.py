"""Measure ways of retrieving for scenario questions (several sentences) against today's: one
search over the whole text. Prints Recall@5 and MRR@10 per variant over the multi-sentence
questions of each file, and over its one-sentence questions (which every variant leaves on today's
path).

Variants: the ask weighted and each situation sentence searched apart, fused (`ask+situation`);
the whole text plus each sentence (`whole+sentences`); pseudo-relevance feedback over the tree, the
whole text expanded with the paths of its 5 nearest outline lines for a second round (`feedback`);
the ask and needs (constraints out) matched against single lines by the line index
(`whole+needs lines`); the whole text without its constraints (`no constraints`). No variant's
weight was fitted: each is one plain choice, so these numbers are not tuned to the files.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_scenario_retrieval.py \\
        ../shared/eval/exam.jsonl ../shared/eval/dev2.jsonl
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.cli import add_index_flag, settings_from  # noqa: E402

FEEDBACK_LINES = 5  # nearest lines whose paths expand the question in `feedback`


class Parts:
    """Ranked chunk positions per text (dense, lexical, line votes), each text searched once."""

    def __init__(self, retriever):
        self.retriever = retriever
        self.search = functools.lru_cache(maxsize=None)(self._search)

    def _search(self, text: str) -> tuple[list[int], ...]:
        from retriever.search import CANDIDATES, LINE_CANDIDATES, LineHit, line_votes

        index = self.retriever.index
        vector = self.retriever.embedder.embed([text])[0]
        lexical = index.lexical_scores(text)
        lines = [
            LineHit(index.lines[i], i, s) for i, s in index.line_search(vector, LINE_CANDIDATES)
        ]
        ranked_lexical = [
            int(i) for i in (-lexical).argsort(kind="stable")[:CANDIDATES] if lexical[i] > 0
        ]
        return (
            [i for i, _ in index.dense_search(vector, CANDIDATES)],
            ranked_lexical,
            [i for i, _ in line_votes(lines)],
            [hit.line.path for hit in lines[:FEEDBACK_LINES]],
        )

    def fused(self, weighted: list[tuple[str, float]], lists=(0, 1, 2)) -> list[int]:
        from retriever.fusion import reciprocal_rank_fusion

        rankings = [(self.search(text)[i], weight) for text, weight in weighted for i in lists]
        return [
            i for i, _ in reciprocal_rank_fusion([r for r, _ in rankings], [w for _, w in rankings])
        ]


def variants(parts: Parts) -> dict:
    from retriever.reading import read_question, without_constraints

    def ask_and_situation(text):
        p = read_question(text)
        return parts.fused([(p.ask, 1.0)] + [(s, 0.5) for s in p.situation])

    def feedback(text):
        expanded = text + " " + " ".join(" ".join(path[1:]) for path in parts.search(text)[3])
        return parts.fused([(text, 1.0), (expanded, 0.5)])

    return {
        "today (whole text)": lambda text: parts.fused([(text, 1.0)]),
        "ask+situation": ask_and_situation,
        "whole+sentences": lambda text: parts.fused(
            [(text, 1.0)] + [(s, 0.2) for s in read_question(text).sentences]
        ),
        "feedback": feedback,
        "whole+needs lines": lambda text: _with_lines(parts, text, read_question(text).focus),
        "no constraints": lambda text: parts.fused([(without_constraints(text), 1.0)]),
    }


def _with_lines(parts: Parts, text: str, focus: str) -> list[int]:
    from retriever.fusion import reciprocal_rank_fusion

    whole, lines = parts.search(text), parts.search(focus)[2]
    return [
        i
        for i, _ in reciprocal_rank_fusion(
            [whole[0], whole[1], whole[2], lines], [1.0, 1.0, 1.0, 0.3]
        )
    ]


def scores(ranked: list[tuple[object, list[int]]], chunks) -> tuple[float, float]:
    """(Recall@5, MRR@10) as retriever.eval counts them."""
    recalls, reciprocal = [], []
    for question, positions in ranked:
        covered = [question.gold_lines & set(chunks[p].lines) for p in positions[:10]]
        top5 = set().union(*covered[:5])
        recalls.append(
            float(bool(top5)) if question.gold_any else len(top5) / len(question.gold_lines)
        )
        reciprocal.append(next((1.0 / rank for rank, hit in enumerate(covered, 1) if hit), 0.0))
    return statistics.mean(recalls), statistics.mean(reciprocal)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions", type=Path, nargs="+")
    add_index_flag(parser)
    args = parser.parse_args()
    from retriever.evaluation import read_questions
    from retriever.load import open_retriever
    from retriever.reading import read_question

    retriever = open_retriever(settings_from(args))
    parts = Parts(retriever)
    print("| variant | file | questions | n | R@5 | MRR@10 |\n|---|---|---|---|---|---|")
    for path in args.questions:
        answerable = [q for q in read_questions(path) if q.gold_lines]
        groups = {
            "scenario (2+ sentences)": [q for q in answerable if read_question(q.text).is_scenario],
            "one sentence": [q for q in answerable if not read_question(q.text).is_scenario],
        }
        for name, search in variants(parts).items():
            for group, questions in groups.items():
                if questions and (group.startswith("scenario") or name.startswith("today")):
                    recall, mrr = scores(
                        [(q, search(q.text)) for q in questions], retriever.index.chunks
                    )
                    print(
                        f"| {name} | {path.name} | {group} | {len(questions)} | "
                        f"{recall:.3f} | {mrr:.3f} |"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
