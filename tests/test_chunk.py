"""indexer.chunk: branches become chunks that fit the model window, cover every line, and keep
stable, unique ids. Seed-outline checks use the real tokenizer; shape checks use word counts."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import SEED_OUTLINE, CountingEmbedder, content_lines

from core.settings import DEFAULT_EMBEDDING_MODEL
from indexer.chunk import Chunk, Row, chunk_file
from indexer.markup import plain
from indexer.outline import Node, parse_outline, read_outline_text

SOURCE = "seeds/aws_solution_architecture.md"
words = CountingEmbedder().count_tokens


def chunk_text(text: str, target: int = 128, limit: int = 256) -> list[Chunk]:
    return chunk_file(parse_outline(text, "n.md"), words, target, limit).chunks


def seed_text() -> str:
    return read_outline_text(SEED_OUTLINE)


def with_line_replaced(text: str, number: int, new: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


def by_path(chunks: list[Chunk]) -> dict[tuple[str, ...], list[Chunk]]:
    found: dict[tuple[str, ...], list[Chunk]] = {}
    for chunk in chunks:
        found.setdefault(chunk.path, []).append(chunk)
    return found


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from indexer.embed import resolve_model_path

    return AutoTokenizer.from_pretrained(resolve_model_path(DEFAULT_EMBEDDING_MODEL))


@pytest.fixture(scope="module")
def seed_chunks(seed_index) -> list[Chunk]:
    return seed_index[1].index.chunks


@pytest.mark.model
def test_every_seed_chunk_fits_the_model_window_with_special_tokens(
    seed_chunks, tokenizer, real_embedder
) -> None:
    lengths = [len(ids) for ids in tokenizer([c.search_text for c in seed_chunks])["input_ids"]]

    assert max(lengths) <= real_embedder.max_tokens


@pytest.mark.model
def test_every_content_line_of_the_seed_is_in_some_chunk(seed_chunks) -> None:
    covered = {line for chunk in seed_chunks for line in chunk.lines}

    assert content_lines(seed_text()) - covered == set()
    assert {c.source for c in seed_chunks} == {SOURCE}


@pytest.mark.model
def test_seed_chunk_ids_are_unique(seed_chunks) -> None:
    ids = [c.id for c in seed_chunks]

    assert len(ids) == len(set(ids))


@pytest.mark.model
def test_rechunking_the_seed_gives_the_same_ids_and_hashes(seed_chunks, real_embedder) -> None:
    outline = parse_outline(seed_text(), SOURCE)

    again = chunk_file(outline, real_embedder.count_tokens, 128, real_embedder.max_tokens).chunks

    assert [(c.id, c.content_hash) for c in again] == [(c.id, c.content_hash) for c in seed_chunks]


@pytest.mark.model
def test_seed_search_text_starts_with_the_breadcrumb(seed_chunks) -> None:
    for chunk in seed_chunks:
        crumb = chunk.search_text.split("\n", 1)[0].split(" > ")

        assert len(crumb) == len(chunk.path)
        assert all(plain(title).startswith(step) for title, step in zip(chunk.path, crumb))


def test_editing_one_leaf_bullet_keeps_every_id_and_changes_only_chunks_holding_it() -> None:
    text = seed_text()
    leaf = next(
        n
        for n in parse_outline(text, SOURCE).walk()
        if n.kind == "bullet" and not n.children and n.line > 1000 and len(n.title.split()) > 2
    )
    line = text.split("\n")[leaf.line - 1]
    before = chunk_file(parse_outline(text, SOURCE), words, 128, 256).chunks

    edited = with_line_replaced(text, leaf.line, line.rsplit(" ", 1)[0] + " zebra")
    after = chunk_file(parse_outline(edited, SOURCE), words, 128, 256).chunks

    assert [c.id for c in after] == [c.id for c in before]
    changed = {a.id for a, b in zip(after, before) if a.content_hash != b.content_hash}
    assert changed == {c.id for c in before if leaf.line in c.lines}
    assert len(changed) >= 1


def test_renaming_a_heading_keeps_ids_and_hashes_of_chunks_outside_its_branch() -> None:
    text = seed_text()
    heading = next(
        n
        for n in parse_outline(text, SOURCE).walk()
        if n.kind == "heading" and n.depth == 1 and n.line > 900 and len(n.children) > 2
    )
    branch_lines = {line for node in _subtree(heading) for line in node.lines}
    before = chunk_file(parse_outline(text, SOURCE), words, 128, 256).chunks

    edited = with_line_replaced(text, heading.line, "## Renamed Section")
    after = {
        (c.id, c.content_hash)
        for c in chunk_file(parse_outline(edited, SOURCE), words, 128, 256).chunks
    }

    untouched = {(c.id, c.content_hash) for c in before if not branch_lines & set(c.lines)}
    assert len(untouched) > len(before) // 2
    assert untouched <= after


def _subtree(node: Node) -> list[Node]:
    nodes, stack = [], [node]
    while stack:
        nodes.append(stack.pop())
        stack.extend(nodes[-1].children)
    return nodes


def test_duplicate_sibling_titles_get_distinct_ids() -> None:
    section = "## Notes\n- same words here\n  - and below\n"
    text = "# Topic\n" + section * 3

    chunks = chunk_text(text, target=8)

    notes = by_path(chunks)[("Topic", "Notes")]
    assert len(notes) == 3
    assert len({c.id for c in chunks}) == len(chunks)
    assert [c.lines[0] for c in notes] == [2, 5, 8]


def test_a_branch_that_fits_is_one_chunk_with_its_lines() -> None:
    chunks = chunk_text("# Topic\n- a b\n  - c d\n- e f\n")

    assert len(chunks) == 1
    assert chunks[0].path == ("Topic",) and chunks[0].lines == (1, 2, 3, 4)
    assert chunks[0].text == "Topic\n  a b\n    c d\n  e f"


def test_rows_carry_each_line_its_depth_and_its_markup() -> None:
    chunks = chunk_text("# Topic\n- **Bold** item\n  more of it\n  - child\n")

    assert chunks[0].rows == (
        Row(1, 0, "Topic"),
        Row(2, 1, "**Bold** item"),
        Row(3, 2, "more of it"),
        Row(4, 2, "child"),
    )


def test_a_row_that_merges_lines_has_no_line_number() -> None:
    huge = " ".join(f"word{i}" for i in range(60))

    chunks = chunk_text(f"# Topic\n- start\n  {huge}\n", target=16, limit=40)

    (merged,) = [c for c in chunks if c.lines == (2, 3)]  # "start" and the huge line's first words
    assert merged.rows == (Row(None, 0, "start " + " ".join(f"word{i}" for i in range(12))),)
    assert all(row.line in c.lines for c in chunks if c is not merged for row in c.rows)


def test_a_too_large_branch_gets_a_chunk_of_titles_and_a_chunk_per_child_branch() -> None:
    text = (
        "# Topic\n"
        "- First branch\n  - one two three four five\n  - six seven eight nine ten\n"
        "- Second branch\n  - eleven twelve thirteen fourteen\n  - fifteen sixteen seventeen\n"
    )

    chunks = by_path(chunk_text(text, target=16))

    assert set(chunks) == {("Topic",), ("Topic", "First branch"), ("Topic", "Second branch")}
    (top,) = chunks[("Topic",)]
    assert top.text == "Topic\n  First branch\n  Second branch"
    assert "one" not in top.search_text.split()
    assert chunks[("Topic", "First branch")][0].lines == (2, 3, 4)
    assert "eleven" in chunks[("Topic", "Second branch")][0].search_text


def test_small_leaves_stay_together_in_their_parent_chunk() -> None:
    text = (
        "# Topic\n- leaf alpha\n- leaf beta\n- Branch\n"
        "  - one two three four five six seven\n  - eight nine ten eleven twelve\n- leaf gamma\n"
    )

    chunks = by_path(chunk_text(text, target=16))

    (top,) = chunks[("Topic",)]
    assert top.lines == (1, 2, 3, 4, 7)
    assert top.text == "Topic\n  leaf alpha\n  leaf beta\n  Branch\n  leaf gamma"


def test_search_text_is_a_plain_breadcrumb_then_the_plain_body() -> None:
    text = (
        "# **Storage**\n## [S3](https://s3.test)\n- `put_object` is _atomic_\n## Other\n- x y z\n"
    )

    chunks = chunk_text(text, target=7)

    leaf = by_path(chunks)[("**Storage**", "[S3](https://s3.test)")][0]
    assert leaf.search_text == "Storage > S3\nput_object is atomic"
    assert leaf.breadcrumb == "**Storage** › [S3](https://s3.test)"


@pytest.mark.model
@pytest.mark.parametrize("layout", ["bullet under heading", "root paragraph", "continuation"])
def test_a_huge_single_line_is_split_under_the_cap(layout: str, real_embedder, tokenizer) -> None:
    huge = " ".join(f"term{i} of the very long line" for i in range(400))
    text = {
        "bullet under heading": f"# Topic\n- {huge}\n- small leaf\n",
        "root paragraph": f"{huge}\n",
        "continuation": f"# Topic\n## Sub\n- start\n  {huge}\n",
    }[layout]

    chunks = chunk_file(
        parse_outline(text, "n.md"), real_embedder.count_tokens, 128, real_embedder.max_tokens
    ).chunks

    lengths = [len(ids) for ids in tokenizer([c.search_text for c in chunks])["input_ids"]]
    assert max(lengths) <= real_embedder.max_tokens
    held = {word for c in chunks for word in c.search_text.split() if word.startswith("term")}
    assert held == {f"term{i}" for i in range(400)}


def test_chunks_are_frozen_records() -> None:
    chunk = chunk_text("# A\n- b\n")[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        chunk.rows = ()  # type: ignore[misc]
