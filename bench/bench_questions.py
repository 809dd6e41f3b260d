"""Benchmark search latency by question length: scenario questions of four or more sentences against
the one sentence that asks in each, timed in the same run, interleaved, so load affects both alike.

Prints p50 and p95 of retrieval alone and of retrieval plus the answer judge, and the ratio of the
p50s (the target: a four-sentence question costs at most 3× a one-sentence one).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_questions.py ../shared/eval/exam.jsonl \\
        [--rounds 3] [--index index]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.cli import add_index_flag, settings_from  # noqa: E402

MIN_SENTENCES = 4


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(retriever, judge, question: str) -> tuple[float, float]:
    """(seconds to retrieve, seconds to retrieve and judge)."""
    started = time.perf_counter()
    retrieval = retriever.retrieve(question, k=5)
    middle = time.perf_counter()
    judge.judge(retrieval)
    return middle - started, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each question is searched (default 3)"
    )
    add_index_flag(parser)
    args = parser.parse_args()
    from assistant.evaluation import read_cases
    from assistant.judge import Judge
    from retriever.load import open_retriever
    from retriever.reading import read_question

    retriever = open_retriever(settings_from(args))
    judge = Judge(retriever)
    long = [
        p
        for p in (read_question(c.question) for path in args.questions for c in read_cases(path))
        if len(p.sentences) >= MIN_SENTENCES
    ]
    if not long:
        print(f"no question of {MIN_SENTENCES} or more sentences in these files", file=sys.stderr)
        return 1
    timed(retriever, judge, long[0].text)  # loads the model and the tokenizer before the clock runs
    times: dict[str, list[tuple[float, float]]] = {"scenario": [], "its ask alone": []}
    for _ in range(args.rounds):
        for parts in long:
            times["scenario"].append(timed(retriever, judge, parts.text))
            times["its ask alone"].append(timed(retriever, judge, parts.ask))
    words = {
        "scenario": statistics.mean(len(p.text.split()) for p in long),
        "its ask alone": statistics.mean(len(p.ask.split()) for p in long),
    }
    print(f"{len(long)} questions of {MIN_SENTENCES}+ sentences × {args.rounds} rounds\n")
    print(
        "| question | words (mean) | retrieval p50 | p95 | retrieval + judge p50 | p95 |\n"
        "|---|---|---|---|---|---|"
    )
    for name, pairs in times.items():
        alone, judged = [a for a, _ in pairs], [b for _, b in pairs]
        print(
            f"| {name} | {words[name]:.0f} | {statistics.median(alone) * 1000:.1f} ms | "
            f"{percentile(alone, 0.95) * 1000:.1f} ms | "
            f"{statistics.median(judged) * 1000:.1f} ms | "
            f"{percentile(judged, 0.95) * 1000:.1f} ms |"
        )
    ratio = [
        statistics.median(p[i] for p in times["scenario"])
        / statistics.median(p[i] for p in times["its ask alone"])
        for i in (0, 1)
    ]
    print(
        f"\nscenario / ask alone, p50: retrieval {ratio[0]:.2f}×, retrieval + judge {ratio[1]:.2f}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
