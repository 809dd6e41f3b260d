"""indexer.outline: every outline construct becomes the right tree, no content line is dropped,
and unreadable files raise an `OutlineError` naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CountingEmbedder, content_lines, write_outline
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.errors import OutlineError
from core.settings import Settings
from indexer.build import build_index
from indexer.chunk import chunk_file
from indexer.outline import Outline, parse_outline, read_outline_text
from indexer.store import load_index


def tree(outline: Outline) -> list[tuple[int, str]]:
    """(depth, title) of every node in file order."""
    return [(node.depth, node.title) for node in outline.walk()]


def recorded_lines(outline: Outline) -> list[int]:
    return [line for node in outline.walk() for line in node.lines]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# A\n## B\n### C\n#### D\n##### E\n###### F\n## G\n",
            [(0, "A"), (1, "B"), (2, "C"), (3, "D"), (4, "E"), (5, "F"), (1, "G")],
        ),
        ("# A\n### C\n## B\n#### D\n# Z\n", [(0, "A"), (1, "C"), (1, "B"), (2, "D"), (0, "Z")]),
    ],
    ids=["every level", "skipped levels"],
)
def test_headings_nest_under_the_nearest_shallower_heading(text: str, expected: list) -> None:
    outline = parse_outline(text, "n.md")

    assert tree(outline) == expected
    assert all(node.kind == "heading" for node in outline.walk())


def test_closing_hashes_and_trailing_spaces_are_not_part_of_the_title() -> None:
    outline = parse_outline("# Title ##   \n- bullet   \t\n", "n.md")

    assert tree(outline) == [(0, "Title"), (1, "bullet")]


@pytest.mark.parametrize("marker", ["-", "*", "+", "1.", "1)", "42."])
def test_every_bullet_marker_nests_by_indentation_under_the_nearest_heading(marker: str) -> None:
    text = f"# H\n{marker} a\n  {marker} b\n    {marker} c\n  {marker} d\n{marker} e\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (2, "b"), (3, "c"), (2, "d"), (1, "e")]
    assert [n.kind for n in outline.walk()][1:] == ["bullet"] * 5
    assert outline.warnings == ()


def test_tab_indentation_nests_like_spaces() -> None:
    text = "# H\n- a\n\t- b\n\t\t- c\n\t- d\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (2, "b"), (3, "c"), (2, "d")]


def test_bullets_attach_to_the_latest_heading_not_to_bullets_before_it() -> None:
    text = "# H\n- a\n  - b\n## S\n  - c\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (2, "b"), (1, "S"), (2, "c")]


def test_an_indented_plain_line_continues_the_bullet_and_its_line_is_recorded() -> None:
    text = "- a\n  more about a\n  - b\n    more about b\n- c\n"

    outline = parse_outline(text, "n.md")

    a, c = outline.roots
    assert a.text == "a\nmore about a" and a.lines == (1, 2)
    assert a.children[0].text == "b\nmore about b" and a.children[0].lines == (3, 4)
    assert c.lines == (5,)


def test_a_continuation_indented_under_a_shallower_bullet_joins_that_bullet() -> None:
    text = "- a\n  - b\n  about a\n"

    outline = parse_outline(text, "n.md")

    assert outline.roots[0].text == "a\nabout a"
    assert outline.roots[0].children[0].text == "b"


def test_blank_lines_make_no_nodes_and_do_not_break_nesting() -> None:
    text = "\n\n# H\n\n- a\n\n  - b\n\n\n- c\n\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (2, "b"), (1, "c")]


def test_crlf_line_endings_parse_like_lf(tmp_path: Path) -> None:
    lf = "# H\n- a\n  more\n  - b\n"
    path = write_outline(tmp_path, lf.replace("\n", "\r\n"))

    outline = parse_outline(read_outline_text(path), "n.md")

    assert tree(outline) == tree(parse_outline(lf, "n.md"))
    assert not any("\r" in node.text for node in outline.walk())


def test_a_utf8_bom_is_not_part_of_the_first_title(tmp_path: Path) -> None:
    path = write_outline(tmp_path, "\ufeff# Café notes\n- crème brûlée\n".encode("utf-8"))

    outline = parse_outline(read_outline_text(path), "n.md")

    assert tree(outline) == [(0, "Café notes"), (1, "crème brûlée")]
    assert outline.roots[0].kind == "heading"


def test_inline_markup_is_kept_for_display_and_stripped_for_search() -> None:
    text = (
        "# **S3** notes\n"
        "- Use [presigned URLs](https://x.test) with `put_object` for _fast_ uploads\n"
    )

    outline = parse_outline(text, "n.md")
    chunks = chunk_file(outline, CountingEmbedder().count_tokens, 128, 256).chunks

    assert [node.title for node in outline.walk()] == [
        "**S3** notes",
        "Use [presigned URLs](https://x.test) with `put_object` for _fast_ uploads",
    ]
    assert chunks[0].text.splitlines()[1].strip() == outline.roots[0].children[0].text
    assert chunks[0].search_text == "S3 notes\nUse presigned URLs with put_object for fast uploads"


def test_paragraphs_between_headings_become_nodes_under_the_heading() -> None:
    text = (
        "# H\nIntro sentence.\nstill the intro.\n\nSecond paragraph.\n- a bullet\n\n"
        "After the list.\n## S\nText.\n"
    )

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [
        (0, "H"),
        (1, "Intro sentence."),
        (1, "Second paragraph."),
        (1, "a bullet"),
        (1, "After the list."),
        (1, "S"),
        (2, "Text."),
    ]
    assert outline.roots[0].children[0].lines == (2, 3)
    assert outline.roots[0].children[0].kind == "paragraph"


def test_inconsistent_indentation_is_tolerated_with_a_warning_naming_the_line() -> None:
    text = "# H\n- a\n    - b\n  - c\n"

    outline = parse_outline(text, "notes.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (2, "b"), (2, "c")]
    assert len(outline.warnings) == 1
    assert outline.warnings[0].startswith("notes.md:4:")


def test_a_fenced_code_block_continues_the_node_above_verbatim() -> None:
    text = "- run this\n  ```\n  # not a heading\n  - not a bullet\n  ```\n- next\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "run this"), (0, "next")]
    assert outline.roots[0].lines == (1, 2, 3, 4, 5)
    assert "# not a heading\n- not a bullet" in outline.roots[0].text


@pytest.mark.parametrize("rule", ["---", "***", "___", "- - -", " * * *"])
def test_thematic_breaks_are_skipped(rule: str) -> None:
    text = f"# H\n- a\n\n{rule}\n\n- b\n"

    outline = parse_outline(text, "n.md")

    assert tree(outline) == [(0, "H"), (1, "a"), (1, "b")]
    assert 4 not in recorded_lines(outline)


def test_no_content_line_of_a_mixed_outline_is_dropped() -> None:
    text = (
        "Preamble before any heading.\n# H\n\ntext\n- a\n\tcontinued\n  1) b\n---\n"
        "### deep\n```\ncode\n```\n+ c\n    * d\n   e\n## S\n> quote\n| t | a |\n"
    )

    outline = parse_outline(text, "n.md")

    assert sorted(recorded_lines(outline)) == sorted(content_lines(text))


LINE_KINDS = st.sampled_from(
    [
        "",
        "# h",
        "## h2",
        "#### h4",
        "- b",
        "  - b",
        "    - b",
        "\t- b",
        "1. n",
        "  2) n",
        "* s",
        "+ p",
        "plain",
        "  cont",
        "```",
        "---",
        "**bold** line",
        "   odd",
        "\t\ttabbed",
    ]
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.lists(LINE_KINDS, max_size=40))
def test_every_content_line_is_recorded_exactly_once(lines: list[str]) -> None:
    text = "\n".join(
        f"{line} {n}" if line and line != "---" else line for n, line in enumerate(lines)
    )

    outline = parse_outline(text, "n.md")

    recorded = recorded_lines(outline)
    assert len(recorded) == len(set(recorded))
    assert set(recorded) == content_lines(text)


def test_thousands_of_nesting_levels_parse_without_recursion() -> None:
    text = "".join("  " * level + f"- level {level}\n" for level in range(3000))

    nodes = list(parse_outline(text, "n.md").walk())

    assert len(nodes) == 3000 and nodes[-1].depth == 2999


def test_a_missing_file_raises_an_outline_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.md"

    with pytest.raises(OutlineError) as caught:
        read_outline_text(missing)

    assert caught.value.path == str(missing) and "not found" in str(caught.value)


def test_non_utf8_bytes_raise_naming_the_line_and_byte_offset(tmp_path: Path) -> None:
    path = write_outline(tmp_path, b"# A\n- fine\n- bad \xff byte\n")

    with pytest.raises(OutlineError) as caught:
        read_outline_text(path)

    assert caught.value.line == 3 and caught.value.path == str(path)
    assert "byte offset 6" in str(caught.value) and f"{path}:3" in str(caught.value)


def test_a_binary_file_raises_naming_the_file_and_line(tmp_path: Path) -> None:
    path = write_outline(tmp_path, b"# A\n- b\n\x00\x01\x02binary", name="image.md")

    with pytest.raises(OutlineError) as caught:
        read_outline_text(path)

    assert caught.value.line == 3 and caught.value.path == str(path)
    assert "binary" in str(caught.value)


def test_an_empty_file_is_skipped_with_a_warning_when_another_has_content(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_outline(seeds, "# Notes\n- something\n", name="a.md")
    write_outline(seeds, "  \n\n", name="blank.md")
    settings = Settings(seeds=(seeds,), index_dir=tmp_path / "index")

    report = build_index(settings, CountingEmbedder())

    assert any("blank.md" in w and "empty" in w for w in report.warnings)
    assert all(c.source.endswith("/a.md") for c in load_index(settings.index_dir).chunks)


@pytest.mark.parametrize("content", ["", "\n  \n\t\n", "---\n"])
def test_building_from_only_empty_files_is_an_error(tmp_path: Path, content: str) -> None:
    path = write_outline(tmp_path, content)
    settings = Settings(seeds=(path,), index_dir=tmp_path / "index")

    with pytest.raises(OutlineError) as caught:
        build_index(settings, CountingEmbedder())

    assert "nothing to index" in str(caught.value) and "notes.md" in str(caught.value)
    assert not settings.index_dir.exists()
