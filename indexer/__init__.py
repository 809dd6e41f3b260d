"""Branchwise indexer: Markdown outline → path chunks → FAISS + lexical index folder.

Importing it is cheap: torch, faiss and bm25s load only when an index is built or read.
"""
import os

from indexer.build import BuildReport, build_index
from indexer.chunk import Chunk
from core.errors import (BranchwiseError, IndexLockedError, IndexMismatchError, IndexMissingError,
                            ModelUnavailableError, OutlineError)
from core.settings import Settings
from indexer.store import Index, load_index

__all__ = ["BuildReport", "build_index", "Chunk", "BranchwiseError", "IndexLockedError", "IndexMismatchError",
           "IndexMissingError", "ModelUnavailableError", "OutlineError", "Settings", "Index", "load_index"]

# torch and faiss each bundle an OpenMP runtime, which reads this once, when it loads (after this line:
# both are imported lazily). Waiting threads that sleep instead of spinning keep a busy 2-core machine
# usable: spinning made one 12 ms query embedding take 300 ms there, and a FAISS search 4× slower.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
