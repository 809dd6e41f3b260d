"""Branchwise indexer: Markdown outline → path chunks → FAISS + lexical index folder.

Importing it imports no module of its own: the short names below load their modules on first
use, and torch, faiss and bm25s load only when an index is built or read.
"""

from core.lazy import lazy_names

_HOMES = {
    "BuildReport": "indexer.build",
    "build_index": "indexer.build",
    "Chunk": "indexer.chunk",
    "Index": "indexer.store",
    "load_index": "indexer.store",
}
__all__ = list(_HOMES)
__getattr__ = lazy_names("indexer", _HOMES)
