"""The answer judge: its signals, its fitting, the stored weights, and its refusals on the seed
(how it reads a question: test_question.py; what it quotes: test_quotes.py)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import extractive_answer, path_line

from assistant.fitting import choose_threshold, fold_of, logistic
from assistant.judge import Weights
from assistant.question import Question
from assistant.signals import QUESTION_SIGNALS, SIGNALS
from core.errors import BranchwiseError


def test_logistic_regression_finds_the_separating_signal():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] > 0).astype(float)

    weights, _ = logistic(x, y, l2=0.1)

    assert weights[0] > 3 and abs(weights[1]) < 0.5 * weights[0]


def test_the_threshold_refuses_one_answerable_question_in_twenty():
    answerable_scores = np.linspace(0.3, 0.95, 20)
    refusal_scores = np.array([0.1, 0.2, 0.31, 0.5, 0.9])
    scores = np.concatenate([answerable_scores, refusal_scores])
    answerable = np.arange(len(scores)) < 20

    threshold = choose_threshold(scores, answerable)

    assert np.sum(answerable_scores < threshold) == 1
    assert np.sum(refusal_scores < threshold) == 3  # the two lowest and the one just above 0.3


def test_the_threshold_is_set_on_scores_of_models_fitted_without_the_question():
    import dataclasses

    from assistant.fitting import Sample, _unseen_scores
    from assistant.question import Question

    rng = np.random.default_rng(1)
    rows = rng.normal(size=(60, len(QUESTION_SIGNALS)))
    samples = [
        Sample(f"q{n}", "fact", bool(rows[n, 0] > 0), Question.read("q", []), np.zeros((0, 1)), [])
        for n in range(60)
    ]
    flipped = [dataclasses.replace(samples[0], answerable=not samples[0].answerable), *samples[1:]]

    # a question's own label cannot move its own score: it was not in the model that scored it
    assert _unseen_scores(flipped, rows)[0] == _unseen_scores(samples, rows)[0]
    assert not np.allclose(_unseen_scores(flipped, rows), _unseen_scores(samples, rows))


def test_each_file_is_judged_by_a_judge_fitted_on_the_other_files_only():
    from assistant.fitting import Sample, held_out_by_file
    from assistant.question import Question

    rng = np.random.default_rng(0)

    def sample(n, answerable):
        labels = np.array([1.0, 0.0, 0.0]) if answerable else np.zeros(3)
        matrix = rng.normal(size=(3, len(SIGNALS))) + labels[:, None]
        return Sample(f"q{n}", "fact", answerable, Question.read("q", []), matrix, labels)

    samples = [sample(n, n % 3 != 0) for n in range(60)]
    sources = ["a.jsonl"] * 30 + ["b.jsonl"] * 30

    held = held_out_by_file(samples, sources, frozenset())

    assert set(held) == {"a.jsonl", "b.jsonl"}
    assert held["a.jsonl"]["questions"] == held["b.jsonl"]["questions"] == 30
    assert held_out_by_file(samples, ["a.jsonl"] * 60, frozenset()) == {}


def test_folds_are_stable_and_spread():
    folds = [fold_of(f"q{i}") for i in range(200)]

    assert folds == [fold_of(f"q{i}") for i in range(200)]
    assert set(folds) == set(range(5)) and min(folds.count(f) for f in range(5)) > 20


def test_the_stored_weights_cover_every_signal_the_judge_computes():
    weights = Weights.load()

    assert weights.line.names == SIGNALS and weights.question.names == QUESTION_SIGNALS
    assert 0 < weights.threshold < 1


def test_weights_for_other_signals_are_refused(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(
        '{"line": {"weights": {"cosine": 1}, "bias": 0}, "question": {}, "threshold": 0.5}'
    )

    with pytest.raises(BranchwiseError, match="assistant.fit"):
        Weights.load(path)


@pytest.mark.model
def test_the_judge_embeds_the_asked_detail_apart_from_the_question(seed_index):
    from assistant.judge import Judge

    _, retriever = seed_index
    judge = Judge(retriever)
    retrieval = retriever.retrieve("What's the largest message I can put on an SQS queue?")
    question, _, _ = judge.signals(retrieval)

    detail = judge.detail_vector(question, retrieval)
    expected = retriever.embedder.embed([question.detail_text])[0]
    assert question.detail_text and "SQS" not in question.detail_text
    assert np.allclose(detail, expected) and not np.allclose(detail, retrieval.vector)


def test_an_amount_is_answered_by_a_line_under_the_named_topic_stating_the_asked_end():
    from assistant.signals import SIGNALS, _answers_amount

    def row(**values):
        return np.array([values.get(name, 0.0) for name in SIGNALS])

    longest = Question.read("What's the longest a Lambda function runs?", [])
    assert longest.bounds
    stating = dict(kind_stated=1.0, under_topic=1.0)
    assert _answers_amount(longest, row(**stating, bound_stated=1.0))
    assert not _answers_amount(longest, row(**stating))  # "Default 3s": not the end asked
    assert not _answers_amount(longest, row(kind_stated=1.0, bound_stated=1.0, under_topic=-1.0))
    size = Question.read("What size are EBS volumes?", [])  # no end asked: any size answers
    assert not size.bounds and _answers_amount(size, row(**stating))


def test_question_signals_tell_an_unstated_end_of_range_and_an_unknown_product_from_an_acronym():
    from assistant.signals import QUESTION_SIGNALS, SIGNALS, question_signals

    vocabulary = frozenset({"lambda", "function", "timeout", "max", "region"})

    def signals(text: str, **line) -> dict[str, float]:
        row = np.array([[line.get(name, 0.0) for name in SIGNALS]])
        values = question_signals(Question.read(text, []), np.array([0.9]), row, vocabulary, 0.5)
        return dict(zip(QUESTION_SIGNALS, values))

    longest = "What's the longest a Lambda function runs?"
    assert signals(longest)["bound_missing"] == 1.0  # only "Default 3s" near
    assert signals(longest, bound_stated=1.0)["bound_missing"] == 0.0  # "Max 900s"
    assert signals("What does a Lambda function run?")["bound_missing"] == 0.0  # no end asked
    product = signals("What does a Lightsail plan include?")
    assert product["unknown_name"] == 1.0 and product["unknown_acronym"] == 0.0
    abbreviated = signals("Can one ASG span regions?")
    assert abbreviated["unknown_name"] == 0.0 and abbreviated["unknown_acronym"] == 1.0


def test_the_cosine_floor_is_held_against_the_nearest_candidate_line_not_the_best_scored():
    from assistant.signals import QUESTION_SIGNALS, SIGNALS, question_signals

    cosine = SIGNALS.index("cosine")
    rows = np.zeros((7, len(SIGNALS)))
    rows[:, cosine] = [0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.6]  # the nearest line scores last
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    values = question_signals(Question.read("q", []), scores, rows, frozenset(), 0.5)

    signals = dict(zip(QUESTION_SIGNALS, values))
    assert signals["cosine"] == 0.6 and signals["below_floor"] == 0.0


@pytest.mark.model
def test_a_question_far_from_every_line_is_refused_with_the_closest_lines(seed_index):
    from assistant.answer_text import REFUSAL

    answer = extractive_answer(seed_index, "What is the boiling point of water at sea level?")

    assert answer.refused and answer.text.startswith(REFUSAL) and "Closest: " in answer.text


@pytest.mark.model
def test_a_name_the_ask_writes_and_the_outline_never_does_is_refused_not_one_of_the_situation(
    seed_index,
):
    # the judge's score alone answered it from Aurora's "PostgreSQL: 3x faster"
    answer = extractive_answer(seed_index, "How do I set up Babelfish for Aurora PostgreSQL?")

    assert answer.refused and answer.text.startswith("The outline has no notes on Babelfish.")

    told = extractive_answer(
        seed_index,
        "Our call centre records calls in English and Spanish. Which AWS service turns the "
        "recordings into text?",
    )

    assert not told.refused and "Transcribe speech to text" in told.text, told.text


def test_a_question_told_with_its_situation_is_read_from_the_sentence_that_asks():
    from assistant.question import ask_of

    assert (
        ask_of("We run 40 accounts. Each needs a VPC. Which service shares subnets?")
        == "Which service shares subnets?"
    )
    assert ask_of("How long can a Lambda function run?") == "How long can a Lambda function run?"


def test_a_refusal_names_the_topic_it_covers_and_the_closest_lines():
    from assistant.answer_text import REFUSAL, refusal_text
    from assistant.judge import Judgement, ScoredLine

    closest = ScoredLine(path_line("Cloud", "SQS", "Limits", "Max message size 256KB"), 0.1)
    about_sqs = Question.read("Can SQS queues be tagged?", [closest.line])
    how_many = Question.read("How many queues can one account hold in SQS?", [closest.line])
    off_topic = Question.read("What is the boiling point of water?", [closest.line])

    covered = refusal_text(Judgement(about_sqs, (closest,), 0.1, 0.5))
    amount = refusal_text(Judgement(how_many, (closest,), 0.1, 0.5))
    absent = refusal_text(Judgement(off_topic, (closest,), 0.1, 0.5))

    assert covered.startswith("The outline has notes on SQS but does not answer this question.")
    assert amount.startswith("The outline has notes on SQS but does not give the number asked for.")
    assert absent.startswith(REFUSAL)
    assert "Closest: SQS › Limits › Max message size 256KB." in covered and "Closest:" in absent
    assert refusal_text(Judgement(off_topic, (), 0.0, 0.5)) == REFUSAL
    # names the question writes and the outline never does are named
    unwritten = refusal_text(Judgement(about_sqs, (closest,), 0.1, 0.5), ["Amazon Bedrock"])
    assert unwritten.startswith("The outline has no notes on Amazon Bedrock. Closest: ")


def test_a_refusal_names_the_topic_below_the_outline_section_that_files_it():
    from assistant.answer_text import refusal_text
    from assistant.judge import Judgement, ScoredLine

    closest = ScoredLine(path_line("Cloud", "Messaging", "SQS", "Polling", "Long polling"), 0.1)
    about_sqs = Question.read("What is the largest message an SQS queue takes?", [closest.line])

    text = refusal_text(Judgement(about_sqs, (closest,), 0.1, 0.5))

    assert text.startswith("The outline has notes on SQS but does not give the maximum size"), text


def test_a_refusal_names_the_topic_the_question_writes_as_a_name_before_a_deeper_title():
    from assistant.answer_text import refusal_text
    from assistant.judge import Judgement, ScoredLine

    closest = ScoredLine(path_line("Cloud", "Aurora", "Endpoints", "Cluster", "Writes"), 0.1)
    question = Question.read("How much does an Aurora cluster cost?", [closest.line])

    text = refusal_text(Judgement(question, (closest,), 0.1, 0.5))

    assert text.startswith("The outline has notes on Aurora but does not give the price"), text


@pytest.mark.model
def test_a_scenario_is_judged_on_its_ask_and_needs_not_on_its_situation_or_constraints(seed_index):
    import dataclasses

    from assistant.judge import Judge

    _, retriever = seed_index
    scenario = (
        "Our company runs a nightly batch job on EC2. The job can be stopped and restarted at any "
        "time without harm. We must keep the bill low. Which EC2 pricing option is the most "
        "cost-effective?"
    )
    retrieval = retriever.retrieve(scenario)
    judge = Judge(retriever)

    judged = judge.judge(retrieval)
    read_whole = judge.judge(dataclasses.replace(retrieval, focus=scenario))

    assert retrieval.focus == "We must keep the bill low. Which EC2 pricing option is?"
    assert judged.answered and judged.answerable > read_whole.answerable
    assert any("Spot" in scored.line.path for scored in judged.lines[:5])
