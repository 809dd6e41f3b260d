"""The `Generator` protocol: what the assistant needs from any language model.

Implementations: `assistant.model.LocalGenerator` (transformers), `assistant.ct2_engine.Ct2Generator`
(CTranslate2), `assistant.remote.RemoteGenerator` (a model server) and the scripted fake in tests.
This module imports nothing heavy and holds no model code.
"""
from __future__ import annotations

from typing import Iterator, Protocol, Sequence

from indexer.errors import BranchwiseError


class Generator(Protocol):
    """Streams a chat completion as text pieces.

    `messages` are chat dicts, e.g. `[{"role": "user", "content": "What is S3?"}]`;
    `"".join(gen.stream(messages))` is the whole answer. `allowed`, when given, are the texts the
    answer may draw its tokens from (quoted lines, their paths, the question; "[n]" markers in them
    declare the citation numbers), see `assistant.constrain`; a generator that cannot constrain
    (a remote server) accepts and ignores it.
    """

    name: str  # human-readable model id, e.g. "SmolLM2-135M-Instruct.Q4_1"

    def stream(self, messages: list[dict[str, str]], max_new_tokens: int = 256,
               allowed: Sequence[str] | None = None) -> Iterator[str]:
        ...


class GenerationIncomplete(BranchwiseError):
    """The server failed after part of the answer had streamed. `partial` is the text already
    yielded (kept, not lost); `reason` says what broke, e.g. "no data for 120 s"."""

    def __init__(self, url: str, partial: str, reason: str):
        self.url, self.partial, self.reason = url, partial, reason
        super().__init__(f"The model server at {url} stopped mid-answer ({reason}); "
                         "the answer so far is kept but incomplete.")
