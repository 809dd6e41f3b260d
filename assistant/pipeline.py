"""Question → streamed, verified, cited `Answer`: retrieval, the answer judge, the answering outline
lines quoted at once, then the model's sentences over those lines, each checked before it is shown
(with no surviving sentence, or for a scenario, the answer is the quotes alone: extractive).

`Assistant.ask` returns an `AnswerStream`: iterate it for `Piece`s (text that knows its place: the
quotes, a model sentence, a refusal), then read `.answer`. Nobody waits for the model: the quotes
come first, and a verified sentence follows when it is ready; nothing shown is taken back. The
final `answer.text` reads as the app shows it, the model's sentences above the quotes. The
`Assistant` holds only shared, read-only parts; a call's state lives in
its own `_Call`, so one `Assistant` serves many threads. The answer's wording (pieces, citation
markers, refusals, the model's notes) is answer_text.py's.
"""

from __future__ import annotations

import re
import time
from typing import Iterator, Sequence

from assistant.amounts import SIZE_UNIT
from assistant.answer import MODES, Answer, Citation, Turn
from assistant.answer_text import (
    Piece,
    allowed_texts,
    as_shown,
    closest_citations,
    quoted_notes,
    refusal_text,
    with_markers,
)
from assistant.citing import Citing
from assistant.followup import is_follow_up, retrieval_query
from assistant.generator import GenerationIncomplete, Generator
from assistant.judge import Judge, Judgement
from assistant.prompt import DEFAULT_TEMPLATE, build_messages
from assistant.question import Question, ask_of, is_acronym, name_runs
from assistant.quotes import Quote, quotes
from assistant.sentences import LIST_ITEM, SentenceSplitter
from assistant.sides import Side, in_context, known_sides, sides
from assistant.verify import Verifier
from core.settings import Settings
from retriever.search import Hit, Retriever

MAX_NEW_TOKENS = 120  # SmolLM2-135M answers in one or two sentences; more is mostly drift
MAX_SENTENCES = 2  # stop the model once this many sentences passed verification …
MAX_REJECTED = 2  # … or once this many of one attempt failed it: it has drifted from the notes
# With no sentence verified, the model tries once more, sampling (`assistant.generator.SAMPLING`):
# SmolLM2 often echoes the question first. A third and fourth attempt added sentences, but about
# four in five of those were wrong, after 9 s and more (README): two attempts, at most 240 tokens.
MAX_ATTEMPTS = 2
QUOTES_INTRO = "From the outline:"


class Assistant:
    def __init__(
        self,
        retriever: Retriever,
        generator: Generator | None,
        settings: Settings,
        template: str = DEFAULT_TEMPLATE,
        judge: Judge | None = None,
    ):
        self.retriever, self.generator, self.settings, self.template = (
            retriever,
            generator,
            settings,
            template,
        )
        self.judge = judge or Judge(retriever)

    def ask(
        self, question: str, history: Sequence[Turn] = (), k: int | None = None, mode: str = "model"
    ) -> AnswerStream:
        """Start answering; nothing runs until the stream is iterated (or `.answer` is read)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        generator = self.generator if mode == "model" else None
        return AnswerStream(
            _Call(self, question, tuple(history), k or self.settings.top_k, generator)
        )


class AnswerStream:
    """Iterate for the answer's text pieces; afterwards `.answer` is the final `Answer`.

    Reading `.answer` early finishes the answer first; `close()` stops it where it is
    (the answer is then marked incomplete).
    """

    def __init__(self, call: "_Call"):
        self._call = call
        self._pieces = call.run()

    def __iter__(self) -> "AnswerStream":
        return self

    def __next__(self) -> Piece:
        return next(self._pieces)

    def close(self) -> None:
        self._pieces.close()
        if self._call.answer is None:  # closed before it started
            self._call.finish(incomplete=True)

    @property
    def answer(self) -> Answer:
        if self._call.answer is None:
            for _ in self._pieces:
                pass
        return self._call.answer


class _Call:
    """The state of one question being answered: emitted text, citations, timings."""

    def __init__(
        self,
        owner: Assistant,
        question: str,
        history: tuple[Turn, ...],
        k: int,
        generator: Generator | None,
    ):
        self.owner, self.question, self.history, self.k, self.generator = (
            owner,
            question,
            history,
            k,
            generator,
        )
        self.started = time.perf_counter()
        self.first: float | None = None
        self.pieces: list[Piece] = []
        self.sentence_at: float | None = None  # seconds to the first verified model sentence
        self.citing = Citing()
        self.seen: set[str] = set()
        self.hits: tuple[Hit, ...] = ()
        self.closest: tuple[Citation, ...] = ()
        self.refused = self.cut = False
        self.kept = self.rejected = 0  # model sentences that passed / failed verification
        self.answer: Answer | None = None

    def run(self) -> Iterator[str]:
        completed = False
        try:
            query = retrieval_query(self.question, self.history)
            retrieval = self.owner.retriever.retrieve(query, k=self.k)
            self.hits = tuple(retrieval.hits)
            judgement = self.owner.judge.judge(retrieval)
            answering, compared, absent = known_sides(
                judgement, self._compared(query, judgement.question)
            )
            # an acronym alone is often one the notes write out: "no notes on" would mislead
            names = [" ".join(run) for run in name_runs(judgement.question.text)]
            unwritten = self.owner.judge.unwritten(
                [name for name in names if " " in name or not is_acronym(name)]
            )
            # a name the ask writes and the outline never does ("How do I set up Babelfish for
            # Aurora?"): of the seven question files' 64 such refusals the judge refuses 63, and
            # their one answerable question writes its name ("English") in the situation, not the
            # ask. Not an acronym (notes write them out) nor a unit ("TiB").
            unknown = self.owner.judge.unwritten(
                [
                    n
                    for n in judgement.question.names
                    if not is_acronym(n) and not re.fullmatch(SIZE_UNIT, n, re.IGNORECASE)
                ]
            )
            asked_of = [name for name in unknown if name in ask_of(judgement.question.text)]
            answered = answering.answered or (compared and all(j.answered for _, j in compared))
            if not answered or (asked_of and not compared and not absent):
                self.refused = True
                self.closest = closest_citations(judgement, self.owner.judge)
                yield from self._emit(refusal_text(judgement, unwritten), "refusal")
            else:
                chosen = quotes(answering, self.owner.judge, compared)
                yield from self._quote(chosen, absent)
                # A scenario is answered by its quotes: of the sentences SmolLM2-135M wrote for
                # scenarios that the verifier kept, none recommended the right thing (README).
                if self.generator is not None and not judgement.told_with_situation:
                    yield from self._model(query, chosen)
            completed = True
        finally:
            self.finish(incomplete=not completed or (self.cut and self.kept > 0))

    def _compared(self, query: str, question: Question) -> list[tuple[Side, Judgement]]:
        """For a comparison, each side judged on its own question: the joint question's best lines
        often all lean to one side ("SQS standard and FIFO queues" finds FIFO). A scenario compares
        only in its ask: "… sign in once … instead of managing IAM users in every account. Which
        service should they adopt?" asks for one service."""
        owner = self.owner
        return [
            (side, owner.judge.judge(owner.retriever.retrieve(side.query, k=self.k)))
            for side in in_context(sides(ask_of(query)), owner.judge, question)
        ]

    def _model(self, query: str, chosen: list[Quote]) -> Iterator[str]:
        """Model sentences over notes made of the quoted lines only, one note per cited chunk."""
        notes = quoted_notes(chosen, self.citing)
        verifier = Verifier(query, notes)
        earlier = self.history[-1].question if is_follow_up(self.question, self.history) else ""
        messages = build_messages(self.question, notes, self.owner.template, earlier)
        allowed = allowed_texts(self.question, notes)
        for attempt in range(MAX_ATTEMPTS):
            broken = yield from self._attempt(messages, allowed, verifier, attempt)
            if self.kept or broken:
                return

    def _attempt(
        self, messages: list[dict[str, str]], allowed: list[str], verifier: Verifier, attempt: int
    ) -> Iterator[str]:
        """One reply of the model, verified sentence by sentence; returns True when the generator
        broke (a model server died), so no further attempt is made."""
        splitter, rejected = SentenceSplitter(), self.rejected
        self.cut = False  # only the attempt that kept sentences can leave the answer cut short
        stream = self.generator.stream(
            messages,
            max_new_tokens=MAX_NEW_TOKENS,
            allowed=allowed,
            attempt=attempt,
        )
        try:
            for piece in stream:
                for sentence in splitter.feed(piece):
                    yield from self._verified(sentence, verifier)
                if self.kept >= MAX_SENTENCES or self.rejected - rejected >= MAX_REJECTED:
                    return False
            rest, finished = splitter.finish()
            if rest and finished:
                yield from self._verified(rest, verifier)
            self.cut = bool(rest) and not finished
        except GenerationIncomplete:
            self.cut = True  # verified sentences stay; the quoted lines still follow
            return True
        finally:
            stream.close()  # stops generation when we return early or the consumer closes us
        return False

    def _verified(self, sentence: str, verifier: Verifier) -> Iterator[str]:
        listed = bool(LIST_ITEM.match(sentence))
        verdict = verifier.check(LIST_ITEM.sub("", sentence).replace("**", ""))
        key = " ".join(verdict.text.lower().split())
        if not verdict.notes or key in self.seen:
            self.rejected += 1
            return
        self.seen.add(key)
        self.kept += 1
        markers = self.citing.cite(tuple(note.chunk for note in verdict.notes), verdict.lines)
        text = with_markers(verdict.text, markers)
        separator = "" if self.kept == 1 else "\n" if listed else " "
        if self.sentence_at is None:
            self.sentence_at = time.perf_counter() - self.started
        yield from self._emit(separator + ("- " if listed else "") + text, "model")

    def _quote(self, chosen: list[Quote], absent: Sequence[str] = ()) -> Iterator[str]:
        """The outline's own lines, first and at once; they number the citations. Always shown: a
        sentence can pass every check and still pair true words wrongly; the lines show what is
        written. Then the compared sides that the outline has no notes on."""
        if not chosen:
            return
        items = [f"- {q.text} {self.citing.cite((q.chunk,), q.lines)}" for q in chosen]
        if absent:
            # after a blank line: Markdown would carry a line right after a bullet into it
            items.append(f"\nThe outline has no notes on {' or '.join(absent)}.")
        yield from self._emit("\n".join([QUOTES_INTRO, *items]), "quotes")

    def _emit(self, text: str, place: str) -> Iterator[Piece]:
        if self.first is None:
            self.first = time.perf_counter() - self.started
        self.pieces.append(Piece(text, place))
        yield self.pieces[-1]

    def finish(self, incomplete: bool) -> None:
        self.answer = Answer(
            question=self.question,
            text=as_shown(self.pieces),
            citations=self.citing.citations(),
            refused=self.refused,
            hits=self.hits,
            mode="model" if self.kept else "extractive",
            seconds=time.perf_counter() - self.started,
            first_token_seconds=self.first,
            incomplete=incomplete,
            sentence_seconds=self.sentence_at,
            closest=self.closest,
        )
