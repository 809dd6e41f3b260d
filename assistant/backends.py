"""Picks the generator the settings ask for: a model server when `llm_url` is set, else the
in-process model. The one place the CLI, the app and the benchmarks get a `Generator` from.

Does not: cache generators (callers keep the one they open) or contact the server: a server that
is down is reported by the first `stream` call, so an app that caches this result recovers once
the server is back.
"""
from __future__ import annotations

from assistant.generator import GenerationIncomplete, Generator
from assistant.remote import RemoteGenerator
from core.settings import Settings

__all__ = ["GenerationIncomplete", "open_generator", "describe"]


def open_generator(settings: Settings) -> Generator:
    """`RemoteGenerator` for `settings.llm_url`, else `assistant.model.load_generator(settings)`."""
    if settings.llm_url:
        return RemoteGenerator(settings.llm_url, settings.llm_model, settings.llm_api_key,
                               in_flight=settings.llm_concurrency)
    from assistant.model import load_generator  # pulls in torch; a remote backend never needs it

    return load_generator(settings)


def describe(settings: Settings) -> str:
    """One line for a footer or `--help` epilogue, e.g. "model server http://gpu:8000/v1 (qwen)".

    >>> describe(Settings(llm_url="http://gpu:8000/v1", llm_model="qwen"))
    'model server http://gpu:8000/v1 (qwen)'
    """
    if settings.llm_url:
        model = settings.llm_model or "its first listed model"
        return f"model server {settings.llm_url} ({model})"
    return f"in-process model {settings.generator_model or 'SmolLM2-135M-Instruct (bundled)'}"
