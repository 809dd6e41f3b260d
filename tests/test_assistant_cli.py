"""Tests for `python -m assistant`: help, streamed and JSON answers (extractive, real index),
errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from assistant_fakes import CLOUD_OUTLINE
from conftest import REPO_ROOT, write_outline

from assistant.__main__ import main
from core.settings import Settings
from indexer.build import build_index


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("cli")
    write_outline(root / "seeds", CLOUD_OUTLINE)
    settings = Settings(seeds=(root / "seeds",), index_dir=root / "index", chunk_tokens=40)
    build_index(settings, real_embedder)
    return settings.index_dir


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_shows_examples_without_loading_torch():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, runpy; sys.argv = ['x', '--help']\n"
            "try: runpy.run_module('assistant', run_name='__main__')\n"
            "except SystemExit: pass\n"
            "assert 'torch' not in sys.modules",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert (
        "Examples:" in done.stdout and "--queries" in done.stdout and "--extractive" in done.stdout
    )


def test_question_streams_the_answer_then_lists_cited_branches(index_dir, capsys):
    assert (
        main(
            [
                "How much memory can a Lambda function have?",
                "--index",
                str(index_dir),
                "--extractive",
            ]
        )
        == 0
    )

    out = capsys.readouterr().out
    answer, sources = out.split("\n\n", 1)
    assert "10240" in answer and "[1]" in answer
    assert sources.startswith("[1] Cloud Notes › Lambda  (") and "notes.md:2-7)" in sources


def test_queries_print_one_json_line_per_question(index_dir, tmp_path, capsys):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"id": "a", "question": "How many messages per second can a FIFO queue handle?"})
        + "\n"
        + json.dumps({"id": "b", "question": "Who wrote Hamlet?"})
        + "\n"
    )

    assert (
        main(["--queries", str(queries), "--index", str(index_dir), "--json", "--extractive"]) == 0
    )

    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == ["a", "b"]
    answered, refused = rows
    assert not answered["refused"] and "300" in answered["answer"]
    assert answered["citations"][0]["n"] == 1 and answered["citations"][0]["path"][-1] == "SQS"
    assert {"id", "source", "lines"} <= set(answered["citations"][0])
    assert answered["seconds"] >= answered["first_token_seconds"] > 0
    assert refused["refused"] and refused["citations"] == []
    assert refused["closest"] and {"path", "supporting_lines"} <= set(refused["closest"][0])


def test_missing_index_is_one_line_on_stderr_and_a_failing_exit(tmp_path):
    done = run_module("What is SQS?", "--index", str(tmp_path / "nowhere"), "--extractive")

    assert done.returncode == 1
    assert done.stderr.startswith("error: no index at") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_question_or_queries_is_required():
    done = run_module("--json")

    assert done.returncode == 2 and "give either a QUESTION or --queries" in done.stderr
