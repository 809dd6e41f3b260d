"""Benchmark the answer judge on this machine: what it adds to answering one question.

For each question of a set it times retrieval alone, then the judge over that retrieval (candidate
lines, signals, both models) and the choice of quotes, and prints medians and p95 in a table.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_judge.py ../shared/eval/dev.jsonl [--index index]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.startup import start  # noqa: E402

start()

from core.cli import add_index_flag, settings_from  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("questions", type=Path, nargs="+")
    add_index_flag(parser)
    args = parser.parse_args()
    from assistant.evaluation import read_cases
    from assistant.judge import Judge
    from assistant.quotes import quotes
    from retriever.load import open_retriever

    retriever = open_retriever(settings_from(args))
    judge = Judge(retriever)
    cases = [case for path in args.questions for case in read_cases(path)]
    retriever.retrieve(cases[0].question)  # loads the model and the tokenizer before the clock runs
    retrieving, judging = [], []
    for case in cases:
        started = time.perf_counter()
        retrieval = retriever.retrieve(case.question, k=5)
        middle = time.perf_counter()
        quotes(judge.judge(retrieval), judge)
        retrieving.append(middle - started)
        judging.append(time.perf_counter() - middle)
    print(f"{len(cases)} questions, {len(retriever.index.lines)} outline lines\n")
    print("| step | p50 | p95 |\n|---|---|---|")
    for name, values in (("retrieval (3 fused lists)", retrieving), ("judge + quotes", judging)):
        print(
            f"| {name} | {statistics.median(values) * 1000:.1f} ms | "
            f"{percentile(values, 0.95) * 1000:.1f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
