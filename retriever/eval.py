"""`python -m retriever.eval FILE.jsonl`: retrieval quality on a question set with gold lines.

Prints Recall@1/3/5/10, MRR@10 and the top-5 text size for the fused, dense-only and lexical-only
retrievers over non-refusal questions, then Recall@5 / MRR@10 per question kind, and per shape: the
questions told as a scenario (two or more sentences) and the one-sentence ones, whatever their kind.
A hit counts when its lines contain a gold line; for `gold_any: false`, Recall@k is the share of
gold lines covered by the top k.

Examples:
  python -m retriever.eval ../shared/eval/dev.jsonl                # the index in ./index
  python -m retriever.eval questions.jsonl --index /tmp/my-index
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli import add_index_flag, markdown_table, run_command, settings_from
from core.startup import start


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m retriever.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "questions", type=Path, metavar="FILE.jsonl", help="e.g. ../shared/eval/dev.jsonl"
    )
    add_index_flag(parser)
    args = parser.parse_args()
    from retriever.evaluation import evaluate, read_questions

    questions = read_questions(args.questions)  # a bad file is reported before the index loads
    from retriever.load import open_retriever

    overall, per_kind = evaluate(open_retriever(settings_from(args)), questions)
    print(markdown_table(overall, "retriever", whole=("n", "top-5 chars")))
    print()
    print(markdown_table(per_kind, "kind (fused)"))
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
