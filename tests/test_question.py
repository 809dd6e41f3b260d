"""How the judge reads a question (assistant/question.py): the titles it names, the detail it asks,
the kind and the end of a range it asks for, and how a line states them."""

from __future__ import annotations

import pytest
from conftest import path_line

from assistant.amounts import asked_bounds, states_bound, states_kind
from assistant.question import Question, matched


def test_a_question_names_the_titles_it_uses_and_asks_for_the_rest():
    lines = [path_line("Cloud", "SQS", "Limits", "Max message size 256KB")]

    question = Question.read("What is the largest message an SQS queue accepts?", lines)

    assert question.named == {"SQS"}
    assert {"largest", "messag", "accept"} <= question.detail and "sqs" not in question.detail
    assert question.asks_amount and question.kinds == {"size"}
    # what the judge embeds apart: the asked detail in the question's own words, the topic out
    assert question.detail_text == "largest message queue accepts"


def test_modal_verbs_ask_rather_than_name():
    question = Question.read("What's the longest a Lambda invocation may run?", [])

    assert "may" not in question.detail and "may" not in question.detail_text.split()


def test_a_question_names_a_title_written_as_one_word_in_two():
    lines = [path_line("Cloud", "Route53", "Hosted zones", "Alias")]

    question = Question.read("What does a Route 53 alias record point at?", lines)

    assert "Route53" in question.named


def test_a_line_states_the_end_of_a_range_that_the_question_asks_for():
    upper = asked_bounds("How long can a Lambda function run?")

    assert upper == {"upper"} and asked_bounds("What is the default timeout?") == {"default"}
    assert states_bound(["Timeout", "Max 900s"], upper)
    assert not states_bound(["Timeout", "Default 3s"], upper)


@pytest.mark.parametrize(
    "text, amount",
    [
        ("Is there a size limit on what a CMK can encrypt?", True),
        ("sns fifo topic throughput limit pls", True),
        ("Can I attach a policy to a VPC endpoint to limit what it can reach?", False),
        ("How do I limit access to my bucket?", False),
    ],
)
def test_limit_the_noun_asks_an_upper_end_and_limit_the_verb_asks_nothing(text, amount):
    assert Question.read(text, []).asks_amount is amount
    assert (asked_bounds(text) == {"upper"}) is amount


@pytest.mark.parametrize(
    "texts, bound, stated",
    [
        (["EC2 User Data", "Limited to 16KB"], "upper", True),
        (["Bucket names", "3-63 characters"], "upper", True),
        (["Bucket names", "3-63 characters"], "lower", True),
        (["Long polling", "Wait time between 1 and 20 sec"], "lower", True),
        (["Bucket names", "3-63 characters"], "default", False),
        (["Visibility timeout", "30s"], "upper", False),
    ],
)
def test_a_limit_or_a_range_of_numbers_states_its_ends(texts, bound, stated):
    assert states_bound(texts, frozenset({bound})) is stated


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("How long can a Lambda function run?", {"duration"}),
        ("What's the biggest object S3 stores?", {"size"}),
        ("How much does Route 53 charge per hosted zone?", {"price"}),
        ("What does an SCP do?", set()),
        # an amount a yes-or-no ask states is of the kind it asks about
        ("Can I run Lambda for 20 minutes?", {"duration"}),
        ("Will S3 take a 6TB object?", {"size"}),
        # elsewhere it is the situation
        ("encrypting a 10kb payload with my cmk errors out, why?", set()),
        # digits inside a name state nothing
        ("Can k8s worker nodes join my EC2 cluster?", set()),
    ],
)
def test_asked_kinds(text, kinds):
    assert Question.read(text, []).kinds == kinds


def test_a_line_states_a_kind_of_amount_only_with_its_unit():
    assert states_kind("Max 900s", frozenset({"duration"}))
    assert not states_kind("Default 1000 per region", frozenset({"duration"}))
    assert states_kind("Max message size 256KB", frozenset({"size"}))
    # a price is an amount of money (or none at all), not the word "per" alone
    assert not states_kind("Priced per secrets and API calls per month", frozenset({"price"}))
    assert states_kind("$0.40 per secret per month", frozenset({"price"}))
    assert states_kind("0.40 per month", frozenset({"price"}))
    assert states_kind("Free for <10000 parameters", frozenset({"price"}))


def test_words_match_on_a_shared_start():
    assert matched({"time", "queue"}, {"timeout"}) == {"time"}


def test_a_compound_name_is_written_only_where_the_outline_writes_its_words_together():
    from assistant.question import unknown_names
    from indexer.lexical import joined_words, lexical_tokens

    lines = ["Secure String", "Generates code and functions", "Pipeline recipe", "Production"]
    vocabulary = frozenset(w for ws in lexical_tokens(lines) for w in ws) | joined_words(lines)

    # "code" and "pipeline" are written, "CodePipeline" is not; "Secure String" is "SecureString"
    assert unknown_names(["SecureString", "CodePipeline", "Productions"], vocabulary) == [
        "CodePipeline"
    ]
