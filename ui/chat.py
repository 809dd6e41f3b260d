"""The chat page: the conversation so far, example questions, the streamed answer and its citations.

`st.session_state[TURNS]` (a list of `assistant.Turn`) is the conversation; everything else is
drawn from it on each rerun. Follow-up questions pass it to `Assistant.ask` as history. An answer
whose cited lines a re-index changed (`Turn.stale`) carries a badge and a Re-ask button.
"""

from __future__ import annotations

from itertools import chain
from typing import Callable, Iterable, Sequence

import streamlit as st

from assistant import Assistant, Turn
from core.errors import BranchwiseError
from indexer.chunk import Chunk
from indexer.markup import plain
from ui.citations import citation_panel
from ui.export import STALE, conversation_markdown
from ui.sidebar import ChatOptions

TURNS = "turns"
STALE_NOTE = STALE[:1].upper() + STALE[1:]  # "Cited lines changed since this answer"
TEMPLATES = (
    "What does the outline say about {}?",
    "What are the key points about {}?",
    "Summarise the notes on {}.",
)

Browse = Callable[[tuple[str, ...]], None]  # opens the outline browser at a path


def page(
    assistant: Assistant, options: ChatOptions, chunks: Sequence[Chunk], browse: Browse
) -> None:
    st.title(":material/forest: Branchwise", anchor=False)
    st.markdown(introduction(chunks))
    turns: list[Turn] = st.session_state.setdefault(TURNS, [])
    again = [turn.question for number, turn in enumerate(turns) if _show_turn(number, turn, browse)]
    question = st.chat_input("Ask a question about the outline") or (again[0] if again else None)
    examples = st.empty()
    if not question and not turns:
        question = _example_buttons(examples, example_questions(c.path for c in chunks))
    if question:
        examples.empty()
        _ask(assistant, options, question, browse)
    if turns:
        _toolbar(turns, _outline_name(chunks))


def introduction(chunks: Sequence[Chunk]) -> str:
    files = ", ".join(f"`{s}`" for s in dict.fromkeys(c.source for c in chunks))
    return (
        f"Ask questions about **{_outline_name(chunks)}** ({files}, {len(chunks)} branches). "
        "Answers come only from the outline, with `[n]` markers that match the cited branches "
        "below each answer. Everything runs on this machine."
    )


def _outline_name(chunks: Sequence[Chunk]) -> str:
    roots = list(dict.fromkeys(plain(c.path[0]) for c in chunks))
    return roots[0] if len(roots) == 1 else "your outline"


def example_questions(paths: Iterable[tuple[str, ...]], n: int = 3) -> list[str]:
    """Generic questions about sections spread over the outline (short section titles only).

    >>> paths = [("N", "Storage", "S3"), ("N", "Storage"), ("N", "Compute"), ("N", "Network"),
    ...          ("N", "Cost"), ("N", "Security"),
    ...          ("N", "A very long bullet that reads like a sentence")]
    >>> for question in example_questions(paths):
    ...     print(question)
    What does the outline say about Storage?
    What are the key points about Compute?
    Summarise the notes on Cost.
    """
    paths = list(paths)
    depth = (
        1 if len({p[0] for p in paths}) == 1 else 0
    )  # one root heading: its children are the sections
    titles = [plain(p[depth]) for p in paths if len(p) > depth]
    sections = [t for t in dict.fromkeys(titles) if 0 < len(t.split()) <= 5]
    picks = [sections[i * len(sections) // n] for i in range(min(n, len(sections)))]
    return [template.format(title) for template, title in zip(TEMPLATES, picks)]


def _example_buttons(box, questions: list[str]) -> str | None:
    clicked = None
    with box.container():
        st.caption("Try one of these, or type your own question below:")
        for question in questions:
            if st.button(question, icon=":material/lightbulb:"):
                clicked = question
    return clicked


def _show_turn(number: int, turn: Turn, browse: Browse) -> bool:
    """Draw one exchange; True when its Re-ask button was clicked."""
    with st.chat_message("user"):
        st.markdown(turn.question)
    with st.chat_message("assistant"):
        if turn.stale:
            st.warning(
                f"**{STALE_NOTE}**: the outline was re-indexed and lines of "
                f"{', '.join(f'[{n}]' for n in turn.stale)} changed or were removed.",
                icon=":material/history:",
            )
        _show_answer(number, turn.answer, browse, turn.stale)
        return bool(turn.stale) and st.button(
            "Re-ask",
            key=f"reask-{number}",
            icon=":material/replay:",
            help="Ask the same question again, against the new index",
        )


def _ask(assistant: Assistant, options: ChatOptions, question: str, browse: Browse) -> None:
    turns: list[Turn] = st.session_state[TURNS]
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        busy = getattr(options.generator, "busy", None)
        if options.mode == "model" and busy is not None and busy():
            st.caption(
                ":material/hourglass_top: Another session is using the model; "
                "this answer starts when it finishes."
            )
        box = st.empty()
        try:
            with st.spinner("Searching the outline…"):
                stream = assistant.ask(
                    question, history=tuple(turns), k=options.k, mode=options.mode
                )
                pieces = iter(stream)
                first = next(pieces, None)
            _stream_into(
                box, chain([] if first is None else [first], pieces), options.mode == "model"
            )
        except BranchwiseError as error:
            box.error(f"No answer: {error}")
            return
        with box.container():
            _show_answer(len(turns), stream.answer, browse)
    turns.append(Turn(question, stream.answer))


def _stream_into(box, pieces, model: bool) -> None:
    """Quotes as soon as they are known; a verified model sentence fills the place reserved above
    them when it is ready. Nothing shown is taken back."""
    with box.container():
        sentence = st.empty()
        if model:
            sentence.caption(
                ":material/edit_note: The model is writing a sentence from these lines…"
            )
        below = st.empty()
        shown = {"model": "", "quotes": "", "refusal": ""}
        for piece in pieces:
            shown[piece.place] += piece
            (sentence if piece.place == "model" else below).markdown(shown[piece.place])
        if model and not shown["model"]:
            sentence.empty()


def _show_answer(number: int, answer, browse: Browse, stale: tuple[int, ...] = ()) -> None:
    """The answer text with its citation panels (badged when `stale`), or the refusal: once, naming
    the closest lines, with their branches as panels."""
    if answer.refused:
        st.warning(answer.text.strip(), icon=":material/search_off:")
        for citation in answer.closest:
            _panel(f"Closest: {citation.chunk.breadcrumb}", citation, browse, f"closest-{number}")
        return
    st.markdown(answer.text)
    st.caption(_meta(answer))
    for citation in answer.citations:
        title = f"[{citation.n}] {citation.chunk.breadcrumb}"
        if citation.n in stale:
            title += f" :orange[:material/history: {STALE}]"
        note = f"{STALE_NOTE}: the lines below are as they were." if citation.n in stale else ""
        _panel(title, citation, browse, f"cite-{number}", note)


def _panel(title: str, citation, browse: Browse, key: str, note: str = "") -> None:
    chunk = citation.chunk
    citation_panel(
        title,
        chunk,
        citation.supporting_lines,
        _opener(browse, chunk.path),
        key=f"{key}-{citation.n}",
        note=note,
    )


def _opener(browse: Browse, path: tuple[str, ...]) -> Callable[[], None]:
    return lambda: browse(path)


def _meta(answer) -> str:
    how = (
        "model: the text above the quotes is the model's, checked against them; "
        "the quotes are exact"
        if answer.mode == "model"
        else "extractive: quoted from the outline"
    )
    first = (
        f", first words after {answer.first_token_seconds:.1f} s"
        if answer.first_token_seconds
        else ""
    )
    if answer.sentence_seconds is not None:
        first += f", the model's sentence after {answer.sentence_seconds:.1f} s"
    cut = " · stopped at the length limit" if answer.incomplete else ""
    return f"{how} · {answer.seconds:.1f} s{first}{cut}"


def _toolbar(turns: list[Turn], outline_name: str) -> None:
    left, right = st.columns(2)
    left.button("Clear conversation", icon=":material/delete_sweep:", on_click=turns.clear)
    right.download_button(
        "Download as Markdown",
        conversation_markdown(turns, outline_name),
        file_name="branchwise-conversation.md",
        mime="text/markdown",
        icon=":material/download:",
        on_click="ignore",
    )
