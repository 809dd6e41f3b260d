"""The refusal gate's rules: a question that only names a retrieved node asks for its content,
a question that names a top-level topic is supported only by lines under a node it names, and a
question that asks for an amount is supported only by a line that states one."""
from assistant.evidence import (SUPPORT_THRESHOLD, amounts, branch_lines, gather, names_topic,
                                naming_words, on_subject)
from assistant_fakes import ScriptedEmbedder, hits_for, outline_chunks
from indexer.chunk import Chunk
from retriever.search import Hit

MESSAGING_OUTLINE = """\
# Messaging Notes
## Queues
### Retention
- Messages kept 4 days by default
- Up to 14 days
### Visibility
- Hidden for 30 seconds after a read
## Topics
### Fan-out
- Each topic delivers to up to 100 queues
- Filter policies pick messages
"""
# The embedder finds the Topics line closest to any question about counting queues, as a real one may.
CLOSE_TO_QUEUE_COUNTS = ScriptedEmbedder({"Each topic delivers to up to 100 queues": 0.62})


def hit_at(*path: str) -> Hit:
    chunk = Chunk(id="0" * 16, source="notes.md", path=path, lines=(1,), text=path[-1],
                  search_text=" > ".join(path), content_hash="0")
    return Hit(chunk, rank=1, score=1.0, dense=0.5, lexical=1.0)


def test_a_what_is_question_naming_a_node_by_its_acronym_names_the_topic():
    assert names_topic("What is an IGW?", [hit_at("AWS", "VPC", "Internet Gateway (IGW)")])


def test_a_what_does_question_naming_a_heading_names_the_topic():
    assert names_topic("What does Control Tower do?", [hit_at("AWS", "Control Tower")])


def test_a_question_asking_for_an_attribute_the_title_lacks_does_not_name_the_topic():
    assert not names_topic("Which port does RDS listen on by default?", [hit_at("AWS", "RDS")])


def test_the_outline_root_title_alone_never_counts_as_a_named_topic():
    assert not names_topic("What is AWS?", [hit_at("AWS")])


def messaging_evidence(question: str):
    hits = hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues")
    return gather(question, hits, CLOSE_TO_QUEUE_COUNTS)


def test_a_question_naming_a_topic_is_refused_when_only_a_line_under_another_topic_scores():
    evidence = messaging_evidence("How many queues can one account create?")

    assert max(evidence.scores) >= SUPPORT_THRESHOLD  # the score alone would have answered
    assert evidence.support < SUPPORT_THRESHOLD
    assert not evidence.covered


def test_a_question_naming_the_topic_of_the_scoring_line_is_answered():
    evidence = messaging_evidence("How many queues can one topic deliver to?")

    assert evidence.covered


def test_a_paraphrase_naming_no_topic_is_left_to_the_scores():
    evidence = messaging_evidence("How many inboxes can one broadcast reach?")

    assert evidence.covered


def test_only_lines_under_a_named_node_are_on_the_subject():
    lines = branch_lines(hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues"))

    flags = dict(zip((line.text for line in lines), on_subject("How long are queues kept?", lines)))

    assert flags["Up to 14 days"] and flags["Hidden for 30 seconds after a read"]
    assert not flags["Each topic delivers to up to 100 queues"]


def test_a_title_is_named_by_all_its_words_or_by_its_acronym_and_never_by_asking_words():
    assert naming_words(["Internet Gateway (IGW)", "How to"]) == [
        [{"internet", "gateway", "igw"}, {"internet", "gateway"}, {"igw"}], []]


def test_a_question_asking_for_an_amount_is_refused_when_no_supporting_line_states_one():
    hits = hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues")
    embedder = ScriptedEmbedder({"Filter policies pick messages": 0.7})

    evidence = gather("How many filter policies can a topic have?", hits, embedder)

    assert evidence.support >= SUPPORT_THRESHOLD  # the score alone would have answered
    assert not evidence.covered


def test_the_same_line_answers_a_question_that_asks_for_no_amount():
    hits = hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues")
    embedder = ScriptedEmbedder({"Filter policies pick messages": 0.7})

    assert gather("What do filter policies do on a topic?", hits, embedder).covered


def test_a_question_asking_for_an_amount_is_answered_by_a_supporting_line_that_states_one():
    hits = hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues")
    embedder = ScriptedEmbedder({"Messages kept 4 days by default": 0.7})

    assert gather("How long are messages kept by default?", hits, embedder).covered


def test_an_amount_line_below_the_threshold_does_not_answer_an_amount_question():
    hits = hits_for(outline_chunks(MESSAGING_OUTLINE), "100 queues")
    embedder = ScriptedEmbedder({"Filter policies pick messages": 0.7,
                                 "Up to 14 days": SUPPORT_THRESHOLD - 0.05})

    assert not gather("How many filter policies can a topic have?", hits, embedder).covered


AMOUNT_OUTLINE = """\
# Notes
## Gateways
- Works with 3rd party appliances
- Runs on EC2 hosts
- One per VPC
- Scales to 45GBps
"""


def test_numbers_and_number_words_state_amounts_but_ordinals_and_names_do_not():
    lines = branch_lines(hits_for(outline_chunks(AMOUNT_OUTLINE), "45GBps"))

    flags = amounts("How much traffic can a gateway take?", lines)

    stating = {line.text for line, flag in zip(lines, flags) if flag}
    assert stating == {"One per VPC", "Scales to 45GBps"}


def test_names_and_the_verb_limit_do_not_ask_for_an_amount():
    lines = branch_lines(hits_for(outline_chunks(AMOUNT_OUTLINE), "45GBps"))

    assert amounts("Can Cost Explorer forecast next month's bill?", lines) is None
    assert amounts("How can I limit which VPCs reach a gateway?", lines) is None
    assert amounts("Maximum size of a gateway?", lines) is not None
    assert amounts("What is the bandwidth limit of a gateway?", lines) is not None
