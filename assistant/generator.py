"""The `Generator` protocol: what the assistant needs from any language model.

Implementations: `assistant.model.LocalGenerator` (transformers),
`assistant.ct2_engine.Ct2Generator`
(CTranslate2), `assistant.remote.RemoteGenerator` (a model server) and the scripted fake in tests.
This module imports nothing heavy and holds no model code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from core.errors import BranchwiseError


@dataclass(frozen=True)
class Sampling:
    """How an attempt after the first picks its tokens: among the `top_k` most likely, at
    `temperature`. Measured on SmolLM2-135M: greedy decoding gave 16 of 64 answers a verified
    sentence, a second attempt of this kind 11 more; a third and fourth gave 10 more, mostly
    wrong (README, *Which attempts are worth waiting for*)."""

    top_k: int = 20
    temperature: float = 0.8


SAMPLING = Sampling()


class Generator(Protocol):
    """Streams a chat completion as text pieces.

    `messages` are chat dicts, e.g. `[{"role": "user", "content": "What is S3?"}]`;
    `"".join(gen.stream(messages))` is the whole answer. `allowed`, when given, are the texts the
    answer may draw its tokens from (quoted lines, their paths, the question; "[n]" markers in them
    declare the citation numbers), see `assistant.constrain`; a generator that cannot constrain
    (a remote server) accepts and ignores it. `attempt` 0 asks for the model's most likely answer
    (greedy); attempt n > 0 for an alternative sampled as `SAMPLING` says, so a second try can say
    something else (the transformers engine seeds it with n; CTranslate2 cannot be seeded).
    """

    name: str  # human-readable model id, e.g. "SmolLM2-135M-Instruct.Q4_1"

    def stream(
        self,
        messages: list[dict[str, str]],
        max_new_tokens: int = 256,
        allowed: Sequence[str] | None = None,
        attempt: int = 0,
    ) -> Iterator[str]: ...


class GenerationIncomplete(BranchwiseError):
    """The server failed after part of the answer had streamed. `partial` is the text already
    yielded (kept, not lost); `reason` says what broke, e.g. "no data for 120 s"."""

    def __init__(self, url: str, partial: str, reason: str):
        self.url, self.partial, self.reason = url, partial, reason
        super().__init__(
            f"The model server at {url} stopped mid-answer ({reason}); "
            "the answer so far is kept but incomplete."
        )
