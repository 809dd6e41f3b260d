"""Open the retriever the settings describe: the index folder plus the embedding model it was
built with."""

from __future__ import annotations

from core.settings import Settings
from indexer.embed import SentenceTransformerEmbedder
from indexer.store import load_index
from retriever.search import Retriever


def open_retriever(settings: Settings) -> Retriever:
    index = load_index(settings.index_dir, settings.embedding_model)
    return Retriever(index, SentenceTransformerEmbedder(settings.embedding_model))
