"""`manifest.json`: what an index folder was built from (format version, model, sizes, hashes).

Reads and checks the manifest, naming the fix on a mismatch; the other files of the folder belong to
store.py and chunk_records.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import IndexMismatchError, IndexMissingError

FORMAT_VERSION = (
    4  # 2: our own BM25 files, the branches of the last chunking; 3: the line index; 4: chunk rows
)
MANIFEST = "manifest.json"
FIX = "run `python -m indexer --rebuild` to rebuild it"


@dataclass(frozen=True)
class Manifest:
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunks: dict[str, str]  # chunk id → content hash
    sources: dict[str, str]  # source file → sha256 of its bytes
    built_at: str
    format_version: int = FORMAT_VERSION
    index_type: str = "flat"
    warnings: list[str] = field(default_factory=list)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    (folder / MANIFEST).write_text(json.dumps(vars(manifest), indent=1), encoding="utf-8")


def read_manifest(folder: Path) -> Manifest:
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # also when a swap renames the folder mid-read
        raise IndexMissingError(
            f"no index at {folder}: run `python -m indexer` to build it"
        ) from None
    try:
        data = json.loads(text)
        if data.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index at {folder} has format version {data.get('format_version')}, "
                f"this Branchwise reads {FORMAT_VERSION}: {FIX}"
            )
        return Manifest(**data)
    except (ValueError, TypeError) as error:
        raise IndexMismatchError(
            f"index at {folder} has an unreadable manifest ({error}): {FIX}"
        ) from None
