"""The change report (indexer/changes.py): unit tests on small outlines, builds through
`build_index`, and property tests over random edits (insert, delete, change a line, move a heading
with its subtree)."""

from __future__ import annotations

import doctest

from conftest import CountingEmbedder, write_outline
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.settings import Settings
from indexer import changes as changes_module
from indexer.build import build_index
from indexer.changes import Change, compare, stale_lines
from indexer.chunk import Chunk, chunk_file
from indexer.outline import Outline
from indexer.records import Chunked

words = CountingEmbedder().count_tokens
NOTES = """\
# Lambda
## Sizing
- Memory from 128 MB to 10 GB
- Timeout
  - Max 900 seconds
  - Default 3 seconds
## Pricing
- Per request and per GB-second
# S3
## Classes
- Standard for hot data
- Glacier for archives
- Intelligent-Tiering moves objects between tiers by access
"""


def chunks_of(text: str, target: int = 12, previous: Chunked | None = None) -> Chunked:
    return chunk_file(Outline("n.md", text), words, target, 256, previous)


def test_an_unchanged_outline_reports_no_changes() -> None:
    before = chunks_of(NOTES)

    assert compare(before.chunks, chunks_of(NOTES, previous=before).chunks) == []


def test_editing_one_bullet_reports_its_branch_as_changed_with_the_edited_line() -> None:
    before = chunks_of(NOTES).chunks
    after = chunks_of(NOTES.replace("Max 900 seconds", "Max 15 minutes")).chunks

    found = compare(before, after)

    assert [(c.kind, c.path, c.lines, c.old_lines, c.edited, c.gone) for c in found] == [
        ("changed", ("Lambda", "Sizing", "Timeout"), (4, 6), (4, 6), (5,), (5,))
    ]
    assert found[0].describe() == "~ Lambda › Sizing › Timeout (lines 4–6)"


def test_lines_that_only_shift_below_an_insertion_are_not_changes() -> None:
    before = chunks_of(NOTES).chunks
    after = chunks_of(NOTES.replace("# Lambda\n", "# Lambda\n- Runs code without servers\n")).chunks

    found = compare(before, after)

    assert [c.path for c in found] == [("Lambda",)]  # S3's branches moved down a line: not reported
    assert found[0].kind == "changed" and found[0].edited == (2,)


def test_a_renamed_heading_is_moved_not_removed_and_added() -> None:
    before = chunks_of(NOTES).chunks
    after = chunks_of(NOTES.replace("## Classes", "## Tiers")).chunks

    found = compare(before, after)

    kinds = {c.path: c.kind for c in found}
    assert kinds[("S3", "Tiers")] == "moved"
    assert "removed" not in kinds.values() and "added" not in kinds.values()
    moved = next(c for c in found if c.kind == "moved")
    assert moved.old_path == ("S3", "Classes") and moved.gone == (10,) and moved.edited == (10,)
    assert moved.describe() == "> S3 › Tiers (lines 10–12, was S3 › Classes)"


def test_deleted_and_new_headings_are_removed_and_added() -> None:
    before = chunks_of(NOTES).chunks
    after = chunks_of(
        NOTES.replace("## Pricing\n- Per request and per GB-second\n", "")
        + "## Inventory\n- Daily CSV reports\n"
    ).chunks

    found = compare(before, after)

    assert ("removed", ("Lambda", "Pricing"), None, (7, 8)) in [
        (c.kind, c.path, c.lines, c.old_lines) for c in found
    ]
    assert ("added", ("S3", "Inventory"), (12, 13), None) in [
        (c.kind, c.path, c.lines, c.old_lines) for c in found
    ]
    assert Change("added", ("S3", "Inventory"), "n.md", (12, 13), None).to_json() == {
        "kind": "added",
        "path": ["S3", "Inventory"],
        "source": "n.md",
        "lines": [12, 13],
        "old_lines": None,
    }


def test_stale_lines_are_cited_lines_the_update_changed_or_removed_not_moved_ones() -> None:
    before = chunks_of(NOTES).chunks
    timeout = next(c for c in before if c.path[-1] == "Timeout")
    classes = next(c for c in before if c.path[-1] == "Classes")
    edited = NOTES.replace("Max 900 seconds", "Max 15 minutes").replace("## Classes", "## Tiers")

    found = compare(before, chunks_of(edited).chunks)

    assert stale_lines(timeout.id, (5, 6), found) == (5,)
    assert (
        stale_lines(classes.id, (11, 12), found) == ()
    )  # its branch was renamed, these lines were not


def test_builds_report_everything_added_first_then_only_what_an_edit_changed(tmp_path) -> None:
    outline = write_outline(tmp_path / "seeds", NOTES, "n.md")
    config = Settings(seeds=(outline.parent,), index_dir=tmp_path / "index", chunk_tokens=12)
    embedder = CountingEmbedder()

    first = build_index(config, embedder)
    unchanged = build_index(config, embedder)
    outline.write_text(NOTES.replace("Glacier for archives", "Glacier for backups"))
    edited = build_index(config, embedder)
    rebuilt = build_index(config, embedder, rebuild=True)

    assert {c.kind for c in first.changes} == {"added"} and len(first.changes) == first.chunks
    assert unchanged.changes == ()
    assert [(c.kind, c.path, c.lines, c.edited) for c in edited.changes] == [
        ("changed", ("S3", "Classes"), (10, 12), (12,))
    ]
    assert rebuilt.changes == ()  # compared with the folder it replaced
    assert first.summary()["changes"][0]["kind"] == "added"


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(changes_module)

    assert result.attempted and not result.failed


# Property tests. An outline is a list of (depth, text): depth 0 and 1 are headings, deeper ones
# bullets; every text is unique, so a branch is known by its path and text.
Item = tuple[int, str]


def render(items: list[Item]) -> str:
    return "".join(
        ("#" * (d + 1) + " " if d < 2 else "  " * (d - 2) + "- ") + text + "\n" for d, text in items
    )


def valid(items: list[Item]) -> bool:
    return (
        bool(items) and items[0][0] == 0 and all(b[0] <= a[0] + 1 for a, b in zip(items, items[1:]))
    )


def subtree_end(items: list[Item], at: int) -> int:
    end = at + 1
    while end < len(items) and items[end][0] > items[at][0]:
        end += 1
    return end


@st.composite
def outlines(draw) -> list[Item]:
    depths = [0]
    for _ in range(draw(st.integers(1, 24))):
        depths.append(draw(st.integers(0, min(depths[-1] + 1, 4))))
    vocabulary = st.sampled_from(["cache", "queue", "bucket", "region", "policy", "limit", "retry"])
    return [(d, f"{draw(vocabulary)} {draw(vocabulary)} n{i}") for i, d in enumerate(depths)]


@st.composite
def edits(draw) -> tuple[list[Item], list[Item], str, set[int], set[int]]:
    """(outline, edited outline, kind of edit, lines new or edited now, lines gone or edited
    before)."""
    items = draw(outlines())
    kind = draw(st.sampled_from(["insert", "delete", "change", "move"]))
    at = draw(st.integers(1, len(items) - 1)) if len(items) > 1 else 0
    if kind == "insert":
        depth = draw(st.integers(0, items[at - 1][0] + 1)) if at else 0
        after = items[:at] + [(depth, "inserted line")] + items[at:]
        return items, after, kind, {at + 1}, set()
    if kind == "change":
        after = items[:at] + [(items[at][0], "edited text")] + items[at + 1 :]
        return items, after, kind, {at + 1}, {at + 1}
    end = subtree_end(items, at)
    rest = items[:at] + items[end:]
    if kind == "delete":
        return items, rest, kind, set(), set(range(at + 1, end + 1))
    to = draw(st.integers(1, len(rest))) if rest else 0
    shift = draw(st.integers(1, 2)) - items[at][0]
    moved = [(d + shift, text) for d, text in items[at:end]]
    return items, rest[:to] + moved + rest[to:], kind, set(), set()


def differing(one: list[Chunk], other: list[Chunk]) -> set[tuple]:
    """(path, first and last line) of the branches of `one` with no branch of the same path and text
    in `other`."""
    there = {(c.path, c.text) for c in other}
    return {(c.path, (c.lines[0], c.lines[-1])) for c in one if (c.path, c.text) not in there}


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(edits(), st.sampled_from([6, 12, 40]))
def test_the_change_list_is_exactly_the_branches_whose_text_or_place_differs(edit, target) -> None:
    items, edited, kind, new_lines, gone_lines = edit
    assume(valid(edited))
    before = chunks_of(render(items), target)
    after = chunks_of(render(edited), target, previous=before).chunks

    found = compare(before.chunks, after)

    assert {(c.path, c.lines) for c in found if c.kind != "removed"} == differing(
        after, before.chunks
    )
    assert {(c.old_path or c.path, c.old_lines) for c in found if c.kind != "added"} == differing(
        before.chunks, after
    )
    assert new_lines <= {line for c in found for line in c.edited}
    assert gone_lines <= {line for c in found for line in c.gone}
    assert all(c.kind in ("added", "changed", "removed", "moved") for c in found)


@PROPERTY
@given(outlines(), st.sampled_from([6, 12, 40]))
def test_rechunking_an_unchanged_outline_reports_no_changes(items, target) -> None:
    before = chunks_of(render(items), target)

    assert compare(before.chunks, chunks_of(render(items), target, previous=before).chunks) == []
