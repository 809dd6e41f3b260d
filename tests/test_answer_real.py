"""End-to-end answers with the real bundled model on the real seed outline (marked `model`).

The generator is converted into a temporary cache once per session (~20 s); each answer is
capped at the pipeline's token limit, so the file stays well under a minute after that.
"""

from __future__ import annotations

import re

import pytest

from assistant import Assistant
from assistant.answer_text import as_shown
from assistant.model import load_generator
from core.settings import Settings

pytestmark = pytest.mark.model
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def assistant(seed_index, tmp_path_factory) -> Assistant:
    settings, retriever = seed_index
    generator = load_generator(Settings(cache_dir=tmp_path_factory.mktemp("model-cache")))
    return Assistant(retriever, generator, settings)


def test_model_answer_on_the_seed_outline_is_streamed_grounded_and_cited(assistant):
    stream = assistant.ask("What is the maximum timeout of a Lambda function?")
    pieces = list(stream)
    answer = stream.answer

    assert as_shown(pieces) == answer.text and answer.first_token_seconds is not None
    assert not answer.refused
    assert "900" in answer.text
    assert {int(n) for n in MARKER.findall(answer.text)} == {c.n for c in answer.citations}
    cited = " ".join(c.chunk.text + " " + " ".join(c.path) for c in answer.citations)
    stated = MARKER.sub("", answer.text)
    assert set(NUMBER.findall(stated)) <= set(NUMBER.findall(cited))  # no number of its own
    assert any("Lambda" in c.path for c in answer.citations)


def test_question_the_seed_outline_does_not_cover_is_refused(assistant):
    answer = assistant.ask("What is the boiling point of water at sea level?").answer

    assert answer.refused and answer.citations == ()
    assert answer.hits  # the nearest branches are still offered
