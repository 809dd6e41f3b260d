"""indexer.lines: outline lines read back from chunks, each held by its own branch's chunk."""

from __future__ import annotations

from assistant_fakes import CLOUD_OUTLINE, outline_chunks

from indexer.lines import line_tree, outline_lines, row_paths

OUTLINE = (
    "# Cloud\n## Lambda\n- Timeout\n  - Default 3s\n  - Max 900s\n- Memory\n  - 128mb to 10240 MB\n"
)


def test_every_line_once_with_its_path_and_parent():
    lines = outline_lines(outline_chunks(OUTLINE))

    by_text = {line.text: line for line in lines}
    assert sorted(line.line for line in lines) == list(range(1, 8))
    assert by_text["Max 900s"].path == ("Cloud", "Lambda", "Timeout", "Max 900s")
    assert by_text["Max 900s"].parent == by_text["Timeout"].line
    assert by_text["Cloud"].parent is None


def test_a_line_shown_in_two_chunks_is_held_by_its_own_branch():
    chunks = outline_chunks(CLOUD_OUTLINE)
    lines = {line.text: line for line in outline_lines(chunks)}

    holding = [c for c in chunks if lines["SQS"].line in c.lines]
    assert len(holding) > 1  # the root's chunk lists its children's titles too
    assert chunks[lines["SQS"].chunk].path[-1] == "SQS"
    assert lines["SQS"].parent == lines["Cloud Notes"].line  # learnt from the chunk above


def test_the_tree_links_parents_children_and_topics():
    lines = outline_lines(outline_chunks(OUTLINE))
    tree = line_tree(lines)
    at = {line.text: i for i, line in enumerate(lines)}

    assert sorted(lines[k].text for k in tree.children[at["Timeout"]]) == ["Default 3s", "Max 900s"]
    assert tree.parent[at["Max 900s"]] == at["Timeout"]
    assert {lines[i].text for i in tree.topics["Lambda"]} == {
        "Timeout",
        "Default 3s",
        "Max 900s",
        "Memory",
        "128mb to 10240 MB",
    }


def test_paths_drop_markup_and_blank_rows_and_follow_depth():
    chunk = outline_chunks("# A\n- **Bold** item\n  - child\n-\n")[0]

    assert [(row.line, path, up) for row, path, up in row_paths(chunk)] == [
        (1, ("A",), None),
        (2, ("A", "Bold item"), 1),
        (3, ("A", "Bold item", "child"), 2),
    ]
