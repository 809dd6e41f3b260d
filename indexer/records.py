"""The records a chunking hands on: a `Chunk` (what is indexed, retrieved and cited) and its `Row`s,
and per file a `Chunked` (its chunks, and the `ChunkedBranch`es the next build may re-use).

A chunk's rows are laid out once, by the chunker (chunk.py); the index stores them
(chunk_records.py) and everyone else reads them, never the indentation of `Chunk.text`.

>>> chunk = Chunk(
...     "c", "f.md", ("A", "Timeout"), (7, 8),
...     (Row(7, 0, "Timeout"), Row(8, 1, "Max **900s**")), "", "h",
... )
>>> print(chunk.text)
Timeout
  Max **900s**
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of a chunk's tree, as the chunker laid it out: nobody re-reads `Chunk.text`."""

    line: (
        int | None
    )  # 1-based line of the chunk's source; None when the chunker split or merged lines
    # below the chunk's own node (0); a node's continuation lines sit one deeper than its title
    depth: int
    text: str  # as written, markers and indentation removed, inline markup kept


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    path: tuple[str, ...]  # display titles from the root down to the branch's node
    lines: tuple[int, ...]  # 1-based lines of `source` whose text the chunk holds
    rows: tuple[Row, ...]  # the branch as a tree of rows (what users see)
    search_text: str  # breadcrumb + plain body (what is embedded and searched)
    content_hash: str

    @property
    def breadcrumb(self) -> str:
        return " › ".join(self.path)

    @property
    def text(self) -> str:
        """The rows as an indented tree, two spaces per depth: what the CLI and exports print."""
        return "\n".join("  " * row.depth + row.text for row in self.rows)


@dataclass(frozen=True)
class ChunkedBranch:
    """A heading's branch as one build chunked it: the next build re-uses its chunks while it is
    unchanged."""

    place: (
        str  # hash of its text and of all its chunks show from above it (path, breadcrumb, sizes)
    )
    text: str  # hash of its text alone
    tokens: int  # its text's tokens: what chunking its parent needs to know of it
    has_children: bool
    line: int  # its heading's line
    first: int  # its chunks are the file's chunks first … first + count - 1
    count: int = 0


@dataclass(frozen=True)
class Chunked:
    """One file's chunks in order, with the branches a later build can re-use."""

    chunks: list[Chunk]
    branches: list[ChunkedBranch]
