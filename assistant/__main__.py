"""`python -m assistant`: ask your outline a question; the answer streams, then the cited branches.

The outline lines that answer come first, at once, with [n] markers for their branches; a model
sentence follows when it has been checked against them. A question the outline does not cover
is refused, naming the closest lines. `--json` prints the answer as the app shows it.

Examples:
  python -m assistant "How long can a Lambda function run?"
  python -m assistant "What does an SCP do?" --extractive  # quoted outline lines, no model
  python -m assistant "What does an SCP do?" --json        # one JSON object
  python -m assistant --queries questions.jsonl --json     # one JSON line per {"id", "question"}
"""

from __future__ import annotations

import argparse
import json
import sys

from core.cli import (
    add_index_flag,
    add_model_server_flags,
    add_question_arguments,
    parse_question_arguments,
    run_command,
    settings_from,
)
from core.startup import start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_question_arguments(parser, k_help="branches to retrieve (default 5)")
    add_index_flag(parser)
    add_model_server_flags(parser)
    parser.add_argument(
        "--model",
        help="generator: a local model folder, a .gguf file or a cached Hub id "
        "(default: the bundled SmolLM2-135M-Instruct, or $BRANCHWISE_MODEL)",
    )
    parser.add_argument(
        "--extractive", action="store_true", help="quote outline lines; load no model"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parse_question_arguments(parser, argv)


def sources(answer) -> str:
    """The cited branches under an answer: `[1] A › B  (seeds/x.md:12-14)`; under a refusal, the
    branches of the closest lines: `closest: A › B  (seeds/x.md:12-14)`."""
    lines = []
    for citation in answer.citations or answer.closest:
        span = f"{citation.lines[0]}-{citation.lines[-1]}" if citation.lines else "?"
        label = f"[{citation.n}]" if answer.citations else "closest:"
        lines.append(f"{label} {citation.chunk.breadcrumb}  ({citation.source}:{span})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    # Imported here so that --help stays instant.
    from assistant.pipeline import Assistant
    from retriever.__main__ import read_queries
    from retriever.load import open_retriever

    queries = (
        read_queries(args.queries) if args.queries else [{"id": None, "question": args.question}]
    )
    generator = None
    if not args.extractive:
        from assistant.backends import open_generator

        generator = open_generator(settings)
    assistant = Assistant(open_retriever(settings), generator, settings)
    mode = "extractive" if args.extractive else "model"
    for query in queries:
        stream = assistant.ask(query["question"], k=args.k, mode=mode)
        if args.json:
            head = {"id": query["id"]} if args.queries else {"question": query["question"]}
            print(json.dumps({**head, **stream.answer.to_json()}, ensure_ascii=False), flush=True)
            continue
        if args.queries:
            print(f"## {query['id']}: {query['question']}")
        model_started = False
        for piece in stream:  # the quotes at once; a verified model sentence after them, when ready
            if piece.place == "model" and not model_started:
                model_started = True
                print("\n\n", end="")
            print(piece, end="", flush=True)
        cited = sources(stream.answer)
        print(f"\n\n{cited}\n" if cited else "\n", file=sys.stdout, flush=True)
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
