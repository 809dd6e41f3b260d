"""Which outline files to index: `--seeds` files and folders → sorted `(path, source name)`
pairs; and the sha256 of a file's bytes, which tells an update whether it changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable

from core.errors import OutlineError
from core.settings import REPO_ROOT


def list_outline_files(seeds: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files as given, and every `*.md` under a folder (sorted, hidden folders and symlink loops
    skipped)."""
    found: dict[str, Path] = {}
    for seed in seeds:
        seed = Path(seed)
        if seed.is_dir():
            files = _markdown_under(seed)
        elif seed.is_file():
            files = [seed]
        else:
            raise OutlineError(
                seed,
                None,
                "not found",
                "check --seeds or BRANCHWISE_SEEDS (files or folders, ':'-separated)",
            )
        for path in files:
            found.setdefault(source_name(path), path)
    return [(path, source) for source, path in sorted(found.items())]


def source_name(path: Path) -> str:
    """How chunks name their file: relative to the repo or working folder when inside one, else
    absolute."""
    absolute = Path(os.path.abspath(path))
    for base in (REPO_ROOT, Path.cwd()):
        if absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    return absolute.as_posix()


def _markdown_under(folder: Path) -> list[Path]:
    # os.walk without followlinks cannot loop; symlinked *files* are still indexed.
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(
            Path(root) / n for n in sorted(names) if n.endswith(".md") and not n.startswith(".")
        )
    return files


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
