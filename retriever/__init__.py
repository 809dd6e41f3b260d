"""Branchwise retriever: question → ranked branches (`Hit`s) from an index folder."""
from retriever.load import open_retriever
from retriever.search import Hit, Retriever

__all__ = ["Hit", "Retriever", "open_retriever"]
