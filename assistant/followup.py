"""History-aware retrieval: the query a chat question is searched with.

A follow-up such as "and the FIFO one?" or "what about its max size?" names no topic, so searched
alone it finds nothing useful. When a question looks like a follow-up — short, or opening with
"and"/"what about", or leaning on a pronoun (it, its, they, that one …) with no name before it —
it is searched together with the previous question and the path of the chunk the previous answer
cited first, e.g.
"SQS › Queue types  What is the max message size of a standard queue?  and the FIFO one?".
Stand-alone questions are searched as asked. Does not: search (retriever/) or prompt (prompt.py).
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.answer import Turn
from assistant.claims import CODE_NAME
from assistant.question import NAME

SHORT_WORDS = 5  # a question of at most this many words, after a chat started, is a follow-up
_OPENER = re.compile(r"^\s*(?:and|or|but|also|so|then|what about|how about|and what about)\b", re.I)
# "that"/"this" alone are left out: stand-alone questions use them as relative words all the time.
_POINTER = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|these|those|former|latter|"
    r"(?:this|that|the \w+) ones?)\b",
    re.I,
)


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """
    >>> turn = Turn("What is SQS?", None)
    >>> is_follow_up("and the FIFO one?", [turn]), is_follow_up(
    ...     "What does Macie detect in S3 buckets?", [turn]
    ... )
    (True, False)
    """
    if not history:
        return False
    words = re.findall(r"[\w'-]+", question)
    return len(words) <= SHORT_WORDS or bool(_OPENER.match(question)) or _leans_on_pronoun(question)


def _leans_on_pronoun(question: str) -> bool:
    """A pronoun with no name before it: "Does it keep messages in order?", not "Can AWS WAF block
    requests based on the country they come from?", whose "they" points within the question."""
    pointer = _POINTER.search(question)
    before = question[: pointer.start()].strip() if pointer else ""
    return bool(pointer) and not (NAME.search(before) or CODE_NAME.search(before))


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """The text to search with: the question itself, or for a follow-up, its context first.

    >>> retrieval_query("What is SQS?", [])
    'What is SQS?'
    """
    if not is_follow_up(question, history):
        return question
    previous = history[-1]
    return " ".join(
        part for part in (topic_of(previous), previous.question.strip(), question.strip()) if part
    )


def topic_of(turn: Turn) -> str:
    """The last two steps of the path the turn's answer cited first ("" when it cited nothing)."""
    answer = turn.answer
    if answer is None or answer.refused or not answer.citations:
        return ""
    return " › ".join(answer.citations[0].path[-2:])
