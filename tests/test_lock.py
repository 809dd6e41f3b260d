"""Crash safety and the build lock: a killed or interrupted build leaves the previous index
loadable, two builds of one index never overlap, and a lock left by a dead process is cleared."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, VENV_PYTHON, CountingEmbedder, write_outline

import indexer.build
from core.errors import IndexLockedError
from core.settings import Settings
from indexer.build import build_index
from indexer.lock import BuildLock
from indexer.store import load_index
from indexer.swap import previous_folder

OLD = "# Pantry\n- Rice keeps for years in a sealed jar\n- Flour keeps six months\n"


def big_outline(sections: int) -> str:
    """Enough distinct branches that embedding them takes the real model many seconds."""
    return "# Archive\n" + "".join(
        f"## Record {i}\n- entry {i} mentions topic {i * 7 % 101}\n  - detail {i} in depth\n"
        for i in range(sections)
    )


def leftovers(folder: Path) -> list[Path]:
    return list(folder.parent.glob(f".{folder.name}.tmp-*"))


def snapshot(folder: Path) -> list[tuple[str, str]]:
    return [(c.id, c.text) for c in load_index(folder).chunks]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def old_index(tmp_path: Path, real_embedder) -> Settings:
    """A finished index of a small outline, built with the real model."""
    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    build_index(settings, real_embedder)
    return settings


def start_build(settings: Settings, log: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    command = [
        str(VENV_PYTHON),
        "-m",
        "indexer",
        "--seeds",
        str(settings.seeds[0]),
        "--index",
        str(settings.index_dir),
    ]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        # As from an interactive shell, where Ctrl-C reaches Python as KeyboardInterrupt. Run as a
        # background job (`make test &`), pytest ignores SIGINT, the build inherits that, and Python
        # then installs no handler: the build finished after the signal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_until_embedding(build: subprocess.Popen, log: Path, timeout: float = 240.0) -> None:
    """Block until the build's progress bar shows it is embedding (it appears after 2 s of work)."""
    deadline = time.monotonic() + timeout
    while "embedding" not in log.read_text(errors="replace"):
        assert build.poll() is None, f"the build ended before embedding was seen: {log.read_text()}"
        assert time.monotonic() < deadline, "the build never started embedding"
        time.sleep(0.05)


@pytest.mark.model
@pytest.mark.parametrize(
    "signal_number", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"]
)
def test_a_build_stopped_while_embedding_leaves_the_previous_index(
    old_index: Settings, tmp_path: Path, signal_number: int
) -> None:
    before = snapshot(old_index.index_dir)
    old_index.seeds[0].write_text(big_outline(3000))
    log = tmp_path / "stderr.txt"
    build = start_build(old_index, log)
    wait_until_embedding(build, log)

    build.send_signal(signal_number)
    returncode = build.wait(timeout=60)

    assert snapshot(old_index.index_dir) == before, log.read_text(errors="replace")[-2000:]
    if signal_number == signal.SIGINT:
        assert returncode == 130
        assert (
            "interrupted; nothing was changed" in log.read_text()
            and "Traceback" not in log.read_text()
        )
    else:
        assert returncode == -signal.SIGKILL
        report = build_index(old_index, CountingEmbedder(max_tokens=256), rebuild=True)
        assert f"stale build lock left by process {build.pid}" in " ".join(report.warnings)


def test_keyboard_interrupt_while_embedding_keeps_the_previous_index(tmp_path: Path) -> None:
    class InterruptedEmbedder(CountingEmbedder):
        def embed(self, texts):
            raise KeyboardInterrupt

    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    build_index(settings, CountingEmbedder())
    before = snapshot(settings.index_dir)
    settings.seeds[0].write_text(OLD + "- Oats keep a year\n")

    with pytest.raises(KeyboardInterrupt):
        build_index(settings, InterruptedEmbedder())

    assert snapshot(settings.index_dir) == before
    assert leftovers(settings.index_dir) == []
    with BuildLock(settings.index_dir, wait_seconds=0):
        pass  # the interrupted build released the lock


def test_a_failure_while_writing_keeps_the_previous_index_and_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    build_index(settings, CountingEmbedder())
    before = snapshot(settings.index_dir)
    settings.seeds[0].write_text(OLD + "- Oats keep a year\n")
    real_write = indexer.build.write_index

    def write_then_fail(folder, *args):
        real_write(folder, *args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(indexer.build, "write_index", write_then_fail)
    with pytest.raises(OSError):
        build_index(settings, CountingEmbedder())

    assert snapshot(settings.index_dir) == before
    assert leftovers(settings.index_dir) == []


def test_a_crash_between_the_two_renames_still_loads_and_the_next_build_recovers(
    tmp_path: Path,
) -> None:
    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    build_index(settings, CountingEmbedder())
    before = snapshot(settings.index_dir)
    os.rename(settings.index_dir, previous_folder(settings.index_dir))  # the old index moved aside…
    (tmp_path / ".index.tmp-crashed").mkdir()  # …and the new one never renamed in

    loaded = snapshot(settings.index_dir)
    embedder = CountingEmbedder()
    report = build_index(settings, embedder)

    assert loaded == before
    assert report.embedded == 0 and embedder.calls == 0
    assert settings.index_dir.is_dir() and not previous_folder(settings.index_dir).exists()
    assert leftovers(settings.index_dir) == []


def test_a_held_lock_makes_a_second_acquirer_raise_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    with BuildLock(folder):
        with pytest.raises(IndexLockedError) as caught:
            with BuildLock(folder, wait_seconds=0.3):
                pass

    assert f"pid {os.getpid()}" in str(caught.value)


def test_a_lock_held_by_another_process_makes_the_acquirer_raise(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from indexer.lock import BuildLock\n"
            f"with BuildLock(__import__('pathlib').Path({str(folder)!r})):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"

        with pytest.raises(IndexLockedError) as caught:
            with BuildLock(folder, wait_seconds=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()

    assert f"pid {holder.pid}" in str(caught.value)


def test_a_second_build_waits_for_the_first_to_release_the_lock(tmp_path: Path) -> None:
    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    embedder = CountingEmbedder()
    second = threading.Thread(target=build_index, args=(settings, embedder))

    with BuildLock(settings.index_dir):
        second.start()
        second.join(timeout=1.0)
        waited = second.is_alive() and embedder.calls == 0 and not settings.index_dir.exists()
    second.join(timeout=60)

    assert waited
    assert not second.is_alive() and embedder.calls == 1
    assert load_index(settings.index_dir).chunks


def test_a_stale_lock_of_a_dead_process_is_cleared_and_reported(tmp_path: Path) -> None:
    settings = Settings(seeds=(write_outline(tmp_path, OLD),), index_dir=tmp_path / "index")
    pid = dead_pid()
    (tmp_path / "index.lock").write_text(f"{pid}\n")

    report = build_index(settings, CountingEmbedder())

    assert f"cleared a stale build lock left by process {pid}" in report.warnings
    assert (tmp_path / "index.lock").read_text() == ""


def test_a_lock_file_naming_a_live_process_without_the_lock_is_not_called_stale(
    tmp_path: Path,
) -> None:
    (tmp_path / "index.lock").write_text(f"{os.getppid()}\n")

    with BuildLock(tmp_path / "index", wait_seconds=0) as lock:
        recorded = (tmp_path / "index.lock").read_text()

    assert lock.stale_pid is None
    assert recorded == f"{os.getpid()}\n"
