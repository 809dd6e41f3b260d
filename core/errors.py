"""The named errors of Branchwise. Library code raises them; the CLI and the app translate them."""

from __future__ import annotations

from pathlib import Path


class BranchwiseError(Exception):
    """Base for every error a user can meet and fix."""


class OutlineError(BranchwiseError):
    """An outline file cannot be read: says which file, which line, what is wrong and what to do."""

    def __init__(self, path: Path | str, line: int | None, problem: str, fix: str = ""):
        self.path, self.line, self.problem, self.fix = str(path), line, problem, fix
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {problem}" + (f" — {fix}" if fix else ""))


class IndexMissingError(BranchwiseError):
    """No index at the expected folder."""


class IndexMismatchError(BranchwiseError):
    """The index was built by another format version or embedding model, or is corrupt."""


class IndexLockedError(BranchwiseError):
    """Another live process is building this index."""


class ModelUnavailableError(BranchwiseError):
    """A model cannot be loaded from local files; says what to install or set."""
