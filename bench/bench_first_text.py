"""Benchmark the time to the first text shown, model mode against extractive mode, in one process:
each question is asked in both modes, the order alternating question by question, so other load on
the machine and warm caches fall on both alike. Prints the medians and their ratio.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_first_text.py ../shared/eval/dev.jsonl
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.startup import start  # noqa: E402

MODES = ("model", "extractive")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("questions", type=Path, help="a question set in the dev-set format")
    args = parser.parse_args()
    start()
    from assistant.backends import open_generator
    from assistant.evaluation import read_cases
    from assistant.pipeline import Assistant
    from core.settings import Settings
    from retriever.load import open_retriever

    settings = Settings.from_env()
    assistant = Assistant(open_retriever(settings), open_generator(settings), settings)
    first: dict[str, list[float]] = {mode: [] for mode in MODES}
    for number, case in enumerate(read_cases(args.questions)):
        for mode in MODES if number % 2 == 0 else reversed(MODES):
            first[mode].append(assistant.ask(case.question, mode=mode).answer.first_token_seconds)
    medians = {mode: statistics.median(times) for mode, times in first.items()}
    print("| mode | questions | median first text |\n|---|---|---|")
    for mode, median in medians.items():
        print(f"| {mode} | {len(first[mode])} | {median * 1000:.1f} ms |")
    print(f"\nmodel / extractive: {medians['model'] / medians['extractive']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
