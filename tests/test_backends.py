"""Tests for assistant.backends and the model settings it reads: which generator a session opens
(a model server's or the in-process model), from flags over the environment, without importing
either's heavy packages first."""

from __future__ import annotations

import argparse
import subprocess

import pytest
from conftest import REPO_ROOT, VENV_PYTHON

from assistant.backends import open_generator
from assistant.remote import RemoteGenerator
from core.cli import settings_from
from core.errors import BranchwiseError
from core.settings import Settings


def test_open_generator_picks_the_server_when_a_url_is_set() -> None:
    generator = open_generator(Settings(llm_url="http://gpu:8000/v1", llm_model="qwen"))

    assert isinstance(generator, RemoteGenerator)
    assert (generator.url, generator.name) == ("http://gpu:8000/v1", "qwen")


def test_open_generator_loads_the_in_process_model_without_a_url(monkeypatch) -> None:
    loaded = []
    monkeypatch.setattr(
        "assistant.model.load_generator", lambda settings: loaded.append(settings) or "local"
    )
    settings = Settings(generator_model="some.gguf")

    assert open_generator(settings) == "local" and loaded == [settings]


def test_llm_flags_override_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("BRANCHWISE_LLM_URL", "http://env:8000/v1")
    args = argparse.Namespace(llm_url="http://flag:9000/v1", llm_model="flag-model")

    settings = settings_from(args)

    assert (settings.llm_url, settings.llm_model) == ("http://flag:9000/v1", "flag-model")


def test_importing_the_backends_loads_neither_openai_nor_torch() -> None:
    code = "import sys, assistant.backends; print('openai' in sys.modules, 'torch' in sys.modules)"

    result = subprocess.run(
        [str(VENV_PYTHON), "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("value", ["0", "-2", "many", "1.5"])
def test_a_concurrency_that_is_not_a_positive_whole_number_is_refused_by_name(value: str) -> None:
    with pytest.raises(
        BranchwiseError, match=f"BRANCHWISE_LLM_CONCURRENCY must be .* not '{value}'"
    ):
        Settings.from_env({"BRANCHWISE_LLM_CONCURRENCY": value})
