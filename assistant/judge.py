"""The answer judge: which outline lines answer the question, and whether any does.

Candidates are the outline lines nearest the question (the line index) and every line of the top
chunks. Two logistic models, fitted on labelled questions by `python -m assistant.fit` and kept in
`judge_weights.json`, do the judging: the first scores each line from its signals (signals.py),
the second decides from the question's best lines (and what the question names) whether the
outline answers it at all. Does not: retrieve (retriever/), choose what to quote (quotes.py) or
check model sentences (verify.py).
"""

from __future__ import annotations

import collections
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.question import Question, unknown_names
from assistant.signals import QUESTION_SIGNALS, SIGNALS, question_signals, signal_matrix
from core.errors import BranchwiseError
from indexer.chunk import Chunk
from indexer.lines import OutlineLine
from indexer.store import Index
from retriever.reading import read_question
from retriever.search import Retrieval, Retriever

WEIGHTS_FILE = Path(__file__).with_name("judge_weights.json")
MAX_TOPIC_LINES = 2000  # lines of a named topic searched for a stated amount


@dataclass(frozen=True)
class Model:
    """A fitted logistic model: one weight per signal and a bias."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_json(cls, data: dict, names: tuple[str, ...]) -> "Model":
        if set(data["weights"]) != set(names):
            raise ValueError(
                f"weights for {sorted(data['weights'])}, but the judge computes {sorted(names)}"
            )
        return cls(names, tuple(float(data["weights"][n]) for n in names), float(data["bias"]))

    def to_json(self) -> dict:
        return {
            "weights": {n: round(w, 4) for n, w in zip(self.names, self.weights)},
            "bias": round(self.bias, 4),
        }

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(matrix @ np.asarray(self.weights) + self.bias)))


@dataclass(frozen=True)
class Weights:
    line: Model  # P(this line answers the question)
    question: Model  # P(the outline answers the question)
    threshold: float  # the question's score from which it is answered
    cosine_floor: float = 0.0  # see `question_signals`

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> "Weights":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                Model.from_json(data["line"], SIGNALS),
                Model.from_json(data["question"], QUESTION_SIGNALS),
                float(data["threshold"]),
                float(data["cosine_floor"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BranchwiseError(
                f"{path}: not a fitted judge ({error}); run `python -m assistant.fit "
                "QUESTIONS.jsonl ... --write` to refit it"
            ) from None

    def to_json(self) -> dict:
        return {
            "line": self.line.to_json(),
            "question": self.question.to_json(),
            "threshold": round(self.threshold, 4),
            "cosine_floor": round(self.cosine_floor, 4),
        }


@functools.cache
def shipped_weights() -> Weights:
    """The fitted judge in `judge_weights.json`, read once per process."""
    return Weights.load()


@dataclass(frozen=True)
class ScoredLine:
    line: OutlineLine
    score: float  # probability that the line answers the question


@dataclass(frozen=True)
class Judgement:
    question: Question
    lines: tuple[ScoredLine, ...]  # every candidate, best first
    answerable: float  # probability that the outline answers the question
    threshold: float
    told_with_situation: bool = False  # a scenario: its best line is less often the answer

    @property
    def answered(self) -> bool:
        return bool(self.lines) and self.answerable >= self.threshold


class Judge:
    """Scores candidate lines of one retriever's index; read-only, so one judge serves many
    threads."""

    def __init__(self, retriever: Retriever, weights: Weights | None = None):
        self.index: Index = retriever.index
        self.retriever = retriever
        self.embedder, self.weights = retriever.embedder, weights or shipped_weights()
        self.parent, self.children, self.topics = (
            self.index.tree.parent,
            self.index.tree.children,
            self.index.tree.topics,
        )

    def unwritten(self, names: Sequence[str]) -> list[str]:
        """The names some word of which the outline never writes, but for a title's initials
        ("Bedrock", "Azure Functions"; not "NACL", read as "Network ACLs")."""
        return [
            name
            for name in unknown_names(names, self.index.vocabulary)
            if self.retriever.abbreviations.title_of(name) is None
        ]

    def under(self, title: str) -> list[int]:
        """Positions of the lines below a heading or item of this text, at any depth."""
        return self._under.get(title, [])

    @functools.cached_property
    def _under(self) -> dict[str, list[int]]:
        # Built on the first comparison only: one entry per line and step of its path.
        found: dict[str, list[int]] = {}
        for position, line in enumerate(self.index.lines):
            for step in set(line.path[1:-1]):
                found.setdefault(step, []).append(position)
        return found

    def title_count(self, text: str) -> int:
        """How many lines of the outline read this text ("Types": many; "Aurora Endpoints": one)."""
        return self._title_counts.get(text, 0)

    @functools.cached_property
    def _title_counts(self) -> dict[str, int]:
        return collections.Counter(line.text for line in self.index.lines)

    def children_of(self, line: OutlineLine) -> list[OutlineLine]:
        """The line's children, in the order of the index's lines."""
        return [self.index.lines[k] for k in self.children.get(self._position(line), [])]

    def parent_of(self, line: OutlineLine) -> OutlineLine | None:
        up = self.parent.get(self._position(line))
        return None if up is None else self.index.lines[up]

    def chunk_of(self, line: OutlineLine) -> Chunk:
        """The chunk that holds the line best (see `outline_lines`): what quoting it cites."""
        return self.index.chunks[line.chunk]

    def _position(self, line: OutlineLine) -> int | None:
        return self.index.line_position(line.source, line.line)

    def candidates(self, retrieval: Retrieval) -> list[int]:
        """Positions of the nearest lines, then of every line of the hits' chunks, each once."""
        found = dict.fromkeys(hit.position for hit in retrieval.lines)
        for hit in retrieval.hits:
            for number in hit.chunk.lines:
                position = self.index.line_position(hit.chunk.source, number)
                if position is not None:
                    found.setdefault(position)
        return list(found)

    def stating(self, question: Question, found: list[int]) -> list[int]:
        """Lines under a topic the question names that state the kind of amount it asks for: "How
        long can a Lambda function run?" reaches "Lambda › Sizing › Timeout › Max 900s", which
        neither its embedding nor its words bring near the question."""
        topics = {
            self.index.lines[p].path[1] for p in found if len(self.index.lines[p].path) > 2
        } & question.named
        seen = set(found)
        return [
            p
            for topic in sorted(topics)
            for p in self.topics.get(topic, [])[:MAX_TOPIC_LINES]
            if p not in seen and question.states_asked(self.index.lines[p].text)
        ]

    def signals(self, retrieval: Retrieval) -> tuple[Question, list[int], np.ndarray]:
        """(the question read once, candidate positions, their line signals)."""
        positions = self.candidates(retrieval)
        question = Question.read(retrieval.focus, [self.index.lines[p] for p in positions])
        if question.asks_stated:
            positions += self.stating(question, positions)
        return question, positions, signal_matrix(question, retrieval, positions, self)

    def detail_vector(self, question: Question, retrieval: Retrieval) -> np.ndarray:
        """The embedding of what the question asks of the titles it names ("largest message" of
        "What's the largest message an SQS queue takes?"); the question's own when no word of it
        is left."""
        if not question.detail_text:
            return retrieval.vector
        return self.embedder.embed([question.detail_text])[0]

    def judge(self, retrieval: Retrieval) -> Judgement:
        question, positions, matrix = self.signals(retrieval)
        scores = self.weights.line.score(matrix) if positions else np.zeros(0)
        answerable = self.weights.question.score(
            question_signals(
                question, scores, matrix, self.index.vocabulary, self.weights.cosine_floor
            )
        )
        order = np.argsort(-scores, kind="stable")
        lines = tuple(ScoredLine(self.index.lines[positions[i]], float(scores[i])) for i in order)
        return Judgement(
            question,
            lines,
            float(answerable),
            self.weights.threshold,
            read_question(retrieval.question).is_scenario,
        )
