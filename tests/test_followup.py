"""Tests for assistant.followup: which questions lean on the previous turn, and what is searched."""

from __future__ import annotations

import pytest

from assistant import Turn
from assistant.followup import is_follow_up, retrieval_query


@pytest.mark.parametrize(
    "question, expected",
    [
        ("and the FIFO one?", True),
        ("what about its max size?", True),
        ("Does it keep messages in order?", True),
        ("Timeout?", True),
        ("What is the maximum message size of a standard SQS queue?", False),
        ("Which service should I use when that limit is too small?", False),
        ("Can AWS WAF block requests based on the country they come from?", False),
        ("How does S3 replicate its objects to another region?", False),
    ],
)
def test_follow_up_detection(question, expected):
    history = [Turn("How big can an SQS message be?", None)]

    assert is_follow_up(question, history) is expected
    assert not is_follow_up(question, [])


def test_follow_up_query_puts_the_previous_question_first():
    history = [Turn("How big can an SQS message be?", None)]

    assert (
        retrieval_query("and the FIFO one?", history)
        == "How big can an SQS message be? and the FIFO one?"
    )
    standalone = "Which AWS service encrypts data at rest in S3?"
    assert retrieval_query(standalone, history) == standalone
