"""Swapping a new index folder into place so that a crash never leaves a half-written index: write
into a temporary sibling, rename the old folder to `.previous`, rename the new one in.

Owns the folder names of a swap and undoing what a killed build left; the lock is lock.py's, and
what goes into the folder is store.py's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def previous_folder(folder: Path) -> Path:
    """Where the last index waits while a new one is renamed into place."""
    return folder.with_name(folder.name + ".previous")


def write_atomically(folder: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder, then rename it into place (the old index survives a
    crash)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        write(temporary)
        previous = previous_folder(folder)
        shutil.rmtree(previous, ignore_errors=True)
        if folder.exists():
            os.rename(folder, previous)
        os.rename(temporary, folder)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def recover(folder: Path) -> None:
    """Undo what a killed build left: a half swap, or temporary folders."""
    previous = previous_folder(folder)
    if not folder.exists() and previous.exists():
        os.rename(previous, folder)
    shutil.rmtree(previous, ignore_errors=True)  # left when a build died after its swap
    for leftover in folder.parent.glob(f".{folder.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
