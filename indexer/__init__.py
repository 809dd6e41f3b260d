"""Branchwise indexer: Markdown outline → path chunks → FAISS + lexical index folder.

Importing it is cheap: torch, faiss and bm25s load only when an index is built or read.
"""
from indexer.build import BuildReport, build_index
from indexer.chunk import Chunk
from indexer.errors import (BranchwiseError, IndexLockedError, IndexMismatchError, IndexMissingError,
                            ModelUnavailableError, OutlineError)
from indexer.settings import Settings
from indexer.store import Index, load_index

__all__ = ["BuildReport", "build_index", "Chunk", "BranchwiseError", "IndexLockedError", "IndexMismatchError",
           "IndexMissingError", "ModelUnavailableError", "OutlineError", "Settings", "Index", "load_index"]
