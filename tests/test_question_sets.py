"""The question sets written for this project (`bench/questions/*.jsonl`) against the seed outline:
each gold line is an outline line with the path the set gives it, and each answer fact is written in
its question's gold lines or their paths, so a measured answer is checked against what the notes
say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.outline import parse_outline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "aws_solution_architecture.md"
SETS = sorted((ROOT / "bench" / "questions").glob("*.jsonl"))


@pytest.fixture(scope="module")
def paths() -> dict[int, list[str]]:
    outline = parse_outline(SEED.read_text(encoding="utf-8"), "seeds/aws_solution_architecture.md")
    found: dict[int, list[str]] = {}
    stack = [(root, [root.text]) for root in reversed(outline.roots)]
    while stack:
        node, path = stack.pop()
        outline.expand(node)
        found[node.line] = path
        stack.extend((child, path + [child.text]) for child in reversed(node.children))
    return found


@pytest.mark.parametrize("questions", SETS, ids=lambda path: path.name)
def test_every_gold_line_and_fact_of_a_question_set_is_in_the_outline(questions, paths):
    for record in map(json.loads, questions.read_text(encoding="utf-8").splitlines()):
        where = f"{questions.name} {record['id']}"
        for gold in record["gold"]:
            assert paths.get(gold["line"]) == gold["path"], where
        written = " ".join(" ".join(gold["path"]) for gold in record["gold"]).lower()
        for fact in record["answer_facts"]:
            assert fact.lower() in written, f"{where}: {fact!r}"
        if record["kind"] == "refusal":
            assert not record["gold"] and not record["answer_facts"], where
