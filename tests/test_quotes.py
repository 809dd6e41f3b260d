"""What an answer quotes on the seed: a list's items, the lines stating the amount asked for, the
title the question asks about. The sides of a comparison are test_sides.py's."""

from __future__ import annotations

import pytest
from conftest import extractive_answer


def test_runners_up_are_quoted_when_close_or_when_the_best_line_is_unsure_or_a_scenario():
    from assistant.judge import Judgement, ScoredLine
    from assistant.question import Question
    from assistant.quotes import choose
    from indexer.lines import OutlineLine

    def judged(*scores: float, scenario: bool = False) -> Judgement:
        lines = tuple(
            ScoredLine(OutlineLine("notes.md", n, ("Cloud", f"Line {n}"), 0), score)
            for n, score in enumerate(scores, start=1)
        )
        return Judgement(Question.read("q", []), lines, 0.9, 0.5, scenario)

    def chosen(judgement: Judgement) -> list[float]:
        return [s.score for s in choose(judgement, judge=None)]

    assert chosen(judged(0.9, 0.2, 0.1)) == [0.9]  # sure, and far ahead
    assert chosen(judged(0.9, 0.6, 0.1)) == [0.9, 0.6]  # a close runner-up
    assert chosen(judged(0.4, 0.1, 0.05, 0.01)) == [0.4, 0.1, 0.05]  # unsure: the best three
    assert chosen(judged(0.9, 0.2, 0.1, scenario=True)) == [0.9, 0.2, 0.1]


@pytest.mark.model
def test_a_quote_goes_below_a_heading_whose_only_child_is_a_heading(seed_index):
    # "Global Accelerator" holds only "Features", which holds what the service does
    answer = extractive_answer(seed_index, "How does Global Accelerator compare with CloudFront?")

    assert "Global Accelerator › Features › AWS provides set of static IPs: " in answer.text
    assert "Global Accelerator: Features" not in answer.text
    assert answer.text.count("static IPs") == 1, answer.text


@pytest.mark.model
def test_a_quote_shows_its_childrens_children_in_its_chunk_and_no_line_twice(seed_index):
    answer = extractive_answer(seed_index, "Compare Macie with Inspector")

    assert "Data source (Cloudtrail event logs and errors, S3 objects)" in answer.text
    assert answer.text.count("Cloudtrail event logs and errors") == 1, answer.text


@pytest.mark.model
def test_a_list_question_quotes_the_list_that_holds_its_items(seed_index):
    answer = extractive_answer(seed_index, "Which routing policies can I set up in Route 53?")

    policies = ["Simple", "Failover", "Latency", "Geoproximity", "Geolocation", "Weighted"]
    assert all(f"{policy} routing".lower() in answer.text.lower() for policy in policies)


@pytest.mark.model
@pytest.mark.parametrize(
    "question, items",
    [
        # the best line is a grandchild of the list: "Gateway Endpoint › Multiple configurations"
        (
            "What are the types of VPC endpoints?",
            ["Interface Endpoint", "Gateway Endpoint", "Gateway Load Balancer Endpoint"],
        ),
        # a plural ending the question after "what are" asks for a list
        ("What are the DynamoDB capacity modes?", ["Provisioned Capacity", "On-demand Capacity"]),
    ],
)
def test_a_list_question_quotes_a_list_above_its_best_line(seed_index, question, items):
    answer = extractive_answer(seed_index, question)

    assert all(item in answer.text for item in items), answer.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "How long can a Lambda function run?",
        "How long can a Lambda function run before it times out?",
        # the plain phrasing that the judge used to refuse
        "what's the longest a Lambda invocation may run",
        # a duration stated in the question is the kind it asks about
        "Can I run Lambda for 20 minutes?",
    ],
)
def test_a_duration_question_on_the_seed_quotes_the_lines_stating_one(seed_index, question):
    answer = extractive_answer(seed_index, question)

    assert not answer.refused
    assert "Max 900s" in answer.text and "Default 1000 per region" not in answer.text
    assert answer.citations[0].path[-2:] == ("Lambda", "Sizing")


@pytest.mark.model
def test_a_question_opening_with_list_asks_for_the_list(seed_index):
    answer = extractive_answer(seed_index, "list route 53 routing policies")

    first = answer.text.split("\n")[1]
    assert all(p in first for p in ("Simple routing", "Failover routing", "Weighted routing"))


@pytest.mark.model
def test_a_question_asking_nothing_of_the_title_it_names_quotes_that_title(seed_index):
    answer = extractive_answer(seed_index, "What is Macie for?")

    assert answer.citations[0].path[-1] == "Macie"
    assert "Machine learning to discover, classify and protect sensitive data" in answer.text


@pytest.mark.model
def test_the_named_title_quoted_is_the_one_on_the_questions_subject(seed_index):
    # "Pricing" is also a title under S3's storage classes, deeper than EC2's
    answer = extractive_answer(seed_index, "How does spot pricing work?")

    assert answer.citations[0].path[-2:] == ("EC2", "Pricing"), answer.text
    assert "Min 30 days" not in answer.text

    # "Security" of "Security Hub" names no title of its own ("Aurora › Security")
    answer = extractive_answer(seed_index, "What does Security Hub do?")

    assert answer.citations[0].path[-1] == "Security Hub", answer.text
    assert "Aurora" not in answer.text

    # "Types" names a title under S3 too: the title of more words is the subject
    answer = extractive_answer(seed_index, "What placement group types are there?")

    assert answer.citations[0].path[-1] == "Placement group", answer.text
    assert "Infrequent Access" not in answer.text

    # "Components" is a title under Network Firewall too, below the outline's own "Glue"
    answer = extractive_answer(seed_index, "What are the Glue components?")

    assert answer.citations[0].path[-1] == "Glue", answer.text
    assert "Firewall Policy" not in answer.text


@pytest.mark.model
def test_a_named_list_is_not_taken_for_an_item_of_a_larger_list(seed_index):
    # "EC2 › Pricing" is the list asked for, not "EC2", several of whose children write "EC2"
    answer = extractive_answer(seed_index, "What are the EC2 pricing options?")

    assert "Dedicated Hosts" in answer.text and "Spot" in answer.text
    assert "Image Builder" not in answer.text, answer.text

    # "IAM Policies" is named: its children are the list, not "IAM"'s, two of which write "IAM"
    answer = extractive_answer(seed_index, "List the IAM policy types")

    assert answer.citations[0].path[-2:] == ("IAM", "IAM Policies"), answer.text
    assert "Resource based" in answer.text and "IAM Roles" not in answer.text


@pytest.mark.model
def test_the_lines_stating_an_amount_lie_under_the_questions_subject(seed_index):
    # "Timeout" is named too, but Lambda's timeout is not SQS's
    answer = extractive_answer(seed_index, "What's the max visibility timeout for SQS?")

    assert "Max 900s" not in answer.text, answer.text

    # S3's presigned URLs, not its storage classes' "Min 30 days"
    answer = extractive_answer(seed_index, "How long is an S3 presigned URL valid?")

    assert "S3 Presigned Urls" in answer.text and "Min 30 days" not in answer.text, answer.text


@pytest.mark.model
def test_a_mistyped_name_is_read_as_the_outlines_name(seed_index):
    # the seed writes "Reokognition"
    answer = extractive_answer(seed_index, "Can Rekognition detect faces?")

    assert not answer.refused, answer.text
    assert "Reokognition › Recognise certain objects: Faces" in answer.text

    # a question too thin to answer from its garbled name still says what the outline covers
    answer = extractive_answer(seed_index, "What's Rekognition good for?")

    assert "no notes on Rekognition" not in answer.text
    assert "Reokognition" in answer.text


@pytest.mark.model
def test_initials_of_a_name_a_note_defines_are_read_as_that_name(seed_index):
    # the seed writes "Recovery Point Objective = 1 second", a leaf, not a title
    answer = extractive_answer(seed_index, "What is the Aurora RPO and RTO?")

    assert "Recovery Point Objective = 1 second" in answer.text, answer.text
    assert "Aurora Endpoints" not in answer.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question, first, absent",
    [
        # a number of what "how many" counts states it, though no "max" or "up to" says so
        ("How many leader nodes does Redshift have?", "1 leader node", None),
        ("how many ips does aws steal from every subnet i create?", "Always 5 reserved IPs", None),
        # a "which …" ask's superlative picks the thing: no lower end need be stated
        (
            "Which routing policy sends users to the region with the lowest latency?",
            "Latency Routing: Route53 serve requests in lowest latency",
            None,
        ),
        # asked what it does, "timeout" asks for no duration (Lambda's Timeout was quoted)
        (
            "What does the visibility timeout do?",
            "Visibility timeout prevents other consumers from processing",
            "Lambda",
        ),
        # a yes-or-no ask states no duration: PITR's "35 days" was quoted
        (
            "Can DynamoDB expire old items automatically?",
            "Can auto expire items based on TTL",
            None,
        ),
        # "integrate" names "ECS › Integration"; "CrowdStrike" names a leaf of Verified Access
        (
            "What does CrowdStrike integrate with in AWS?",
            "Device based: Crowdstrike; Jamf; Jump cloud",
            None,
        ),
        # "Types" is a title under EC2, S3, ELB …; "Aurora Endpoints" is written once
        ("What are the Aurora endpoint types?", "› Aurora Endpoints: Reader; Cluster", "EC2"),
        # "trigger" names "Lambda › Lambda@Edge › Triggers", higher than S3's notifications
        ("What can S3 event notifications trigger?", "S3 Event Notifications: ", None),
        # the amount asked, before the title it lies under
        ("How big can an Aurora database get?", "Max 128TB", None),
        # the line stating the very amount the question states ("14 days")
        (
            "what does sqs do with a message after 14 days",
            "Retention period: Default 4 days; Maximum 14 days",
            None,
        ),
    ],
)
def test_the_first_quote_answers_what_the_question_asks(seed_index, question, first, absent):
    answer = extractive_answer(seed_index, question)

    assert not answer.refused, answer.text
    assert first in answer.text.split("\n")[1], answer.text
    assert absent is None or absent not in answer.text, answer.text
