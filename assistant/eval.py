"""`python -m assistant.eval FILE.jsonl`: answer quality on a question set in the dev-set format.

For model mode and extractive-only mode, prints a markdown table: the share of answered
questions whose answer contains every `answer_facts` string (case-insensitive), the share whose
citations cover a gold line, refusal precision and recall on `refusal` questions, the
false-refusal rate, median time to first token, and the model's tokens/s.
Then the same per question kind, and per shape (scenario questions of two or more sentences, and
one-sentence ones, whatever their kind). `--cross-validated` answers each question with a judge
fitted without it (5 folds over the given questions): the numbers to report for questions the judge
was fitted on. `--calibrate` prints the judge's scores of answerable vs unanswerable questions
instead, the threshold, and its cross-validated precision and recall.

Examples:
  python -m assistant.eval ../shared/eval/dev.jsonl
  python -m assistant.eval ../shared/eval/dev.jsonl --extractive          # no model needed
  python -m assistant.eval ../shared/eval/dev.jsonl ../shared/eval/dev2.jsonl \\
      --extractive --cross-validated
  python -m assistant.eval ../shared/eval/dev.jsonl --template quoted \\
      --show  # without the worked example
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli import (
    add_index_flag,
    add_model_server_flags,
    markdown_table,
    run_command,
    settings_from,
)
from core.startup import start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "questions",
        type=Path,
        nargs="+",
        metavar="FILE.jsonl",
        help="e.g. ../shared/eval/dev.jsonl",
    )
    add_index_flag(parser)
    add_model_server_flags(parser)
    parser.add_argument(
        "--model", help="generator model (default: the bundled SmolLM2-135M-Instruct)"
    )
    parser.add_argument("--extractive", action="store_true", help="extractive mode only (no model)")
    parser.add_argument(
        "--modes", default="model,extractive", help="modes to score (default: both)"
    )
    parser.add_argument("--template", help="prompt template name (see assistant.prompt.TEMPLATES)")
    parser.add_argument(
        "--unconstrained",
        action="store_true",
        help="let the model write any token (to measure what constrained decoding does)",
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="print the judge's score distributions"
    )
    parser.add_argument(
        "--cross-validated",
        action="store_true",
        help="answer each question with a judge fitted without it (5 folds over these questions)",
    )
    parser.add_argument("--show", action="store_true", help="print every answer to stderr")
    args = parser.parse_args(argv)
    from assistant.evaluation import (
        COUNTS,
        TimedGenerator,
        calibration,
        fold_assistants,
        per_kind,
        read_cases,
        run_mode,
        score,
    )

    cases = [case for path in args.questions for case in read_cases(path)]
    settings = settings_from(args)
    from assistant.pipeline import Assistant
    from assistant.prompt import DEFAULT_TEMPLATE
    from retriever.load import open_retriever

    retriever = open_retriever(settings)
    if args.calibrate:
        print(calibration(retriever, cases))
        return 0
    modes = ["extractive"] if args.extractive else [m for m in args.modes.split(",") if m]
    generator = None
    if "model" in modes:
        from assistant.backends import open_generator

        generator = TimedGenerator(open_generator(settings), constrained=not args.unconstrained)
    template = args.template or DEFAULT_TEMPLATE
    if args.cross_validated:
        assistants = fold_assistants(retriever, generator, settings, template, cases)
    else:
        assistant = Assistant(retriever, generator, settings, template)
        assistants = lambda case: assistant  # noqa: E731
    rows, kinds = {}, {}
    for mode in modes:
        results = run_mode(assistants, cases, mode, args.show)
        rows[mode] = score(results, generator.rates if generator and mode == "model" else [])
        kinds[mode] = per_kind(results)
    print(markdown_table(rows, "mode", 2, COUNTS))
    for mode, table in kinds.items():
        print(f"\n{mode}, per kind:\n" + markdown_table(table, "kind", 2, COUNTS))
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
