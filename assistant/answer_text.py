"""The words of an answer: each streamed `Piece` and where it belongs, the answer's text as the app
shows it, citation markers in a sentence, a refusal naming the closest lines, and the notes and
texts the model is given from the quoted lines. Does not: judge lines (judge.py), choose quotes
(quotes.py), number citations (citing.py) or run the model (pipeline.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from assistant.amounts import AMOUNT_KINDS
from assistant.prompt import Note
from assistant.question import Question, ask_of

if TYPE_CHECKING:  # only for annotations: these pull in the judge (and numpy)
    from assistant.answer import Citation
    from assistant.citing import Citing
    from assistant.judge import Judge, Judgement
    from assistant.quotes import Quote

NEAREST = 3  # lines named in a refusal
REFUSAL = "The outline does not cover this question."
CLOSEST_STEPS = 3  # path steps of each closest line named in a refusal
UNCOVERED_DETAIL = "The outline has notes on {topic} but does not answer this question."
UNCOVERED_AMOUNT = "The outline has notes on {topic} but does not give the {amount} asked for."
UNWRITTEN = "The outline has no notes on {names}."

# How a refusal names the end of a range a question asks for, when the question writes it out.
NAMED_ENDS = (
    ("default", re.compile(r"\bdefault\b", re.I)),
    ("maximum", re.compile(r"\b(max|maximum|largest|biggest|longest|highest|most|limit)\b", re.I)),
    ("minimum", re.compile(r"\b(min|minimum|smallest|shortest|lowest|least)\b", re.I)),
)
COUNT_QUESTION = re.compile(r"\bhow many\b|\bnumber of\b", re.I)


class Piece(str):
    """A piece of streamed text and where it belongs: "quotes", "model" (a verified sentence, shown
    above the quotes once it is ready) or "refusal"."""

    place: str

    def __new__(cls, text: str, place: str) -> "Piece":
        piece = super().__new__(cls, text)
        piece.place = place
        return piece


def as_shown(pieces: Sequence[Piece]) -> str:
    r"""The streamed pieces as the app shows them: model sentences above the quotes
    (or the refusal).

    >>> as_shown([Piece("From the outline: x [1]", "quotes"), Piece("X is so [1].", "model")])
    'X is so [1].\n\nFrom the outline: x [1]'
    """
    blocks = [
        "".join(p for p in pieces if p.place == place) for place in ("model", "quotes", "refusal")
    ]
    return "\n\n".join(block for block in blocks if block)


def quoted_notes(chosen: Sequence[Quote], citing: Citing) -> list[Note]:
    """One note per cited chunk, its quotes together, numbered as the answer cites the chunk."""
    by_chunk: dict[str, list[Quote]] = {}
    for quote in chosen:
        by_chunk.setdefault(quote.chunk.id, []).append(quote)
    notes = []
    for group in by_chunk.values():
        chunk, text = group[0].chunk, "\n".join(q.text for q in group)
        lines = tuple(line for q in group for line in q.lines)
        notes.append(Note(citing.number(chunk), chunk.path, text, chunk, lines))
    return notes


def allowed_texts(question: str, notes: list[Note]) -> list[str]:
    """What the model may draw its words from: the question, the notes with their paths, and each
    note's citation marker (see `assistant.constrain`)."""
    return [question, *(f"[{note.n}] {' '.join(note.path)}\n{note.text}" for note in notes)]


def with_markers(text: str, markers: str) -> str:
    """Citation markers before the sentence's closing punctuation.

    >>> with_markers("Spot saves up to 90%.", "[1]")
    'Spot saves up to 90% [1].'
    """
    text = text.rstrip()
    end = text[-1] if text and text[-1] in ".!?:;" else "."
    return f"{text.rstrip('.!?:;').rstrip()} {markers}{end}"


def refusal_text(judgement: Judgement, unwritten: Sequence[str] = ()) -> str:
    """What a refusal says: the outline lacks it (or has the topic, not the detail asked, naming
    the amount when it asks for one, or the names the question writes and the outline never does:
    `unwritten`), and which lines come closest."""
    lines = judgement.lines[:NEAREST]
    if not lines:
        return REFUSAL
    # the deepest title the question names on a closest line's path: "Simple Queue Service
    # (SQS)", not the "Tasks and Workflows" section that files it; one the question writes as a
    # name first ("Aurora", not the "Cluster" of "an Aurora … cluster")
    named = [
        step
        for line in lines
        for step in reversed(line.line.path[1:-1])
        if step in judgement.question.named
    ]
    names = {name.lower() for name in judgement.question.names}
    named.sort(key=lambda step: not names & {word.lower() for word in re.findall(r"\w+", step)})
    amount = asked_amount(judgement.question)
    if unwritten:
        opening = UNWRITTEN.format(names=" or ".join(unwritten))
    elif not named:
        opening = REFUSAL
    elif amount:
        opening = UNCOVERED_AMOUNT.format(topic=named[0], amount=amount)
    else:
        opening = UNCOVERED_DETAIL.format(topic=named[0])
    closest = "; ".join(" › ".join(line.line.path[-CLOSEST_STEPS:]) for line in lines)
    return f"{opening} Closest: {closest}."


def asked_amount(question: Question) -> str:
    """The amount a question asks for, in a refusal's words; "" when it asks for none.

    >>> asked_amount(Question.read("What's the largest message an SQS queue takes?", []))
    'maximum size'
    >>> asked_amount(Question.read("How many IAM groups can I create?", []))
    'number'
    """
    if not question.asks_amount:
        return ""
    ask = ask_of(question.text)
    end = next((name for name, pattern in NAMED_ENDS if pattern.search(ask)), "")
    kind = next((kind for kind in AMOUNT_KINDS if kind in question.kinds), "")
    noun = kind or ("number" if COUNT_QUESTION.search(ask) else "amount")
    return f"{end} {noun}".strip()


def closest_citations(judgement: Judgement, judge: Judge) -> tuple[Citation, ...]:
    """The chunks of the lines a refusal names as closest, numbered 1, 2, … in that order: the
    panels under a refusal."""
    from assistant.citing import Citing  # here: it loads numpy, which the other helpers need not

    citing = Citing()
    for scored in judgement.lines[:NEAREST]:
        citing.cite((judge.chunk_of(scored.line),), (scored.line,))
    return citing.citations()
