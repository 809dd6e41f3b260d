"""The refusal gate's topic rule: a question that only names a retrieved node asks for its content."""
from assistant.evidence import names_topic
from indexer.chunk import Chunk
from retriever.search import Hit


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
