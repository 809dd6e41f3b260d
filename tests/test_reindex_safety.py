"""Re-indexing while things go wrong or run at once: a build killed at any point leaves the old or
the new index, loadable and consistent; concurrent builds take turns; readers keep answering during
a swap. Builds run in subprocesses with the counting fake embedder, so many kill points stay
cheap."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO_ROOT, VENV_PYTHON, CountingEmbedder, write_outline

from core.settings import Settings
from indexer.build import build_index
from indexer.store import Index, load_index
from indexer.swap import previous_folder
from retriever.search import Retriever

# A child process: build `index` from `seeds` with the counting fake, after arming one kill point.
CHILD = r"""
import json, os, signal, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from pathlib import Path
from conftest import CountingEmbedder
import indexer.build as build, indexer.lock as lock, indexer.rechunk as rechunk
from core.settings import Settings

seeds, index, point, log = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5]
calls = {}

def die_at(module, name, after=False, nth=1):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        calls[name] = calls.get(name, 0) + 1
        if calls[name] == nth and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if calls[name] == nth and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(module, name, wrapper)

class SlowEmbedder(CountingEmbedder):
    def embed(self, texts):
        time.sleep(float(os.environ.get("EMBED_SLEEP", "0")))
        return super().embed(texts)

class LoggedLock(lock.BuildLock):
    def __enter__(self):
        with open(log, "a") as out:
            out.write(f"try {os.getpid()}\n")
        held = super().__enter__()
        with open(log, "a") as out:
            out.write(f"enter {os.getpid()}\n")
        return held
    def __exit__(self, *exc):
        with open(log, "a") as out:
            out.write(f"exit {os.getpid()}\n")
        super().__exit__(*exc)

build.BuildLock = LoggedLock
points = {
    "before chunking": (rechunk, "chunk_file", False, 1),
    "while embedding": (SlowEmbedder, "embed", False, 1),
    "after writing the new folder": (build, "write_index", True, 1),
    "before the first rename": (os, "rename", False, 1),
    "between the two renames": (os, "rename", True, 1),
    "after the second rename": (os, "rename", True, 2),
    "while removing the old folder": (os, "unlink", False, 2),
}
if point in points:
    die_at(*points[point])
for _ in range(int(os.environ.get("BUILDS", "1"))):
    for name in sorted(os.listdir(seeds)):
        if name.endswith(".alt"):  # alternate contents, so that every build swaps a new index in
            alt, md = seeds / name, seeds / name[:-4]
            text = md.read_bytes()
            md.write_bytes(alt.read_bytes())
            alt.write_bytes(text)
    report = build.build_index(Settings(seeds=(seeds,), index_dir=index), SlowEmbedder())
print(json.dumps(report.summary()))
"""
OLD = "# Pantry\n## Grains\n- Rice keeps for years in a sealed jar\n- Flour keeps six months\n"
NEW = OLD + "## Tins\n- Tomatoes keep two years\n- Fish keeps three years\n"
KILL_POINTS = [
    "before chunking",
    "while embedding",
    "after writing the new folder",
    "before the first rename",
    "between the two renames",
    "after the second rename",
    "while removing the old folder",
]


def archive(sections: int, topic: str) -> str:
    return f"# {topic}\n" + "".join(
        f"## Record {i}\n- {topic} entry {i} mentions {i * 7 % 101}\n" for i in range(sections)
    )


def start_child(
    settings: Settings, point: str = "", log: Path | None = None, **env: str
) -> subprocess.Popen:
    log = log or settings.index_dir.parent / "locks.log"
    command = [
        str(VENV_PYTHON),
        "-c",
        CHILD,
        str(REPO_ROOT),
        str(settings.seeds[0]),
        str(settings.index_dir),
        point,
        str(log),
    ]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def state(index: Index) -> set[tuple]:
    """What an index holds, whatever folder its outline was read from (ids include the source
    path)."""
    return {(c.path, c.lines, c.content_hash) for c in index.chunks}


def assert_consistent(index: Index) -> None:
    """Every FAISS row is the fake embedder's vector of the chunk record it is stored under."""
    stored = index.vectors()
    assert set(stored) == {c.content_hash for c in index.chunks}
    for chunk in index.chunks:
        assert np.allclose(
            stored[chunk.content_hash], CountingEmbedder().embed([chunk.search_text])[0]
        )


def expected_states(tmp_path: Path, *texts: str) -> list[set[tuple]]:
    """The chunk states that building each text gives, from scratch, in a side folder."""
    states = []
    for n, text in enumerate(texts):
        side = tmp_path / f"side{n}"
        settings = Settings(seeds=(write_outline(side / "seeds", text),), index_dir=side / "index")
        build_index(settings, CountingEmbedder())
        states.append(state(load_index(settings.index_dir)))
    return states


@pytest.fixture
def old_index(tmp_path: Path) -> Settings:
    settings = Settings(seeds=(tmp_path / "seeds",), index_dir=tmp_path / "index")
    write_outline(tmp_path / "seeds", OLD)
    build_index(settings, CountingEmbedder())
    return settings


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_at_each_step_leaves_the_old_or_new_index_and_recovers(
    old_index: Settings, tmp_path: Path, point: str
) -> None:
    old, new = expected_states(tmp_path, OLD, NEW)
    write_outline(tmp_path / "seeds", NEW)

    child = start_child(old_index, point)
    child.communicate(timeout=120)

    assert child.returncode == -signal.SIGKILL
    survivor = load_index(old_index.index_dir)
    assert state(survivor) in (old, new)
    assert_consistent(survivor)
    build_index(old_index, CountingEmbedder())
    assert state(load_index(old_index.index_dir)) == new
    assert not previous_folder(old_index.index_dir).exists()
    assert not list(tmp_path.glob(".index.tmp-*"))


def test_builds_killed_at_random_moments_always_leave_a_loadable_consistent_index(
    old_index: Settings, tmp_path: Path
) -> None:
    old, new = expected_states(tmp_path, OLD, archive(1500, "Ledger"))
    (tmp_path / "seeds" / "notes.md.alt").write_text(archive(1500, "Ledger"), encoding="utf-8")
    moments = random.Random(5).sample(range(5, 300), 6)

    for (
        hundredths
    ) in moments:  # each child swaps notes.md with notes.md.alt, so each one has work to do
        child = start_child(old_index)
        time.sleep(hundredths / 100)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=120)

        survivor = load_index(old_index.index_dir)
        assert state(survivor) in (old, new)
        assert_consistent(survivor)
    build_index(old_index, CountingEmbedder())  # recovers from whatever the last kill left
    assert state(load_index(old_index.index_dir)) in (old, new)
    assert not previous_folder(old_index.index_dir).exists() and not list(
        tmp_path.glob(".index.tmp-*")
    )


def test_two_concurrent_updates_take_turns_under_the_lock(
    old_index: Settings, tmp_path: Path
) -> None:
    write_outline(tmp_path / "seeds", NEW)
    log = tmp_path / "locks.log"

    children = [start_child(old_index, log=log, EMBED_SLEEP="3") for _ in range(2)]
    outputs = [child.communicate(timeout=120) for child in children]

    assert [child.returncode for child in children] == [0, 0], outputs
    events = [tuple(line.split()) for line in log.read_text().splitlines()]
    held = [(event, pid) for event, pid in events if event != "try"]
    first, second = held[0][1], held[2][1]
    assert held == [("enter", first), ("exit", first), ("enter", second), ("exit", second)]
    assert {first, second} == {str(child.pid) for child in children}
    assert events.index(("try", second)) < events.index(
        ("exit", first)
    )  # the second one really waited
    reports = sorted((json.loads(out)["embedded"] for out, _ in outputs), reverse=True)
    assert (
        reports[0] > 0 and reports[1] == 0
    )  # the second update found the first one's index up to date
    assert_consistent(load_index(old_index.index_dir))


def test_a_loaded_index_keeps_answering_from_the_old_text_after_an_update(
    old_index: Settings, tmp_path: Path
) -> None:
    reader = Retriever(load_index(old_index.index_dir), CountingEmbedder())
    write_outline(tmp_path / "seeds", NEW.replace("Rice", "Barley"))

    build_index(old_index, CountingEmbedder())

    old_hits = reader.search("rice sealed jar", k=1)
    new_hits = Retriever(load_index(old_index.index_dir), CountingEmbedder()).search(
        "barley sealed jar", k=1
    )
    assert "Rice" in old_hits[0].chunk.text and "Barley" in new_hits[0].chunk.text


def test_searching_while_an_update_runs_in_another_thread_never_fails(
    old_index: Settings, tmp_path: Path
) -> None:
    reader = Retriever(load_index(old_index.index_dir), CountingEmbedder())
    write_outline(tmp_path / "seeds", archive(1500, "Ledger"))
    update = threading.Thread(target=build_index, args=(old_index, CountingEmbedder()))

    update.start()
    answers = []
    while update.is_alive() or not answers:
        answers.append(reader.search("rice sealed jar", k=1)[0].chunk.text)
    update.join()

    assert len(answers) > 1 and all("Rice" in text for text in answers)
    assert (
        state(load_index(old_index.index_dir))
        == expected_states(tmp_path, archive(1500, "Ledger"))[0]
    )


def test_loading_during_repeated_swaps_always_gives_a_whole_index(
    old_index: Settings, tmp_path: Path
) -> None:
    (tmp_path / "seeds" / "notes.md.alt").write_text(NEW, encoding="utf-8")
    old, new = expected_states(tmp_path, OLD, NEW)
    child = start_child(old_index, BUILDS="40")

    loads = 0
    while child.poll() is None:
        assert state(load_index(old_index.index_dir)) in (old, new)
        loads += 1
    output, errors = child.communicate()

    assert child.returncode == 0, errors
    assert loads > 10
