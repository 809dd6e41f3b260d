"""retriever.reading: a question split into sentences, its ask found, its constraints and needs
read; and what the answer judge reads of it (`focus_of`): a short question unchanged, a scenario's
ask and needs without the constraints."""

from __future__ import annotations

import pytest

from retriever.reading import asked_thing, read_question, split_sentences, without_constraints
from retriever.search import focus_of

SCENARIO = (
    "Our company runs a nightly batch job on EC2. The job can be stopped and restarted at any time "
    "without harm. We must keep the bill low. Which EC2 pricing option is the most cost-effective?"
)


def test_sentences_split_at_a_full_stop_before_a_capital_but_not_after_an_abbreviation():
    text = "We store logs, e.g. Apache logs, in S3. Each object is 5 MB. Which storage class fits?"

    assert split_sentences(text) == [
        "We store logs, e.g. Apache logs, in S3.",
        "Each object is 5 MB.",
        "Which storage class fits?",
    ]


def test_a_decimal_or_a_name_with_dots_does_not_end_a_sentence():
    assert split_sentences("Version 2.1 of node.js runs here. What changed?") == [
        "Version 2.1 of node.js runs here.",
        "What changed?",
    ]


def test_the_ask_is_the_last_sentence_with_a_question_mark_and_the_rest_is_situation():
    parts = read_question(
        "Is this for prod? We run 40 accounts. Which service shares subnets? Logs go to S3."
    )

    assert parts.ask == "Which service shares subnets?"
    assert parts.situation == ("Is this for prod?", "We run 40 accounts.", "Logs go to S3.")
    assert parts.sub_questions == ("Is this for prod?",)


def test_without_a_question_mark_the_ask_is_the_sentence_that_opens_as_a_question_or_request():
    parts = read_question(
        "We run 40 accounts. Recommend a way to share one VPC. It must stay private."
    )

    assert parts.ask == "Recommend a way to share one VPC."
    assert parts.needs == ("It must stay private.",)


def test_a_one_sentence_question_is_its_own_ask_with_no_situation():
    parts = read_question("What is the maximum size of an S3 object?")

    assert not parts.is_scenario
    assert parts.ask == "What is the maximum size of an S3 object?"
    assert parts.situation == () and parts.needs == () and parts.constraints == ()


@pytest.mark.parametrize(
    "text, constraint",
    [
        ("Which design has the LEAST operational overhead?", "least operational overhead"),
        ("What is the most cost-effective option?", "most cost-effective"),
        ("What's the lowest-cost solution?", "lowest-cost"),
        (
            "How do we add caching without changing the application code?",
            "without changing the application code",
        ),
        ("The fix must minimize downtime.", "minimize downtime"),
    ],
)
def test_constraints_are_read_as_written(text, constraint):
    assert read_question(text).constraints == (constraint,)


@pytest.mark.parametrize(
    "text",
    [
        "What is the maximum size of an S3 object?",
        "What is the minimum billing duration?",
        "How much does Glacier cost per GB?",
    ],
)
def test_an_asked_amount_is_not_a_constraint(text):
    assert read_question(text).constraints == ()


def test_a_constraint_is_taken_out_with_the_words_leading_into_it():
    assert (
        without_constraints("Which service meets this with the least operational overhead?")
        == "Which service meets this?"
    )


@pytest.mark.parametrize(
    "ask, thing",
    [
        ("Which EC2 pricing option is the most cost-effective?", "EC2 pricing option"),
        ("What type of storage should we use?", "storage"),
        ("Which solution meets these requirements?", ""),
        ("What should we do?", ""),
    ],
)
def test_the_asked_thing_is_what_a_which_or_what_question_names(ask, thing):
    assert asked_thing(ask) == thing


def test_needs_are_the_situation_sentences_that_state_a_requirement():
    parts = read_question(SCENARIO)

    assert parts.needs == ("We must keep the bill low.",)
    assert parts.asked == "EC2 pricing option"


def test_the_judge_reads_a_short_question_unchanged():
    question = "Which EC2 pricing option is the most cost-effective for interruptible jobs?"

    assert focus_of(question) == question


def test_the_judge_reads_a_scenario_as_its_needs_then_its_ask_without_constraints():
    assert focus_of(SCENARIO) == "We must keep the bill low. Which EC2 pricing option is?"


def test_the_examples_in_the_docstrings_hold():
    import doctest

    import retriever.reading

    result = doctest.testmod(retriever.reading)

    assert result.attempted and not result.failed
