"""`python -m assistant.fit FILE.jsonl ...`: fit the answer judge on labelled questions,
cross-validated.

Every candidate line of every question is a sample: its signals (assistant/signals.py), labelled 1
when it is a gold line of the question. A logistic regression (L2, Newton's method: a few lines
of numpy) turns signals into a probability, a second one the best lines into a question score;
the answer threshold is the score below which 5% of the answerable questions fall. Reported
numbers are cross-validated (each question scored by a judge fitted without its fold) and held out
by file (each file's questions scored by a judge fitted on the other files only: the closer guess
of what unseen questions get). `--write` stores the judge fitted on all questions in
assistant/judge_weights.json, with those numbers.

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
    from assistant.fitting import FOLDS, fit, held_out_by_file, validate
    from assistant.judge import WEIGHTS_FILE
    from retriever.load import open_retriever

    retriever = open_retriever(settings_from(args))
    read = [(path.name, case) for path in args.questions for case in read_cases(path)]
    samples, validated = validate(retriever, [case for _, case in read], args.folds or FOLDS)
    held = held_out_by_file(samples, [name for name, _ in read], retriever.index.vocabulary)
    print(json.dumps({"cross-validated": validated, "held out by file": held}, indent=1))
    if args.write:
        fitted = {
            **fit(samples, retriever.index.vocabulary).to_json(),
            "fitted on": [path.name for path in args.questions],
            "cross-validated": {k: round(v, 3) for k, v in validated.items()},
            "held out by file": {
                name: {k: round(v, 3) for k, v in numbers.items()} for name, numbers in held.items()
            },
        }
        WEIGHTS_FILE.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
