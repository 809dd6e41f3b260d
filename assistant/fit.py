"""`python -m assistant.fit FILE.jsonl ...`: fit the answer judge on labelled questions,
cross-validated.

Every candidate line of every question is a sample: its signals (assistant/signals.py), labelled 1
when it is a gold line of the question. A logistic regression (L2, Newton's method: a few lines
of numpy) turns signals into a probability; the answer threshold is the best line's score that
best separates answerable from unanswerable questions. Reported numbers are cross-validated: each
question is scored by a judge fitted without its fold. `--write` stores the judge fitted on all
questions in assistant/judge_weights.json, with those numbers.

Examples:
  python -m assistant.fit ../shared/eval/dev.jsonl ../shared/eval/dev2.jsonl
  python -m assistant.fit ../shared/eval/dev.jsonl ../shared/eval/dev2.jsonl --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.cli import add_index_flag, run_command, settings_from
from core.startup import start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.fit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "questions",
        type=Path,
        nargs="+",
        metavar="FILE.jsonl",
        help="question sets with gold lines",
    )
    add_index_flag(parser)
    parser.add_argument("--folds", type=int, help="cross-validation folds (default 5)")
    parser.add_argument(
        "--write", action="store_true", help="store the judge fitted on all questions"
    )
    args = parser.parse_args(argv)
    # Imported after parsing: numpy and the index would make `--help` wait for them.
    from assistant.evaluation import read_cases
    from assistant.fitting import FOLDS, fit, validate
    from assistant.judge import WEIGHTS_FILE
    from retriever.load import open_retriever

    retriever = open_retriever(settings_from(args))
    cases = [case for path in args.questions for case in read_cases(path)]
    samples, validated = validate(retriever, cases, args.folds or FOLDS)
    print(json.dumps({"cross-validated": validated}, indent=1))
    if args.write:
        fitted = {
            **fit(samples, retriever.index.vocabulary).to_json(),
            "fitted on": [path.name for path in args.questions],
            "cross-validated": {k: round(v, 3) for k, v in validated.items()},
        }
        WEIGHTS_FILE.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
