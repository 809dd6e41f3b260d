"""What the answer judge knows of a question and its candidate lines: a handful of signals,
most in [0, 1].

The question is read once (`Question.read`, question.py); each candidate line then gets the
signals named in `SIGNALS`, and the question as a whole those in `QUESTION_SIGNALS`. No weights
here: they are fitted (assistant/fitting.py) and applied by the judge (judge.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assistant.amounts import AMOUNT, states_bound, states_count
from assistant.question import Question, is_acronym, matched, unknown_names
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

if TYPE_CHECKING:  # only for annotations: the judge imports this module
    from assistant.judge import Judge
    from retriever.search import Retrieval

SIGNALS = (
    "cosine",
    "cosine_gap",
    "parent_cosine",
    "child_cosine",
    "covered",
    "detail_covered",
    "detail_in_line",
    "detail_near",
    "adds_words",
    "amount_stated",
    "amount_missing",
    "amount_near",
    "kind_stated",
    "bound_stated",
    "detail_cosine",
    "detail_gap",
    "under_topic",
    "leaf",
    "depth",
    "chunk_rank",
    "line_rank",
)
QUESTION_SIGNALS = (
    "best_line",
    "cosine",
    "below_floor",
    "covered",
    "detail_covered",
    "detail_near",
    "amount_near",
    "detail_cosine",
    "best_detail_cosine",
    "amount_detail_cosine",
    "kind_missing",
    "kind_answered",
    "unknown_name",
    "unknown_acronym",
    "bound_missing",
    "unknown_detail",
    "asks_amount",
)
TOP = 5  # best lines whose signals describe the question
MAX_CHILDREN = 24  # children scored for `child_cosine`: enough for any list in a hand-kept outline


def signal_matrix(
    question: Question, retrieval: Retrieval, positions: list[int], judge: Judge
) -> np.ndarray:
    """One row of `SIGNALS` per candidate line position."""
    if not positions:
        return np.zeros((0, len(SIGNALS)))
    index = judge.index
    kids = {p: judge.children.get(p, [])[:MAX_CHILDREN] for p in positions}
    near = list(
        dict.fromkeys(
            [
                *positions,
                *(judge.parent[p] for p in positions if p in judge.parent),
                *(k for p in positions for k in kids[p]),
            ]
        )
    )
    cosine = dict(zip(near, index.line_scores(retrieval.vector, near).tolist()))
    lines = [index.lines[p] for p in positions]
    n = len(lines)
    tokens = lexical_tokens(
        [line.context for line in lines]
        + [" ".join(line.path[2:]) for line in lines]
        + [index.lines[p].text for p in near]
    )  # one call: the tokenizer has overhead
    context_words, topic_words = tokens[:n], tokens[n : 2 * n]
    words_of = dict(zip(near, (set(words) for words in tokens[2 * n :])))
    best = max(cosine[p] for p in positions)
    detail_cosine = index.line_scores(judge.detail_vector(question, retrieval), positions)
    best_detail = float(detail_cosine.max())
    chunk_rank = {}
    for hit in reversed(retrieval.hits):
        chunk_rank.update({(hit.chunk.source, n): 1.0 / hit.rank for n in hit.chunk.lines})
    line_rank = {hit.position: 1.0 / rank for rank, hit in enumerate(retrieval.lines, start=1)}
    rows = []
    for p, line, context, below, detail in zip(
        positions, lines, context_words, topic_words, detail_cosine.tolist()
    ):
        children = [index.lines[k] for k in kids[p]]
        own = words_of[p]
        # The line with its parent and children: "Timeout" > "Max 900s" says what the 900s is of.
        nearby = own.union(
            *(words_of[k] for k in kids[p]), words_of.get(judge.parent.get(p), set())
        )
        states = bool(AMOUNT.search(line.text)) or any(
            AMOUNT.search(child.text) for child in children
        )
        kind = question.asks_stated and any(
            question.states_asked(ln.text) for ln in (line, *children)
        )
        below_topic = set(below) if len(line.path) > 2 else set(context)
        detail_near = question.share(question.detail, nearby)
        rows.append(
            [
                cosine[p],
                cosine[p] - best,
                cosine.get(judge.parent.get(p), 0.0),
                max((cosine[k] for k in kids[p]), default=0.0),
                question.share(question.words, set(context)),
                question.share(question.detail, below_topic),
                question.share(question.detail, own),
                detail_near,
                float(bool(own - question.words)),
                float(question.asks_amount and states),
                float(question.asks_amount and not states),
                float(question.asks_amount and states) * detail_near,
                float(kind),
                float(states and _states_bound(question, p, judge)),
                detail,
                detail - best_detail,
                _under_topic(question, line),
                float(not children),
                min(len(line.path) - 1, 6) / 6,
                chunk_rank.get((line.source, line.line), 0.0),
                line_rank.get(p, 0.0),
            ]
        )
    return np.asarray(rows, dtype=np.float64)


def _states_bound(question: Question, position: int, judge: Judge) -> bool:
    """Whether the line at the position (or its parent) states the end of a range the question
    asks for; a number of what "how many" counts states every end ("1 leader node")."""
    parent = judge.parent.get(position)
    lines = judge.index.lines
    texts = [lines[position].text, lines[parent].text if parent is not None else ""]
    return states_bound(texts, question.bounds) or any(
        states_count(text, question.counted) for text in texts
    )


def _under_topic(question: Question, line: OutlineLine) -> float:
    """1 when the line lies under (or is) a title the question names, -1 when the question names
    titles and this line is under none of them, 0 when it names none."""
    if not question.named:
        return 0.0
    return 1.0 if any(title in question.named for title in line.path[1:]) else -1.0


def question_signals(
    question: Question,
    scores: np.ndarray,
    matrix: np.ndarray,
    vocabulary: frozenset[str],
    floor: float,
) -> np.ndarray:
    """`QUESTION_SIGNALS` of a question whose candidate lines have these line scores and signals.
    `floor` is the nearest-line cosine below which answerable questions are rare (fitted): how far
    below it a question falls is its own signal, steeper than the cosine itself
    (off-topic questions).

    All but one say something of the outline's content: how well its best lines answer, whether
    they state the amount asked for near the asked detail, whether the question names something
    the outline never mentions ("Lightsail"; an unknown acronym such as "TGW" apart, as notes often
    write out what users abbreviate), whether it asks for an end of a range ("the longest", "the
    default") that none of the best lines states, or asks a detail none of its words reach. The one
    that does not, `asks_amount`, carries a prior of the question sets (a question asking for an
    amount is more often unanswerable); without it the cross-validated refusal recall at 10% false
    refusals fell from 0.67 to 0.53, and an outline whose notes state many amounts may see it
    refuse more than it should.
    """
    order = np.argsort(-scores, kind="stable")
    top = matrix[order[:TOP]] if len(order) else np.zeros((1, len(SIGNALS)))
    column = {name: top[:, i].max() for i, name in enumerate(SIGNALS)}
    logit = [_logit(scores[i]) for i in order[:2]] + [-10.0] * (2 - min(len(order), 2))
    # the nearest line's, as `floor` is fitted on: not only the best lines' (a title's children
    # may outscore it)
    nearest = matrix[:, SIGNALS.index("cosine")].max() if len(matrix) else 0.0
    unknown = [w for w in question.detail if not matched({w}, vocabulary)]
    unknown_written = unknown_names(question.names, vocabulary)
    return np.array(
        [
            logit[0] / 5,
            nearest,
            10 * max(0.0, floor - nearest),
            column["covered"],
            column["detail_covered"],
            column["detail_near"],
            column["amount_near"],
            column["detail_cosine"],
            top[0, SIGNALS.index("detail_cosine")],
            max(
                (
                    row[SIGNALS.index("detail_cosine")]
                    for row in top
                    if row[SIGNALS.index("amount_stated")]
                ),
                default=0.0,
            ),
            float(question.asks_stated and not column["kind_stated"]),
            float(question.asks_stated and any(_answers_amount(question, row) for row in top)),
            float(any(not is_acronym(name) for name in unknown_written)),
            float(any(is_acronym(name) for name in unknown_written)),
            float(bool(question.bounds) and not column["bound_stated"]),
            len(unknown) / max(len(question.detail), 1),
            float(question.asks_amount),
        ]
    )


def _answers_amount(question: Question, row: np.ndarray) -> bool:
    """Whether a line under a title the question names states the kind of amount it asks for,
    and the end of the range it asks for when it asks one ("Lambda › … › Timeout › Max 900s" for
    "the longest a Lambda function may run")."""
    value = dict(zip(SIGNALS, row))
    return bool(
        value["kind_stated"]
        and value["under_topic"] > 0
        and (not question.bounds or value["bound_stated"])
    )


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))
