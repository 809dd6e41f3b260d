"""Branchwise retriever: question → ranked branches (`Hit`s) from an index folder.

Importing it imports no module of its own: the short names below load their modules on first use.
"""

from core.lazy import lazy_names

_HOMES = {
    "Hit": "retriever.search",
    "Retriever": "retriever.search",
    "open_retriever": "retriever.load",
}
__all__ = list(_HOMES)
__getattr__ = lazy_names("retriever", _HOMES)
