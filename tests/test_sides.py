"""The sides of a comparison ("X vs Y") and what an answer quotes for each: each side's own lines
and node, the sides the outline never names."""

from __future__ import annotations

import pytest
from conftest import extractive_answer

from assistant.sides import sides


@pytest.mark.parametrize(
    "question, expected",
    [
        (
            "What is the difference between SQS standard and FIFO queues?",
            [{"sqs", "standard"}, {"fifo", "queue"}],
        ),
        ("gp2 vs gp3 volumes", [{"gp2"}, {"gp3", "volum"}]),
        ("How does Aurora compare with RDS?", [{"aurora"}, {"rds"}]),
        # commas after the keyword list sides; before a side they end a clause
        ("Compare Aurora, RDS and DynamoDB", [{"aurora"}, {"rds"}, {"dynamodb"}]),
        (
            "For an ASG, how does target tracking differ from step scaling?",
            [{"target", "track"}, {"step", "scale"}],
        ),
        # "ones" stands in for the other side's noun and names nothing
        (
            "Identity-based policies versus resource-based ones",
            [{"ident", "base", "polici"}, {"resourc", "base"}],
        ),
        # a spaced dash or "in how/what/terms of" ends the last side: the ask after it is both's
        (
            "Simple AD vs AD Connector - what is each built on?",
            [{"simpl", "ad"}, {"ad", "connector"}],
        ),
        (
            "Difference between partition and spread groups in terms of size?",
            [{"partit"}, {"spread", "group"}],
        ),
        ("What does an SCP do?", []),
    ],
)
def test_comparison_sides(question, expected):
    assert [set(side.words) for side in sides(question)] == expected


@pytest.mark.model
def test_a_comparison_on_the_seed_quotes_both_sides(seed_index):
    answer = extractive_answer(
        seed_index, "What is the difference between SQS standard and FIFO queues?"
    )

    quoted = {n for citation in answer.citations for n in citation.supporting_lines}
    assert not answer.refused
    assert "FIFO" in answer.text and "Standard" in answer.text
    assert len(quoted) >= 4


@pytest.mark.model
@pytest.mark.parametrize(
    "question, each_side",
    [
        # each side's own node, with its children: not one side's detail only
        ("Compare Amazon Detective with GuardDuty", ["investigations", "Threat detection"]),
        # Memcached is ElastiCache's too: its side is asked with the topic the other side names
        ("Memcached or ElastiCache Redis: what sets them apart?", ["Auto Discovery", "Redis AUTH"]),
        # "standard" is SNS's standard: SNS is written once, on the other side; and the lines that
        # name a side may rank below the side's tenth best line
        ("How do standard and FIFO SNS topics compare?", ["Best effort ordering", "Guarantees"]),
        # three sides, each its own node; "ECS Anywhere" is not the "ECS" topic
        (
            "Compare EKS on Outposts, ECS Anywhere and EKS Anywhere",
            ["Outpost rack", "own on-premises infra", "Run K8s cluster on own hardware"],
        ),
        # "topics" is written once, on the FIFO side; "SNS › … › Topic › Types › Standard" is the
        # standard side's, SNS written above the Topic title
        (
            "What's the difference between SNS standard and FIFO topics in how many topics I get?",
            ["100000 topics", "1000 FIFO topics"],
        ),
        # "gp3 › 20% cheaper than gp2" names gp2 but is gp3's: gp2's own node is quoted too
        ("gp2 vs gp3 volumes: which is cheaper?", ["5.4 million credits", "20% cheaper than gp2"]),
        # IAM is both sides' topic, though only one side writes it
        (
            "Identity-based policies versus resource-based ones",
            ["Managed policies", "Attached to resources like S3 buckets"],
        ),
    ],
)
def test_a_comparison_quotes_what_each_side_is(seed_index, question, each_side):
    answer = extractive_answer(seed_index, question)

    assert not answer.refused
    assert all(fact in answer.text for fact in each_side), answer.text


@pytest.mark.model
def test_a_comparison_answers_the_side_the_outline_knows_and_names_the_other(seed_index):
    answer = extractive_answer(
        seed_index, "Lambda vs Google Cloud Functions: how long can each run?"
    )

    assert not answer.refused
    assert "Max 900s" in answer.text
    assert answer.text.endswith("The outline has no notes on Google Cloud Functions."), answer.text


@pytest.mark.model
def test_a_side_typed_as_the_initials_of_a_title_is_known(seed_index):
    answer = extractive_answer(
        seed_index, "What's the difference between a security group and a NACL?"
    )

    assert "no notes on" not in answer.text, answer.text
    assert "Network ACLs" in answer.text and "Security Groups" in answer.text


@pytest.mark.model
def test_a_comparison_asking_only_what_the_sides_are_quotes_each_sides_own_node(seed_index):
    answer = extractive_answer(seed_index, "Compare SNS and SQS")

    cited = [citation.path[-1] for citation in answer.citations]
    assert "Simple Notification Service (SNS)" in cited and "Simple Queue Service (SQS)" in cited


@pytest.mark.model
def test_a_comparison_of_sides_the_outline_never_names_is_refused(seed_index):
    answer = extractive_answer(seed_index, "Compare Azure Functions with Google Cloud Run")

    assert answer.refused and not answer.citations
    assert answer.text.startswith(
        "The outline has no notes on Azure Functions or Google Cloud Run."
    )


def test_known_sides_answer_from_the_one_side_the_outline_names():
    from assistant.judge import Judgement
    from assistant.question import Question
    from assistant.sides import Side, known_sides

    def judged(answerable):
        return Judgement(Question.read("q", []), (), answerable, 0.5)

    joint, lambda_side, google_side = judged(0.1), judged(0.9), judged(0.2)
    lam = Side("Lambda", frozenset({"lambda"}), "Lambda?")
    google = Side("Google Cloud Functions", frozenset({"googl"}), "Google?", unknown=("Google",))

    assert known_sides(joint, [(lam, lambda_side), (google, google_side)]) == (
        lambda_side,
        [],
        ["Google Cloud Functions"],
    )
    # every side known, or none: the question's own judgement, with every side
    assert known_sides(joint, [(lam, lambda_side)]) == (joint, [(lam, lambda_side)], [])
    assert known_sides(joint, [(google, google_side)]) == (joint, [(google, google_side)], [])


@pytest.mark.model
def test_a_sides_own_node_is_named_by_words_of_that_side_alone(seed_index):
    # "Placement group" is named by words both sides share: it is no side's own node
    from assistant.judge import Judge, ScoredLine
    from assistant.sides import side_line

    _, retriever = seed_index
    judge = Judge(retriever)
    cluster, spread = sides("cluster placement group vs spread placement group")
    [closely] = [line for line in judge.index.lines if line.text == "placed closed together"]

    found = side_line(
        judge,
        [ScoredLine(closely, 0.5)],
        cluster,
        [(cluster.words - spread.words, spread.words - cluster.words)],
    )

    assert found is not None and found.line.path[-1] == "cluster"


@pytest.mark.model
def test_a_side_typed_as_a_titles_initials_is_named_apart_from_a_side_sharing_its_words(seed_index):
    # "key" is written by both "Customer Master Key (CMK)" and "data encryption key"
    answer = extractive_answer(seed_index, "CMK vs data encryption key")

    assert ("KMS", "Customer Master Key (CMK)") in {c.path[-2:] for c in answer.citations}
    assert "Cannot download private key" not in answer.text, answer.text


@pytest.mark.model
def test_a_scenario_compares_only_in_its_ask(seed_index):
    # its situation says "instead of"; its ask asks for one service
    answer = extractive_answer(
        seed_index,
        "A company with 12 AWS accounts wants its staff to sign in once with their corporate "
        "logins and then pick an account and role, instead of keeping IAM users in every "
        "account. Which service should they use?",
    )

    assert "Identity Centre" in answer.text.split("\n")[1], answer.text
    # the line that the situation's "instead of" made a side's: "… multiple accounts in
    # Organization"
    assert "StackSets" not in answer.text, answer.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question, sides, outside",
    [
        # "Gateway Load Balancer Endpoint" writes both words of "gateway endpoint", and lies
        # beside the two sides under "Endpoints", a title both share
        (
            "gateway endpoint vs interface endpoint",
            ["› Gateway Endpoint:", "› Interface Endpoint:"],
            "Gateway Load Balancer Endpoint",
        ),
        # SQS › Features › "Retention period" is written like Object Lock's "Retention Period"
        (
            "object lock retention period vs legal hold",
            ["Retention Period: Fixed time period", "Legal Hold:"],
            "SQS",
        ),
    ],
)
def test_a_comparison_quotes_no_line_of_a_title_named_like_a_side_outside_the_sides(
    seed_index, question, sides, outside
):
    answer = extractive_answer(seed_index, question)

    assert all(side in answer.text for side in sides), answer.text
    assert outside not in answer.text, answer.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question, shown, outside",
    [
        ("gateway vs interface endpoints", "› Gateway Endpoint:", "Internet Gateway"),
        ("managed vs inline policies", "Managed policies: standalone", "Grafana"),
    ],
)
def test_a_one_word_side_shares_the_last_sides_noun_when_they_name_a_title(
    seed_index, question, shown, outside
):
    # "gateway (endpoints) vs interface endpoints"; "Lambda vs Google Cloud Functions" is not
    answer = extractive_answer(seed_index, question)

    assert shown in answer.text and outside not in answer.text, answer.text
