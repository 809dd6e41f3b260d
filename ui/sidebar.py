"""The "Answering" settings in the sidebar and the generator they ask for.

The slider and radio are widgets (their values live in `st.session_state` under `TOP_K` and
`MODE`); the generator is loaded only when model answers are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from assistant.backends import generator_spec
from core.settings import Settings
from ui import resources

TOP_K, MODE = "top_k", "answer_mode"
MODES = {"model": "Model (generated, cited)", "extractive": "Extractive only (quoted lines)"}
BUNDLED_NAME = "SmolLM2-135M-Instruct (bundled)"


@dataclass(frozen=True)
class ChatOptions:
    k: int  # branches retrieved per question
    mode: str  # "model" | "extractive"
    generator: object | None  # None → extractive answers
    model_name: str


def chat_options(settings: Settings) -> ChatOptions:
    """Draw the settings and load what they need; a missing model shows how to install it."""
    with st.sidebar:
        st.subheader("Answering", anchor=False)
        k = st.slider(
            "Branches retrieved",
            1,
            12,
            settings.top_k,
            key=TOP_K,
            help="How many outline branches each answer may draw on.",
        )
        mode = st.radio("Answer mode", list(MODES), format_func=MODES.get, key=MODE)
    choice = resources.generator(generator_spec(settings)) if mode == "model" else None
    name = in_use(choice.generator) if choice and choice.generator else configured_name(settings)
    if choice is not None and choice.problem:
        st.error(
            f"**The language model is not available.** {choice.problem}  \n"
            "Answers are extractive (quoted from the outline) until it is installed.",
            icon=":material/warning:",
        )
        mode = "extractive"
    st.sidebar.text_input(
        "Model in use", name if mode == "model" else f"none (extractive) · {name}", disabled=True
    )
    return ChatOptions(k, mode, choice.generator if choice else None, name)


def in_use(generator: object) -> str:
    """The model's name and, for an in-process model, its engine and weight type, e.g.
    "SmolLM2-135M-Instruct.Q4_1 · ctranslate2 int8"; a model server has no `info`."""
    info = getattr(generator, "info", None)
    name = getattr(generator, "name", "")
    return f"{name} · {info.engine} {info.dtype}" if info is not None else name


def configured_name(settings: Settings) -> str:
    return settings.llm_model or settings.generator_model or BUNDLED_NAME
