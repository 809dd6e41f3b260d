"""Branchwise assistant: question (+ chat history) → a streamed answer grounded in cited branches.

Importing it loads no model (the generator is passed in, see `assistant.backends.open_generator`)
and imports nothing else: the short names below load their modules on first use.
"""

from importlib import import_module

_HOMES = {
    "Answer": "assistant.answer",
    "Citation": "assistant.answer",
    "Turn": "assistant.answer",
    "Assistant": "assistant.pipeline",
    "AnswerStream": "assistant.pipeline",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    """`assistant.Assistant` and the rest, imported from their module on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
