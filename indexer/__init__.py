"""Branchwise indexer: Markdown outline → path chunks → FAISS + lexical index folder.

Importing it imports nothing else: the short names below load their modules on first use, and
torch, faiss and bm25s only when an index is built or read.
"""

from importlib import import_module

_HOMES = {
    "BuildReport": "indexer.build",
    "build_index": "indexer.build",
    "Chunk": "indexer.chunk",
    "Index": "indexer.store",
    "load_index": "indexer.store",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    """`indexer.Chunk` and the rest, imported from their module on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
