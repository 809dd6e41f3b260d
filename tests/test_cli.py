"""The command lines as a user runs them (subprocesses, repo root, offline): help with examples,
`--json` contracts, BRANCHWISE_* variables under flags, and one-line errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SEED_OUTLINE, VENV_PYTHON, write_outline

NOTES = """# Workshop
## Saw
- Keep the blade guard down
- Replace a dull blade rather than forcing it
- Let the saw reach full speed before the cut
- Support long boards on both sides of the cut
## Glue
- PVA sets in thirty minutes
- Clamp joints overnight
- Wipe squeeze-out with a damp cloth before it skins
- Epoxy fills gaps that wood glue cannot bridge
## Finishes
- Sand up to 180 grit before oil
- Wipe on thin coats of oil and buff between them
- Water-based varnish dries fast and stays clear
- Test every finish on an offcut first
## Storage
- Keep chisels in a roll so the edges never touch
- Hang clamps on a rail by size
- Store timber flat and stickered so air can move
"""
REPORT_KEYS = {"chunks", "embedded", "removed", "unchanged", "seconds", "changes"}
HIT_KEYS = {"rank", "id", "path", "source", "lines", "score", "text"}


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHWISE_")}
    return subprocess.run(
        [str(VENV_PYTHON), "-m", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """(notes file, index folder, the first build's --json report), built once by the real CLI."""
    folder = tmp_path_factory.mktemp("cli")
    notes, index = write_outline(folder, NOTES), folder / "index"
    result = run("indexer", "--seeds", str(notes), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    return notes, index, json.loads(result.stdout)


@pytest.mark.parametrize(
    "command",
    ["indexer", "retriever", "retriever.eval", "assistant", "assistant.eval", "assistant.fit"],
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")

    assert result.returncode == 0
    assert "Example" in result.stdout and f"python -m {command} " in result.stdout


def test_importing_the_commands_does_not_import_torch() -> None:
    code = (
        "import sys, indexer.__main__, indexer.build, retriever.__main__, retriever.eval, "
        "assistant.__main__, assistant.eval, assistant.fit, assistant.judge, assistant.quotes\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules))"
    )

    result = subprocess.run(
        [str(VENV_PYTHON), "-c", code], cwd=REPO_ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


@pytest.mark.model
def test_indexer_json_prints_exactly_the_report_keys(built) -> None:
    _, index, report = built

    assert set(report) == REPORT_KEYS
    assert report["embedded"] == report["chunks"] >= 1 and report["removed"] == 0
    assert (index / "manifest.json").is_file()


@pytest.mark.model
def test_indexer_json_on_an_unchanged_outline_reports_everything_unchanged(built) -> None:
    notes, index, first = built

    result = run("indexer", "--seeds", str(notes), "--index", str(index), "--json")

    report = json.loads(result.stdout)
    assert result.returncode == 0 and set(report) == REPORT_KEYS
    assert report["embedded"] == 0 and report["unchanged"] == report["chunks"] == first["chunks"]


@pytest.mark.model
def test_indexer_json_after_editing_one_seed_bullet_lists_exactly_its_branch_as_changed(
    seed_index, tmp_path: Path
) -> None:
    settings, _ = seed_index
    shutil.copytree(settings.index_dir, tmp_path / "index")
    seed = tmp_path / "seeds" / SEED_OUTLINE.name
    seed.parent.mkdir()
    lines = SEED_OUTLINE.read_text(encoding="utf-8").split("\n")
    assert lines[446] == "  - Max 900s"  # Lambda › Sizing › Timeout
    lines[446] = "  - Max 15 minutes"
    seed.write_text("\n".join(lines), encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHWISE_")}

    # run where the copies are, so they are named like the indexed originals ("seeds/…")
    result = subprocess.run(
        [str(VENV_PYTHON), "-m", "indexer", "--seeds", "seeds", "--index", "index", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT)},
    )
    shutil.copy(SEED_OUTLINE, seed)  # and back, reported as text
    text = subprocess.run(
        [str(VENV_PYTHON), "-m", "indexer", "--seeds", "seeds", "--index", "index"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT)},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["changes"] == [
        {
            "kind": "changed",
            "path": ["AWS Solution Architecture", "Lambda", "Sizing"],
            "source": f"seeds/{SEED_OUTLINE.name}",
            "lines": [440, 447],
            "old_lines": [440, 447],
        }
    ]
    assert text.stdout.splitlines()[1:] == [
        "~ AWS Solution Architecture › Lambda › Sizing (lines 440–447)"
    ]


@pytest.mark.model
def test_indexer_honours_branchwise_seeds_and_index(built) -> None:
    notes, index, first = built

    result = run("indexer", env={"BRANCHWISE_SEEDS": str(notes), "BRANCHWISE_INDEX": str(index)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{first['chunks']} branches in {index}: 0 embedded")


@pytest.mark.model
def test_indexer_flags_override_the_environment(built, tmp_path: Path) -> None:
    notes, index, first = built
    elsewhere = tmp_path / "env-index"

    result = run(
        "indexer",
        "--seeds",
        str(notes),
        "--index",
        str(index),
        "--json",
        env={"BRANCHWISE_SEEDS": str(tmp_path / "missing.md"), "BRANCHWISE_INDEX": str(elsewhere)},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unchanged"] == first["chunks"]
    assert not elsewhere.exists()


@pytest.mark.model
def test_retriever_queries_json_prints_one_line_per_query_with_full_hits(
    built, tmp_path: Path
) -> None:
    notes, index, _ = built
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "a", "question": "How long does PVA take to set?"}\n\n'
        '{"id": "b", "question": "What to do with a dull blade?"}\n'
    )

    result = run("retriever", "--queries", str(queries), "--json", "-k", "2", "--index", str(index))

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr
    assert [line["id"] for line in lines] == ["a", "b"]
    for line in lines:
        assert [hit["rank"] for hit in line["hits"]] == [1, 2]
        assert all(
            set(hit) == HIT_KEYS and hit["source"].endswith("notes.md") for hit in line["hits"]
        )
    assert "PVA sets in thirty minutes" in lines[0]["hits"][0]["text"]


@pytest.mark.model
def test_retriever_reads_the_index_from_branchwise_index(built) -> None:
    _, index, _ = built

    result = run(
        "retriever", "clamping glued joints", "--json", env={"BRANCHWISE_INDEX": str(index)}
    )

    answer = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert answer["question"] == "clamping glued joints"
    assert "Clamp joints overnight" in answer["hits"][0]["text"]


def test_retriever_index_flag_overrides_branchwise_index(built, tmp_path: Path) -> None:
    _, index, _ = built
    missing = tmp_path / "no-index"

    result = run("retriever", "saw", "--index", str(missing), env={"BRANCHWISE_INDEX": str(index)})

    assert str(missing) in assert_one_line_error(result)


@pytest.mark.model
def test_eval_prints_a_table_row_per_retriever(built, tmp_path: Path) -> None:
    _, index, _ = built
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "x",
                "question": "blade guard",
                "kind": "fact",
                "gold": [{"line": 3, "path": ["Workshop", "Saw"]}],
                "gold_any": True,
            }
        )
        + "\n"
    )

    result = run("retriever.eval", str(questions), "--index", str(index))

    assert result.returncode == 0, result.stderr
    rows = [
        line.split("|")[1].strip() for line in result.stdout.splitlines() if line.startswith("| ")
    ]
    assert rows[:4] == ["retriever", "hybrid", "dense", "lexical"]


def test_indexer_with_a_missing_seeds_file_exits_with_one_error_line(tmp_path: Path) -> None:
    result = run(
        "indexer", "--seeds", str(tmp_path / "nope.md"), "--index", str(tmp_path / "index")
    )

    assert "nope.md" in assert_one_line_error(result)
    assert not (tmp_path / "index").exists()


def test_indexer_with_an_unreadable_outline_names_file_and_line(tmp_path: Path) -> None:
    notes = write_outline(tmp_path, b"# A\n- \xff\n")

    result = run("indexer", "--seeds", str(notes), "--index", str(tmp_path / "index"))

    assert f"{notes}:2" in assert_one_line_error(result)


def test_retriever_with_a_missing_index_exits_with_one_error_line(tmp_path: Path) -> None:
    result = run("retriever", "anything", "--index", str(tmp_path / "none"))

    assert "python -m indexer" in assert_one_line_error(result)


def test_eval_with_a_missing_index_exits_with_one_error_line(tmp_path: Path) -> None:
    questions = write_outline(
        tmp_path, '{"id": "x", "question": "q", "gold": []}\n', name="q.jsonl"
    )

    result = run("retriever.eval", str(questions), "--index", str(tmp_path / "none"))

    assert_one_line_error(result)


@pytest.mark.parametrize("command", ["retriever.eval", "assistant.eval"])
def test_eval_with_a_question_file_that_is_not_json_names_its_line(
    tmp_path: Path, command: str
) -> None:
    questions = write_outline(
        tmp_path, '{"id": "x", "question": "q", "gold": []}\n{"id": \n', name="q.jsonl"
    )

    result = run(command, str(questions), "--index", str(tmp_path / "none"))

    assert "q.jsonl:2: not JSON" in assert_one_line_error(result)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "q.jsonl: cannot read it"),
        ('{"id": "a", "question": "ok"}\nnot json\n', "q.jsonl:2"),
        ('{"question": "no id"}\n', "q.jsonl:1"),
    ],
)
def test_retriever_with_a_bad_queries_file_exits_with_one_error_line(
    built, tmp_path: Path, content, expected
) -> None:
    _, index, _ = built
    queries = tmp_path / "q.jsonl"
    if content is not None:
        queries.write_text(content)

    result = run("retriever", "--queries", str(queries), "--index", str(index))

    assert expected in assert_one_line_error(result)


def test_a_reader_closing_the_pipe_ends_a_command_quietly() -> None:
    code = (
        "import sys\nfrom core.cli import run_command\n"
        "def main():\n    raise BrokenPipeError\nrun_command(main)"
    )

    result = subprocess.run(
        [str(VENV_PYTHON), "-c", code], cwd=REPO_ROOT, capture_output=True, text=True
    )

    assert result.returncode == 0 and result.stderr == ""
