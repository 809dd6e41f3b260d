"""Helpers every command line shares: settings from flags, one-line errors, a quiet-able progress
bar, question files (JSON lines) read into records, and results printed as markdown tables."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from core.errors import BranchwiseError

TYPE_CHECKING = (
    False  # typing.TYPE_CHECKING without importing typing: every `--help` runs this module
)
if TYPE_CHECKING:  # imported where used: dataclasses and its imports would slow every `--help`
    from typing import TypeVar

    from core.settings import Settings

    Record = TypeVar("Record")


def add_index_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        type=Path,
        metavar="DIR",
        help="index folder (default: ./index, or $BRANCHWISE_INDEX)",
    )


def add_question_arguments(parser: argparse.ArgumentParser, k_help: str) -> None:
    """QUESTION or `--queries FILE.jsonl`, and `-k`: shared by `python -m retriever` and
    `python -m assistant`."""
    parser.add_argument("question", nargs="?", help="a free-text question")
    parser.add_argument(
        "--queries", type=Path, metavar="FILE.jsonl", help="batch: lines with id and question"
    )
    parser.add_argument("-k", type=int, default=None, help=k_help)


def parse_question_arguments(
    parser: argparse.ArgumentParser, argv: list[str] | None
) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if (args.question is None) == (args.queries is None):
        parser.error("give either a QUESTION or --queries FILE.jsonl")
    return args


def add_model_server_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        help="answer with an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 "
        "(default: $BRANCHWISE_LLM_URL; unset = the in-process model)",
    )
    parser.add_argument(
        "--llm-model",
        metavar="NAME",
        help="model to request (default: $BRANCHWISE_LLM_MODEL, else the server's first model)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment first, then the flags that were given."""
    import dataclasses

    from core.settings import Settings

    settings = Settings.from_env()
    changes = {}
    if getattr(args, "index", None):
        changes["index_dir"] = args.index
    if getattr(args, "seeds", None):
        changes["seeds"] = tuple(args.seeds)
    if getattr(args, "model", None):
        changes["generator_model"] = args.model
    if getattr(args, "llm_url", None):
        changes["llm_url"] = args.llm_url
    if getattr(args, "llm_model", None):
        changes["llm_model"] = args.llm_model
    return dataclasses.replace(settings, **changes)


def run_command(main: Callable[[], int]) -> None:
    """Run a CLI entry point: expected errors become one line on stderr and a non-zero exit."""
    try:
        sys.exit(main())
    except BranchwiseError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (`… | head`): nothing more to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


def read_jsonl(path: Path, build: Callable[[dict], Record], expected: str) -> list[Record]:
    """`build(object)` for the JSON object on each non-blank line of `path`. A line that is not
    JSON, or that `build` cannot read (a missing key, a value of the wrong type), is a
    `BranchwiseError` naming the file and line and saying what was `expected` there.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "q.jsonl"
    >>> _ = path.write_text('{"question": "Why?"}\\n\\n{"question": "How?"', encoding="utf-8")
    >>> read_jsonl(  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    ...     path, lambda item: item["question"], "a question"
    ... )
    Traceback (most recent call last):
    core.errors.BranchwiseError: .../q.jsonl:3: not JSON (Expecting ',' delimiter);
    expected a question
    """
    import json  # here, not at the top: every `--help` imports this module

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise BranchwiseError(
            f"{path}: cannot read it ({getattr(error, 'strerror', None) or error})"
        ) from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise BranchwiseError(
                f"{path}:{number}: not JSON ({error.msg}); expected {expected}"
            ) from None
        try:
            records.append(build(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BranchwiseError(f"{path}:{number}: expected {expected}") from None
    return records


def markdown_table(
    rows: dict[str, dict[str, float]], first: str, digits: int = 3, whole: tuple[str, ...] = ("n",)
) -> str:
    """One row per name, one column per metric: `whole` columns as integers, the others with
    `digits`.

    >>> print(markdown_table({"fused": {"n": 12, "R@5": 0.9417}}, "retriever"))
    | retriever | n | R@5 |
    |---|---|---|
    | fused | 12 | 0.942 |
    """
    columns = list(next(iter(rows.values())))
    lines = [f"| {first} | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in rows.items():
        cells = [
            f"{value:.0f}" if column in whole else f"{value:.{digits}f}"
            for column, value in row.items()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def progress_bar(description: str, quiet: bool, unit: str = "chunk"):
    """A (done, total) callback drawing a bar on stderr, shown only once work takes over 2 s."""
    if quiet:
        return None
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=description, unit=unit, file=sys.stderr, delay=2)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
