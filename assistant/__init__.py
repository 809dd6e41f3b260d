"""Branchwise assistant: question (+ chat history) → a streamed answer grounded in cited branches.

Importing it loads no model (the generator is passed in, see `assistant.backends.open_generator`)
and imports no module of its own: the short names below load their modules on first use.
"""

from core.lazy import lazy_names

_HOMES = {
    "Answer": "assistant.answer",
    "Citation": "assistant.answer",
    "Turn": "assistant.answer",
    "Assistant": "assistant.pipeline",
    "AnswerStream": "assistant.pipeline",
}
__all__ = list(_HOMES)
__getattr__ = lazy_names("assistant", _HOMES)
