"""The chunk records of an index folder: `chunks.jsonl` (one `Chunk` a line, its rows as
[line, depth, text]) and `branches.json` (per file, the `ChunkedBranch`es of its last chunking).

Reads and writes these two files only; checking them against the vectors and manifest belongs to
store.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from indexer.records import Chunk, ChunkedBranch, Row

CHUNKS = "chunks.jsonl"
BRANCHES = "branches.json"  # only for the next build: see `chunk_file`


def write_chunks(folder: Path, chunks: list[Chunk]) -> None:
    with open(folder / CHUNKS, "w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(_chunk_json(chunk), ensure_ascii=False) + "\n")


def load_chunks(folder: Path) -> list[Chunk]:
    """The chunk records of an index folder; raises OSError, ValueError, TypeError or KeyError when
    they are missing or unreadable (store.py names the fix)."""
    with open(folder / CHUNKS, encoding="utf-8") as lines:
        return [_chunk_from_json(line) for line in lines]


def read_chunks(folder: Path) -> list[Chunk]:
    """The chunk records of an index folder, unchecked; [] when there are none to read (what an
    update compares against when the old index cannot be loaded, e.g. after a model change)."""
    try:
        return load_chunks(folder)
    except (OSError, ValueError, TypeError, KeyError):
        return []


def _chunk_json(chunk: Chunk) -> dict:
    """A chunk record, its rows as [line, depth, text] (asdict deep-copies: 5× slower)."""
    return {**vars(chunk), "rows": [[row.line, row.depth, row.text] for row in chunk.rows]}


def _chunk_from_json(line: str) -> Chunk:
    data = json.loads(line)
    return Chunk(
        **{
            **data,
            "path": tuple(data["path"]),
            "lines": tuple(data["lines"]),
            "rows": tuple(Row(*row) for row in data["rows"]),
        }
    )


def write_branches(folder: Path, branches: dict[str, list[ChunkedBranch]]) -> None:
    (folder / BRANCHES).write_text(
        json.dumps(
            {source: [list(vars(b).values()) for b in rows] for source, rows in branches.items()}
        ),
        encoding="utf-8",
    )


def read_branches(folder: Path) -> dict[str, list[ChunkedBranch]]:
    """Per source file, the branches its last chunking recorded; none when the file is absent or
    unreadable (an update then chunks changed files afresh)."""
    try:
        stored = json.loads((folder / BRANCHES).read_text(encoding="utf-8"))
        return {
            source: [
                ChunkedBranch(
                    str(place),
                    str(text),
                    int(tokens),
                    bool(children),
                    int(line),
                    int(first),
                    int(count),
                )
                for place, text, tokens, children, line, first, count in rows
            ]
            for source, rows in stored.items()
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return {}
