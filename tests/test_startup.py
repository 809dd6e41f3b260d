"""Tests for core.startup and cheap imports: importing a package changes nothing and loads nothing
heavy."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO_ROOT

from core.startup import start

CHEAP = (
    "indexer",
    "retriever",
    "assistant",
    "indexer.__main__",
    "retriever.__main__",
    "assistant.__main__",
    "retriever.eval",
    "assistant.eval",
    "assistant.fit",
)
HEAVY = ("numpy", "torch", "faiss", "bm25s", "scipy", "transformers")


def fresh_python(code: str, env: dict[str, str] | None = None) -> str:
    """stdout of `code` run by a fresh interpreter from the repo root."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_importing_the_packages_and_their_commands_loads_no_numpy_or_torch() -> None:
    code = (
        f"import sys, {', '.join(CHEAP)}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )

    assert fresh_python(code) == "[]"


def test_importing_the_packages_leaves_the_environment_alone() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "HF_HUB_OFFLINE")}
    code = (
        f"import os, {', '.join(CHEAP)}\n"
        "print(os.environ.get('OMP_WAIT_POLICY'), os.environ.get('HF_HUB_OFFLINE'))"
    )

    assert fresh_python(code, env) == "None None"


def test_the_short_names_load_their_module_on_first_use() -> None:
    code = (
        "import sys, assistant, retriever, indexer\nprint('assistant.pipeline' in sys.modules)\n"
        "from assistant import Assistant, Turn\nfrom retriever import Retriever\n"
        "import assistant.pipeline, retriever.search, indexer.chunk\n"
        "print(Assistant is assistant.pipeline.Assistant, Retriever is retriever.search.Retriever, "
        "indexer.Chunk is indexer.chunk.Chunk)"
    )

    assert fresh_python(code).split() == ["False", "True", "True", "True"]


def test_start_sets_the_process_defaults_and_keeps_what_is_set(monkeypatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")

    start()

    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TOKENIZERS_PARALLELISM"] == "true"
