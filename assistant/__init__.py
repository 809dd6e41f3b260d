"""Branchwise assistant: question (+ chat history) → a streamed answer grounded in cited branches.

Importing it loads no model: the generator is passed in (see `assistant.model.load_generator`).
"""
from assistant.answer import Answer, Citation, Turn
from assistant.pipeline import Assistant, AnswerStream

__all__ = ["Answer", "AnswerStream", "Assistant", "Citation", "Turn"]
