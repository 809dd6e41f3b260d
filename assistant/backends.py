"""Picks the generator the settings ask for: a model server when `llm_url` is set, else the
in-process model. The one place the CLI, the app and the benchmarks get a `Generator` from.

Does not: cache generators (callers keep the one they open, keyed by `generator_spec`) or contact
the server: a server that is down is reported by the first `stream` call, so an app that caches
this result recovers once the server is back.
"""

from __future__ import annotations

import dataclasses

from assistant.generator import GenerationIncomplete, Generator
from assistant.remote import RemoteGenerator
from core.settings import Settings

__all__ = ["GenerationIncomplete", "generator_spec", "open_generator"]
# The settings no generator reads (the outline, the index, retrieval). Every other field counts:
# a new one is part of the spec until it is listed here, so it can cost a reload, never be ignored.
NOT_FOR_GENERATION = ("seeds", "index_dir", "embedding_model", "chunk_tokens", "top_k")


def generator_spec(settings: Settings) -> Settings:
    """The settings with the fields no generator reads reset to their defaults: frozen and
    hashable, equal for any two settings that open the same generator (a cache key).

    >>> generator_spec(Settings(top_k=9, llm_concurrency=4)) == Settings(llm_concurrency=4)
    True
    """
    default = Settings()
    return dataclasses.replace(
        settings, **{name: getattr(default, name) for name in NOT_FOR_GENERATION}
    )


def open_generator(settings: Settings) -> Generator:
    """`RemoteGenerator` for `settings.llm_url`, else `assistant.model.load_generator(settings)`."""
    if settings.llm_url:
        return RemoteGenerator(
            settings.llm_url,
            settings.llm_model,
            settings.llm_api_key,
            in_flight=settings.llm_concurrency,
        )
    from assistant.model import load_generator  # pulls in torch; a remote backend never needs it

    return load_generator(settings)
