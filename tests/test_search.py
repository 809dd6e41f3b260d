"""retriever.search with the real model over a small outline written here: acronyms are found by
their letters, paraphrases by meaning, and every hit carries its path, lines and scores."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import write_outline

from core.settings import Settings
from indexer.build import build_index
from indexer.store import lexical_tokens, load_index
from retriever.search import Hit, Retriever

pytestmark = pytest.mark.model

HANDBOOK = """# Home Handbook
## Networking
### Router
- MTU: set 1492 on the PPPoE uplink
- Reserve DHCP leases for printers
### Wi-Fi
- Use WPA3 where every device supports it
- Channel 36 has the least interference
## Cycling
### Bicycle maintenance
- Lubricate the chain every 300 km
- Check tyre pressure weekly
## Kitchen
### Bread
- Proof dough overnight in the fridge
- Bake at 230 degrees with steam
### Knives
- Hone before each use
- Sharpen on a whetstone monthly
## Garden
### Tomatoes
- Water deeply twice a week
- Stake the plants when they reach knee height
## Finance
### Taxes
- File the return before the end of April
- Keep receipts for seven years
"""


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Retriever:
    folder = tmp_path_factory.mktemp("handbook")
    settings = Settings(
        seeds=(write_outline(folder, HANDBOOK),), index_dir=folder / "index", chunk_tokens=32
    )
    build_index(settings, real_embedder)
    return Retriever(load_index(settings.index_dir, real_embedder.model_id), real_embedder)


BRANCHES = ("Router", "Wi-Fi", "Bicycle maintenance", "Bread", "Knives", "Tomatoes", "Taxes")


def holds(hit: Hit, title: str) -> bool:
    """Whether the hit's chunk holds the branch with this title (as its node or as a child)."""
    return title in [line.strip() for line in hit.chunk.text.split("\n")]


def test_each_small_branch_is_held_whole_by_one_chunk(handbook: Retriever) -> None:
    lines = HANDBOOK.split("\n")

    for title in BRANCHES:
        start = lines.index(f"### {title}") + 1
        holders = [
            c for c in handbook.index.chunks if {start, start + 1, start + 2} <= set(c.lines)
        ]

        assert len(holders) == 1, title


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the MTU?", "Router"),
        ("Should I turn on WPA3?", "Wi-Fi"),
    ],
)
def test_an_acronym_question_finds_the_branch_holding_the_acronym(
    handbook: Retriever, question: str, expected: str
) -> None:
    hits = handbook.search(question, k=3)

    assert holds(hits[0], expected)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How often should I oil my bike's drivetrain?", "Bicycle maintenance"),
        ("What oven temperature suits a homemade loaf?", "Bread"),
    ],
)
def test_a_paraphrase_sharing_no_words_is_found_by_meaning(
    handbook: Retriever, question: str, expected: str
) -> None:
    target = next(c for c in handbook.index.chunks if expected in c.text)
    assert not set(lexical_tokens([question])[0]) & set(lexical_tokens([target.search_text])[0])

    dense = handbook.search(question, k=3, mode="dense")
    hybrid = handbook.search(question, k=3)

    assert holds(dense[0], expected)
    assert holds(hybrid[0], expected)


def test_a_mistyped_word_is_searched_as_the_outline_writes_it(handbook: Retriever) -> None:
    retrieval = handbook.retrieve("how often do i lubricte the chian?", k=3)

    assert retrieval.focus == "how often do i lubricate the chian?"  # "chian": five letters, kept
    assert retrieval.question == "how often do i lubricte the chian?"
    assert holds(retrieval.hits[0], "Bicycle maintenance")
    # English the model knows whole is no typo, even one letter from an outline word ("plants")
    assert "planets" in handbook.embedder.known_words()
    assert handbook.spelling.correct("which planets need staking") == "which planets need staking"


def test_hybrid_hits_carry_rank_path_lines_and_scores(handbook: Retriever, real_embedder) -> None:
    question = "When should receipts be thrown away?"
    outline_lines = HANDBOOK.split("\n")

    hits = handbook.search(question, k=4)

    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert holds(hits[0], "Taxes") and hits[0].lexical > 0
    vector = real_embedder.embed([question])[0]
    for hit in hits:
        assert hit.chunk.path[0] == "Home Handbook" and hit.chunk.source.endswith("notes.md")
        for number in hit.chunk.lines:
            assert outline_lines[number - 1].lstrip("#- ").strip() in hit.chunk.text
        chunk_vector = real_embedder.embed([hit.chunk.search_text])[0]
        assert hit.dense == pytest.approx(float(np.dot(vector, chunk_vector)), abs=1e-4)


def test_lexical_mode_ranks_only_chunks_sharing_a_word(handbook: Retriever) -> None:
    hits = handbook.search("whetstone", k=5, mode="lexical")

    assert len(hits) == 1 and holds(hits[0], "Knives")
    assert hits[0].score == hits[0].lexical > 0


def test_k_bounds_the_number_of_hits(handbook: Retriever) -> None:
    assert len(handbook.search("home", k=2)) == 2
    assert len(handbook.search("home", k=1000)) == len(handbook.index.chunks)


def test_a_blank_question_returns_no_hits(handbook: Retriever) -> None:
    assert handbook.search("   ") == []


def test_an_unknown_mode_is_rejected(handbook: Retriever) -> None:
    with pytest.raises(ValueError):
        handbook.search("bread", mode="semantic")


def test_each_line_votes_once_for_its_branch_in_the_order_of_its_best_line():
    from indexer.lines import OutlineLine
    from retriever.search import LineHit, line_votes

    def hit(chunk: int, cosine: float) -> LineHit:
        return LineHit(OutlineLine("f.md", 1, ("a",), chunk), 0, cosine)

    assert line_votes([hit(4, 0.9), hit(2, 0.8), hit(4, 0.7)]) == [(4, 0.9), (2, 0.8)]


def test_initials_of_a_title_are_searched_as_the_title(handbook: Retriever) -> None:
    retrieval = handbook.retrieve("any bm tips?", k=3)

    assert "bm" not in handbook.embedder.known_words()
    assert retrieval.focus == "any bm (Bicycle maintenance) tips?"
    assert holds(retrieval.hits[0], "Bicycle maintenance")
    # English the model knows whole stays a word ("us"), as do words of the outline
    assert handbook.abbreviations.expand("send it to us") == "send it to us"


def test_a_names_small_words_may_count_in_its_initials_and_case_alone_is_no_second_title():
    from retriever.abbreviations import Abbreviations

    abbreviations = Abbreviations(
        ["Point in Time Recovery", "Point in time recovery", "Choose VPC and subnet"], frozenset()
    )

    assert abbreviations.expand("pitr window") == "pitr (Point in Time Recovery) window"
    assert abbreviations.expand("ptr window") == "ptr (Point in Time Recovery) window"
    # a note is not a name: its small words never count
    assert abbreviations.expand("cvs") == "cvs (Choose VPC and subnet)"
    assert abbreviations.expand("cvas") == "cvas"
