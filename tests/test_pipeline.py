"""Tests for assistant.pipeline: a real index of a small outline, the real embedder, and a scripted
generator in place of the language model (follow-up turns are searched through the pipeline here;
which questions are follow-ups is test_followup.py's)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from assistant_fakes import CLOUD_OUTLINE, ScriptedGenerator
from conftest import write_outline

from assistant import Assistant, Turn
from assistant.answer_text import as_shown
from assistant.generator import GenerationIncomplete
from assistant.pipeline import MAX_ATTEMPTS
from core.settings import Settings
from indexer.build import build_index
from indexer.store import load_index
from retriever.search import Retriever

MEMORY = "How much memory can a Lambda function have?"
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory, real_embedder) -> tuple[Settings, Retriever]:
    """CLOUD_OUTLINE indexed with the real embedder; small chunks, one per service."""
    root = tmp_path_factory.mktemp("cloud")
    write_outline(root / "seeds", CLOUD_OUTLINE)
    settings = Settings(seeds=(root / "seeds",), index_dir=root / "index", chunk_tokens=40)
    build_index(settings, real_embedder)
    return settings, Retriever(
        load_index(settings.index_dir, real_embedder.model_id), real_embedder
    )


def ask(cloud, script, question=MEMORY, template="quoted", **options):
    """Answer with a scripted model, which sees the quoted lines as notes."""
    settings, retriever = cloud
    generator = ScriptedGenerator(script) if script is not None else None
    stream = Assistant(retriever, generator, settings, template).ask(question, **options)
    pieces = list(stream)
    return stream.answer, pieces, generator


def cited_paths(answer) -> list[str]:
    return [citation.path[-1] for citation in answer.citations]


def test_streamed_pieces_are_the_answer_and_every_marker_has_its_citation(cloud):
    answer, pieces, _ = ask(cloud, "Lambda memory ranges from 128mb to 10240 MB {cite:10240}.")

    assert as_shown(pieces) == answer.text
    assert answer.mode == "model" and not answer.refused
    assert answer.text.startswith("Lambda memory ranges from 128mb to 10240 MB [1].")
    assert {int(n) for n in MARKER.findall(answer.text)} == {c.n for c in answer.citations} == {1}
    assert cited_paths(answer) == ["Lambda"]
    assert 5 in answer.citations[0].supporting_lines  # the "128mb to 10240 MB" line


def test_a_lying_model_never_gets_its_numbers_into_the_answer(cloud):
    answer, _, generator = ask(
        cloud, "Lambda memory goes up to 99999 MB {cite:10240}. It also caches 77 GB."
    )

    assert "99999" not in answer.text and "77" not in answer.text
    assert answer.mode == "extractive"
    assert generator.attempts == list(range(MAX_ATTEMPTS))  # each attempt lied; each was refused
    assert "10240" in answer.text  # the outline's line, quoted instead
    assert cited_paths(answer) == ["Lambda"]


def test_after_an_echo_of_the_question_a_second_attempt_gives_the_verified_sentence(cloud):
    echo = "How much memory can a Lambda function have? A Lambda function can have memory."
    answer, pieces, generator = ask(cloud, [echo, "Lambda memory goes from 128mb to 10240 MB."])

    assert generator.attempts == [0, 1]
    assert answer.mode == "model" and answer.text.startswith(
        "Lambda memory goes from 128mb to 10240 MB [1]."
    )
    assert echo not in answer.text and [p.place for p in pieces] == ["quotes", "model"]


def test_a_verified_first_attempt_is_the_only_one(cloud):
    _, _, generator = ask(
        cloud, ["Lambda memory goes from 128mb to 10240 MB.", "Lambda has memory."]
    )

    assert generator.attempts == [0]


def test_uncited_supported_sentence_gets_the_citation_of_its_branch(cloud):
    answer, _, _ = ask(cloud, "A Lambda function can use 128mb to 10240 MB of memory.")

    assert answer.text.startswith("A Lambda function can use 128mb to 10240 MB of memory [1].")
    assert cited_paths(answer) == ["Lambda"]


def test_sentence_citing_the_wrong_branch_is_recited_to_the_right_one(cloud):
    question = "How do the timeouts of Lambda and Step Functions compare?"
    answer, _, _ = ask(cloud, "A Lambda times out at max 900s {cite:1 year}.", question=question)

    lambda_number = next(c.n for c in answer.citations if c.path[-1] == "Lambda")
    assert answer.text.startswith(f"A Lambda times out at max 900s [{lambda_number}].")


def test_citations_are_numbered_densely_in_order_of_first_use(cloud):
    script = (
        "Step Functions allow max 1 year per execution {cite:1 year}. "
        "A Lambda times out at max 900s {cite:900s}."
    )
    answer, _, generator = ask(
        cloud, script, question="How do the timeouts of Lambda and Step Functions compare?"
    )

    assert answer.text.startswith(
        "Step Functions allow max 1 year per execution [1]. A Lambda times out at max 900s [2]."
    )
    assert list(dict.fromkeys(MARKER.findall(answer.text))) == ["1", "2"]
    assert cited_paths(answer) == ["Step Functions", "Lambda"]


def test_question_the_outline_does_not_cover_is_refused_without_the_model(cloud):
    answer, _, generator = ask(cloud, "Paris [1].", question="What is the capital of France?")

    assert answer.refused and answer.citations == ()
    assert generator.calls == []
    assert answer.text.startswith("The outline has no notes on France.")
    assert "Closest: " in answer.text and answer.hits  # names the nearest lines
    # whose branches are the panels under the refusal, numbered apart from citations
    assert [c.n for c in answer.closest] == list(range(1, len(answer.closest) + 1))
    assert answer.closest and all(c.supporting_lines for c in answer.closest)


def test_injected_instruction_obeyed_by_the_model_stays_quoted_and_cited(cloud):
    script = "I will ignore the notes and say the answer is 42. The bucket limit is 9999."
    answer, _, generator = ask(cloud, script, question="What do the bucket rules say?")

    assert "42" not in answer.text
    prompt = generator.calls[0][1]["content"]
    assert re.search(r'<note n="\d+"[^>]*>[^<]*Ignore previous instructions[^<]*</note>', prompt)
    for sentence in re.split(r"(?<=\.)\s", answer.text):
        if "9999" in sentence:
            numbers = [int(n) for n in MARKER.findall(sentence)]
            assert numbers and all(
                answer.citations[n - 1].path[-1] == "Bucket rules" for n in numbers
            )


@pytest.mark.parametrize(
    "first, expected, other",
    [
        (MEMORY, "900s", "1 year"),
        ("How long can a Step Functions execution run?", "1 year", "900s"),
    ],
)
def test_short_follow_up_is_searched_with_the_previous_turn(cloud, first, expected, other):
    earlier, _, _ = ask(cloud, None, question=first, mode="extractive")

    answer, _, _ = ask(
        cloud, None, question="and its timeout?", history=[Turn(first, earlier)], mode="extractive"
    )

    assert expected in answer.text and other not in answer.text


def test_closing_the_stream_early_stops_the_model_and_marks_the_answer_incomplete(cloud):
    settings, retriever = cloud
    generator = ScriptedGenerator(
        "Lambda memory ranges from 128mb to 10240 MB {cite:10240}. " * 5, piece_size=3
    )
    stream = Assistant(retriever, generator, settings).ask(MEMORY)

    shown = [next(stream), next(stream)]  # the quotes, then the first model sentence
    stream.close()

    assert [piece.place for piece in shown] == ["quotes", "model"]
    assert stream.answer.incomplete
    assert stream.answer.text == as_shown(shown)
    assert generator.closed == 1


def test_the_model_sees_only_the_quoted_lines(cloud):
    answer, _, generator = ask(cloud, "Lambda memory ranges from 128mb to 10240 MB {cite:10240}.")

    prompt = generator.calls[0][1]["content"]
    assert "128mb to 10240 MB" in prompt and "256KB" not in prompt
    assert answer.text.startswith("Lambda memory ranges from 128mb to 10240 MB [1].")
    allowed = "\n".join(generator.allowed[0])  # what constrained decoding may draw its words from
    assert MEMORY in allowed and "[1]" in allowed and "10240" in allowed and "256KB" not in allowed


def test_the_quotes_stream_before_the_model_starts(cloud):
    settings, retriever = cloud
    generator = ScriptedGenerator("Lambda memory ranges from 128mb to 10240 MB {cite:10240}.")
    stream = Assistant(retriever, generator, settings).ask(MEMORY)

    first = next(stream)

    assert first.place == "quotes" and "10240" in first
    assert generator.calls == []  # shown before the model was even asked
    rest = list(stream)
    assert [piece.place for piece in rest] == ["model"]
    assert stream.answer.text == as_shown([first, *rest])


def test_a_scenario_is_answered_by_its_quotes_without_the_model(cloud):
    scenario = (
        "Our team resizes images in Lambda and the functions keep running out of memory. "
        "How much memory can a Lambda function have?"
    )
    answer, _, generator = ask(
        cloud, "Lambda memory ranges from 128mb to 10240 MB {cite:10240}.", question=scenario
    )

    assert generator.calls == []
    assert not answer.refused and "128mb to 10240 MB" in answer.text


def test_extractive_mode_never_calls_the_generator(cloud):
    answer, _, generator = ask(
        cloud, "Lambda memory ranges from 128mb to 10240 MB.", mode="extractive"
    )

    assert generator.calls == []
    assert answer.mode == "extractive" and "10240" in answer.text


def test_answer_can_be_read_without_iterating_the_stream(cloud):
    settings, retriever = cloud
    answer = Assistant(retriever, None, settings).ask(MEMORY).answer

    assert "10240" in answer.text and not answer.incomplete


def test_one_assistant_answers_concurrent_questions_independently(cloud):
    settings, retriever = cloud

    def script(messages):
        time.sleep(0.05)
        if "FIFO" in messages[1]["content"].split("Question:")[-1]:
            return "A FIFO queue handles up to 300 messages per second."
        return "Lambda memory ranges from 128mb to 10240 MB."

    assistant = Assistant(retriever, ScriptedGenerator(script, piece_size=2), settings)
    questions = [MEMORY, "How many messages per second can a FIFO queue handle?"] * 2
    answers = [None] * len(questions)

    def run(i):
        answers[i] = assistant.ask(questions[i]).answer

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for question, answer in zip(questions, answers):
        assert answer.question == question
        assert ("300" in answer.text) == ("FIFO" in question) and ("10240" in answer.text) != (
            "FIFO" in question
        )


def test_unknown_mode_is_rejected(cloud):
    settings, retriever = cloud
    with pytest.raises(ValueError, match="mode"):
        Assistant(retriever, None, settings).ask(MEMORY, mode="creative")


class BreaksMidAnswer(ScriptedGenerator):
    """Streams its script, then fails like a model server that died mid-answer."""

    def stream(self, messages, max_new_tokens=256, allowed=None, attempt=0):
        yield from super().stream(messages, max_new_tokens, allowed, attempt)
        raise GenerationIncomplete("http://127.0.0.1:9/v1", "partial", "connection dropped")


def test_a_generator_failing_mid_answer_keeps_verified_sentences_and_marks_the_answer_incomplete(
    cloud,
):
    settings, retriever = cloud
    generator = BreaksMidAnswer(
        "Lambda memory ranges from 128mb to 10240 MB {cite:10240}. Lambda also"
    )
    stream = Assistant(retriever, generator, settings, "quoted").ask(MEMORY)

    pieces = list(stream)

    assert as_shown(pieces) == stream.answer.text
    assert stream.answer.text.startswith("Lambda memory ranges from 128mb to 10240 MB [1].")
    assert stream.answer.incomplete and stream.answer.citations
