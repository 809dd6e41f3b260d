"""`python -m indexer`: build or update the index of your outline files.

Examples:
  python -m indexer                         # seeds/ → index/, re-embedding only what changed
  python -m indexer --seeds notes/ --json   # another outline folder, machine-readable report
  python -m indexer --rebuild               # ignore the old index (after a model or format change)

Every update lists what changed, branch by branch (the first few; --json lists them all):
  ~ Lambda › Sizing › Timeout (lines 445–447)
  (+ added, ~ changed, - removed, > moved (renamed heading))
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli import add_index_flag, progress_bar, run_command, settings_from
from core.startup import start

SHOWN_CHANGES = 5  # changes listed without --json


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m indexer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="outline files or folders of *.md (default: seeds/, or $BRANCHWISE_SEEDS)",
    )
    add_index_flag(parser)
    parser.add_argument(
        "--rebuild", action="store_true", help="re-embed everything instead of updating"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object: {"chunks", "embedded", "removed", "unchanged", "seconds", '
        '"changes": [{"kind", "path", "source", "lines", "old_lines"}]}',
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    from indexer.build import build_index
    from indexer.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    report = build_index(
        settings,
        embedder,
        rebuild=args.rebuild,
        progress=progress_bar("embedding", quiet=args.json, unit="text"),
        reading=progress_bar("reading outlines", quiet=args.json, unit="file"),
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.summary()))
    else:
        print(
            f"{report.chunks} branches in {settings.index_dir}: {report.embedded} embedded, "
            f"{report.unchanged} re-used, {report.removed} removed ({report.seconds:.1f} s)"
        )
        for line in change_lines(report.changes):
            print(line)
    return 0


def change_lines(changes, shown: int = SHOWN_CHANGES) -> list[str]:
    """The first `shown` changes, one per line, then how many more.

    >>> from indexer.changes import Change
    >>> change_lines([Change("changed", ("A", "B"), "f.md", (4, 6), (4, 6))] * 3, shown=2)
    ['~ A › B (lines 4–6)', '~ A › B (lines 4–6)', 'and 1 more']
    """
    lines = [change.describe() for change in changes[:shown]]
    return lines + ([f"and {len(changes) - shown} more"] if len(changes) > shown else [])


if __name__ == "__main__":
    start()
    run_command(main)
