"""`python -m retriever`: the outline branches most relevant to a question.

Examples:
  python -m retriever "What does an SCP do?" -k 3
  python -m retriever --queries questions.jsonl --json  # one JSON line per {"id", "question"} line
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli import (
    add_index_flag,
    add_question_arguments,
    parse_question_arguments,
    read_jsonl,
    run_command,
    settings_from,
)
from core.startup import start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m retriever",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_question_arguments(parser, k_help="number of branches (default 5)")
    add_index_flag(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parse_question_arguments(parser, argv)


def hit_json(hit) -> dict:
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "id": chunk.id,
        "path": list(chunk.path),
        "source": chunk.source,
        "lines": list(chunk.lines),
        "score": round(hit.score, 6),
        "text": chunk.text,
    }


def read_queries(path: Path) -> list[dict]:
    """{"id", "question"} per line of a queries file; a bad line is an error naming it."""
    return read_jsonl(
        path,
        lambda item: {"id": item["id"], "question": item["question"]},
        'a JSON object with "id" and "question"',
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    k = args.k or settings.top_k
    from retriever.load import open_retriever

    retriever = open_retriever(settings)
    if args.queries:
        for query in read_queries(args.queries):
            hits = retriever.search(query["question"], k=k)
            print(
                json.dumps(
                    {"id": query["id"], "hits": [hit_json(h) for h in hits]}, ensure_ascii=False
                )
            )
        return 0
    hits = retriever.search(args.question, k=k)
    if args.json:
        print(
            json.dumps(
                {"question": args.question, "hits": [hit_json(h) for h in hits]}, ensure_ascii=False
            )
        )
        return 0
    for hit in hits:
        print(
            f"{hit.rank}. {hit.chunk.breadcrumb}  "
            f"({hit.chunk.source}:{hit.chunk.lines[0]}, score {hit.score:.3f})"
        )
        print("   " + hit.chunk.text.replace("\n", "\n   "))
    if not hits:
        print("no matching branches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    start()
    run_command(main)
