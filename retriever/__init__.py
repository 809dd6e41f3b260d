"""Branchwise retriever: question → ranked branches (`Hit`s) from an index folder.

Importing it imports nothing else: the short names below load their modules on first use.
"""

from importlib import import_module

_HOMES = {
    "Hit": "retriever.search",
    "Retriever": "retriever.search",
    "open_retriever": "retriever.load",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    """`retriever.Retriever` and the rest, imported from their module on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'retriever' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
