"""Heavy, shared resources, loaded once per process by `@st.cache_resource` loaders keyed by plain
strings, or for the generator by its frozen spec (`assistant.backends.generator_spec`).

A new index build writes a new folder with a new manifest, so `retriever()` is keyed by the
manifest's stamp: the next rerun of every session picks up the new index, and the old one is
dropped by `retriever.clear()`. Nothing here is mutated after it is cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from assistant.backends import open_generator
from core.errors import ModelUnavailableError
from core.settings import Settings
from indexer.embed import SentenceTransformerEmbedder
from indexer.manifest import MANIFEST, Manifest, read_manifest
from indexer.outline import Outline, parse_outline, read_outline_text
from indexer.sources import file_sha256
from indexer.store import load_index
from retriever import Retriever


@dataclass(frozen=True)
class GeneratorChoice:
    """The loaded generator, or why there is none (the app then answers extractively)."""

    generator: object | None
    problem: str = ""


def index_stamp(index_dir: Path) -> str:
    """Changes whenever a build swaps in a new folder ("" when there is no manifest)."""
    try:
        info = (Path(index_dir) / MANIFEST).stat()
    except OSError:
        return ""
    return f"{info.st_ino}-{info.st_mtime_ns}"


@st.cache_resource(show_spinner=False, max_entries=8)
def manifest(index_dir: str, stamp: str) -> Manifest:
    return read_manifest(Path(index_dir))


@st.cache_resource(show_spinner="Loading the embedding model…")
def embedder(model: str) -> SentenceTransformerEmbedder:
    loaded = SentenceTransformerEmbedder(model)
    _ = loaded.dimension  # load now, under the spinner, not in the middle of the first question
    return loaded


@st.cache_resource(show_spinner="Loading the index…", max_entries=2)
def retriever(index_dir: str, model: str, stamp: str) -> Retriever:
    return Retriever(load_index(Path(index_dir), model), embedder(model))


@st.cache_resource(show_spinner="Loading the language model (the first start converts it, ~20 s)…")
def generator(spec: Settings) -> GeneratorChoice:
    """The generator `spec` (from `generator_spec`) opens, or why there is none."""
    try:
        return GeneratorChoice(open_generator(spec))
    except ModelUnavailableError as error:
        return GeneratorChoice(None, str(error))


@st.cache_data(show_spinner=False, max_entries=512)
def file_hash(path: str, mtime_ns: int, size: int) -> str:
    """sha256 of a file, recomputed only when its mtime or size changes."""
    return file_sha256(Path(path))


@st.cache_resource(show_spinner=False, max_entries=32)
def outline(path: str, source: str, mtime_ns: int, size: int) -> Outline:
    """A parsed outline file for the browser (raises `OutlineError` like the indexer would)."""
    return parse_outline(read_outline_text(Path(path)), source)
