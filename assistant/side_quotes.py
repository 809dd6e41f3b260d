"""Which lines a comparison quotes: each side's own line (`sides.side_line`), and of the joint
question's lines only those on a side. Does not: read the sides (sides.py) or choose the joint
question's lines (quotes.py).
"""

from __future__ import annotations

from typing import Sequence

from assistant.judge import Judge, Judgement, ScoredLine
from assistant.question import Question, asking_words, naming_words
from assistant.sides import Side, side_line


def with_sides(
    judge: Judge,
    question: Question,
    chosen: list[ScoredLine],
    ranked: Sequence[ScoredLine],
    compared: Sequence[tuple[Side, Judgement]],
) -> list[ScoredLine]:
    """The joint question's chosen lines on a side (`_on_sides`, where every side names a title),
    then each side's own line they do not already hold."""
    found = [
        side_line(
            judge,
            side_judgement.lines or ranked,
            side,
            [
                (side.words - other.words, other.words - side.words)
                for other, _ in compared
                if other is not side
            ],
        )
        for side, side_judgement in compared
    ]
    sided = [s for s in found if s is not None]
    if len(sided) == len(compared) > 1 and all(
        _names_title(side, question) for side, _ in compared
    ):
        chosen = _on_sides(question, chosen, sided)
    for side in sided:
        if side.line not in {c.line for c in chosen}:
            chosen.append(side)
    return chosen


def _names_title(side: Side, question: Question) -> bool:
    """Whether the side's words name a title the question names ("legal hold"; not the "google"
    of "log in with google or facebook")."""
    titles = sorted(question.named)
    ways = naming_words(titles, asking_words()) if titles else []
    return any(way <= side.words for title_ways in ways for way in title_ways)


def _on_sides(
    question: Question, chosen: list[ScoredLine], sided: list[ScoredLine]
) -> list[ScoredLine]:
    """A comparison's lines under a side's own line (`sided`, added after), or in a side's topic
    under a title the question names other than one all its sides lie under: "Endpoints › Gateway
    Load Balancer Endpoint" answers nothing of "gateway endpoint vs interface endpoint", though it
    writes both words of the first side ("Endpoints" holds both sides), nor SQS's "Retention
    period" of "object lock retention period vs legal hold"."""
    shared = set.intersection(*(set(s.line.path) for s in sided))
    topics = {side.line.path[:2] for side in sided}
    return [
        s
        for s in chosen
        if any(s.line.path[: len(side.line.path)] == side.line.path for side in sided)
        or (
            s.line.path[:2] in topics
            and any(step in question.named and step not in shared for step in s.line.path[1:])
        )
    ]
