"""Scale: synthetic outlines (bench/synth.py) of 200k lines build, update and answer with work
bounded by what changed, and long builds show progress on stderr. Big builds are marked `slow` and
use the counting fake embedder; their timings belong to bench/bench_scale.py, not to assertions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, VENV_PYTHON, CountingEmbedder, content_lines, write_outline

import indexer.rechunk
from core.cli import progress_bar
from core.settings import Settings
from indexer.build import build_index
from indexer.chunk import SPECIAL_TOKENS
from indexer.outline import parse_outline
from indexer.store import Index, load_index
from retriever.search import Retriever

sys.path.insert(0, str(REPO_ROOT / "bench"))
from synth import synth_files, synth_outline  # noqa: E402

_BULLET = re.compile(r"^( *)- ")


def edit_middle_bullet(path: Path) -> int:
    """Append a unique word to the first bullet past the middle of the file; its 1-based line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(n for n in range(len(lines) // 2, len(lines)) if _BULLET.match(lines[n]))
    lines[number] += " zebracorn"
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def top_lines(index: Index, question: str) -> tuple[int, ...]:
    return Retriever(index, CountingEmbedder()).search(question, k=1, mode="lexical")[0].chunk.lines


def test_synthetic_outlines_are_deterministic_with_the_requested_length() -> None:
    text = synth_outline(2000, seed=3)

    assert text == synth_outline(2000, seed=3) != synth_outline(2000, seed=4)
    assert text.count("\n") == 2000 and len(synth_files(2000, 4)) == 4


def test_synthetic_outlines_have_the_seed_shape() -> None:
    lines = synth_outline(5000).splitlines()
    outline = parse_outline("\n".join(lines), "s.md")

    depths = [len(m.group(1)) // 2 for m in map(_BULLET.match, lines) if m]
    assert {line.split(" ")[0] for line in lines if line.startswith("#")} == {"#", "##", "###"}
    assert {0, 1, 2, 3} <= set(depths) <= set(range(6)) and not outline.warnings
    assert all(
        b <= a + 1 for a, b in zip([-1, *depths], depths)
    )  # never deeper by more than one level


def test_the_progress_bar_shows_counts_on_stderr_once_work_takes_over_2_s(capsys) -> None:
    update = progress_bar("reading outlines", quiet=False, unit="file")

    update(0, 3)
    time.sleep(2.2)
    update(3, 3)

    assert re.search(r"reading outlines: 100%.*3/3", capsys.readouterr().err)


def test_the_progress_bar_stays_silent_for_quick_work_and_under_json(capsys) -> None:
    update = progress_bar("embedding", quiet=False)

    update(0, 50)
    update(50, 50)

    assert capsys.readouterr().err == ""
    assert progress_bar("embedding", quiet=True) is None


def test_reading_progress_counts_only_the_changed_files(tmp_path: Path) -> None:
    for name, text in synth_files(3000, 3).items():
        write_outline(tmp_path / "seeds", text, name=name)
    settings = Settings(seeds=(tmp_path / "seeds",), index_dir=tmp_path / "index")
    first, second = [], []
    build_index(
        settings, CountingEmbedder(), reading=lambda done, total: first.append((done, total))
    )
    edit_middle_bullet(tmp_path / "seeds" / "part-02.md")

    build_index(
        settings, CountingEmbedder(), reading=lambda done, total: second.append((done, total))
    )

    assert first == [(0, 3), (1, 3), (2, 3), (3, 3)] and second == [(0, 1), (1, 1)]


@pytest.fixture(scope="module")
def big_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """A 200k-line single-file outline indexed once with the counting fake."""
    folder = tmp_path_factory.mktemp("scale")
    text = synth_outline(200_000)
    settings = Settings(
        seeds=(write_outline(folder / "seeds", text, name="big.md"),), index_dir=folder / "index"
    )
    build_index(settings, CountingEmbedder())
    return settings, text


@pytest.mark.slow
def test_a_200k_line_outline_puts_every_line_in_chunks_that_fit(big_index) -> None:
    settings, text = big_index
    index = load_index(settings.index_dir)

    assert {line for c in index.chunks for line in c.lines} == content_lines(text)
    assert len({c.id for c in index.chunks}) == len(index.chunks) > 20_000
    sizes = CountingEmbedder().count_tokens([c.search_text for c in index.chunks])
    assert max(sizes) + SPECIAL_TOKENS <= 256


@pytest.mark.slow
def test_one_edit_in_a_200k_line_outline_re_embeds_only_chunks_holding_that_line(big_index) -> None:
    settings, _ = big_index
    before = {c.id: c.content_hash for c in load_index(settings.index_dir).chunks}
    edited = edit_middle_bullet(settings.seeds[0])
    embedder = CountingEmbedder()

    report = build_index(settings, embedder)

    index = load_index(settings.index_dir)
    holding = {c.search_text for c in index.chunks if edited in c.lines}
    edited_lines = {
        ln.context for ln in index.lines if "zebracorn" in ln.context
    }  # the line and those below it
    chunk_texts = [t for t in embedder.embedded_texts if t in holding]
    assert 0 < report.embedded == len(chunk_texts) <= 3
    assert set(embedder.embedded_texts) == set(chunk_texts) | (
        set(embedder.embedded_texts) & edited_lines
    )
    assert set(embedder.embedded_texts) & edited_lines  # only lines whose path holds the edit
    assert sum(before.get(c.id) != c.content_hash for c in index.chunks) == report.embedded
    assert edited in top_lines(index, "zebracorn")
    # Counted: a breadcrumb and a title per top-level section (the root's chunks list them) and the
    # edited section's lines; not the 200k lines.
    assert len(embedder.counted) < 15_000


@pytest.mark.slow
def test_one_edit_in_a_20_file_outline_parses_only_that_file(tmp_path: Path, monkeypatch) -> None:
    for name, text in synth_files(60_000, 20).items():
        write_outline(tmp_path / "seeds", text, name=name)
    settings = Settings(seeds=(tmp_path / "seeds",), index_dir=tmp_path / "index")
    build_index(settings, CountingEmbedder())
    edit_middle_bullet(tmp_path / "seeds" / "part-07.md")
    parsed = []
    real_outline = indexer.rechunk.Outline
    monkeypatch.setattr(
        indexer.rechunk,
        "Outline",
        lambda source, text: parsed.append(source) or real_outline(source, text),
    )

    report = build_index(settings, CountingEmbedder())

    assert [Path(s).name for s in parsed] == ["part-07.md"] and 0 < report.embedded <= 3


@pytest.mark.slow
@pytest.mark.model
def test_the_cli_shows_reading_and_embedding_counts_on_stderr_for_a_long_build(
    tmp_path: Path,
) -> None:
    for name, text in synth_files(60_000, 30).items():
        write_outline(tmp_path / "seeds", text, name=name)
    log = tmp_path / "stderr.txt"
    command = [
        str(VENV_PYTHON),
        "-m",
        "indexer",
        "--seeds",
        str(tmp_path / "seeds"),
        "--index",
        str(tmp_path / "index"),
    ]
    build = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 240
        while not re.search(r"embedding: .*\d+/\d+", log.read_text(errors="replace")):
            assert build.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        build.kill()
        build.wait()

    assert re.search(r"reading outlines: .*\d+/30 \[", log.read_text(errors="replace"))
