"""The records the assistant hands out: an `Answer` with its `Citation`s, and a chat `Turn`.

They are built once per question by `assistant.pipeline` and flow unchanged to the CLI and the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.chunk import Chunk
from retriever.search import Hit

MODES = ("model", "extractive")


@dataclass(frozen=True)
class Citation:
    """The chunk behind the answer's `[n]` marker, and the lines of it the answer draws on."""

    n: int
    chunk: Chunk
    supporting_lines: tuple[int, ...]  # outline lines of `chunk` that support the cited sentences

    @property
    def id(self) -> str:
        return self.chunk.id

    @property
    def path(self) -> tuple[str, ...]:
        return self.chunk.path

    @property
    def source(self) -> str:
        return self.chunk.source

    @property
    def lines(self) -> tuple[int, ...]:
        return self.chunk.lines

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "id": self.id,
            "path": list(self.path),
            "source": self.source,
            "lines": list(self.lines),
            "supporting_lines": list(self.supporting_lines),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    # model sentences above the quotes, as the app shows it; every [n] has a Citation with that n
    text: str
    citations: tuple[Citation, ...]  # numbered 1..len, in order of first mention
    refused: bool  # the outline does not cover the question; `hits` are the nearest chunks
    hits: tuple[Hit, ...]
    mode: str  # "model" (verified model sentences) | "extractive" (quoted outline lines)
    seconds: float
    first_token_seconds: float | None
    incomplete: bool = False  # cut short: the model stopped mid-sentence or the stream was closed
    sentence_seconds: float | None = None  # to the first verified model sentence; None without one
    # For a refusal, the chunks of the lines that come closest (numbered apart from `citations`,
    # which a refusal has none of): what the app shows as panels under it.
    closest: tuple[Citation, ...] = ()

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "seconds": round(self.seconds, 3),
            "first_token_seconds": None
            if self.first_token_seconds is None
            else round(self.first_token_seconds, 3),
            "incomplete": self.incomplete,
            "sentence_seconds": None
            if self.sentence_seconds is None
            else round(self.sentence_seconds, 3),
            "closest": [c.to_json() for c in self.closest],
        }


@dataclass(frozen=True)
class Turn:
    """One exchange of a chat, the history that follow-up questions are read against."""

    question: str
    answer: Answer
    stale: tuple[
        int, ...
    ] = ()  # numbers of the citations whose cited lines a later re-index changed or removed
