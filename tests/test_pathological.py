"""Hostile outlines and seed folders, each with one clear outcome: it is indexed and answerable, it
is skipped with a warning, or the build stops with a named `OutlineError` and the previous index
stays. Builds use the counting fake embedder; the huge-line window check uses the real tokenizer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import CountingEmbedder, content_lines, write_outline

import indexer.build
from core.errors import OutlineError
from core.settings import Settings
from indexer.build import BuildReport, build_index
from indexer.chunk import SPECIAL_TOKENS, chunk_file
from indexer.chunk_records import CHUNKS
from indexer.crumbs import PATH_STEPS
from indexer.outline import parse_outline
from indexer.store import Index, load_index
from retriever.search import Retriever

GOOD = "# Garden\n## Tomatoes\n- Water deeply twice a week\n## Roses\n- Prune in late winter\n"


def build(
    tmp_path: Path, embedder: CountingEmbedder | None = None
) -> tuple[Settings, BuildReport, Index]:
    settings = Settings(seeds=(tmp_path / "seeds",), index_dir=tmp_path / "index")
    report = build_index(settings, embedder or CountingEmbedder())
    return settings, report, load_index(settings.index_dir)


def covered(index: Index, source: str = "") -> set[int]:
    return {line for c in index.chunks if c.source.endswith(source) for line in c.lines}


def top_lines(index: Index, question: str) -> tuple[int, ...]:
    return Retriever(index, CountingEmbedder()).search(question, k=1, mode="lexical")[0].chunk.lines


def fits_window(index: Index, max_tokens: int = 256) -> bool:
    words = CountingEmbedder().count_tokens
    return all(
        n + SPECIAL_TOKENS <= max_tokens for n in words([c.search_text for c in index.chunks])
    )


def test_an_outline_nested_5000_levels_deep_builds_and_answers_without_recursion(
    tmp_path: Path,
) -> None:
    assert sys.getrecursionlimit() < 5000  # so any recursion per level would fail here
    text = "# Deep\n" + "".join(" " * level + f"- level {level}\n" for level in range(4999))
    text += " " * 4999 + "- the deepest needle\n"
    path = write_outline(tmp_path / "seeds", text)

    settings, report, index = build(tmp_path)

    assert covered(index) == content_lines(text)
    assert fits_window(index) and max(len(c.path) for c in index.chunks) <= PATH_STEPS
    assert (
        settings.index_dir / CHUNKS
    ).stat().st_size < path.stat().st_size  # no path copied per chunk
    assert 5001 in top_lines(index, "deepest needle")


def test_a_single_1mb_line_is_split_into_chunks_that_fit_and_stay_small(tmp_path: Path) -> None:
    huge = " ".join(f"w{n}" for n in range(150_000))
    assert len(huge) > 1_000_000
    write_outline(tmp_path / "seeds", f"# Big\n- {huge}\n- after\n")

    settings, _, index = build(tmp_path)

    assert covered(index) == {1, 2, 3} and fits_window(index)
    assert (settings.index_dir / CHUNKS).stat().st_size < 3 * len(
        huge
    )  # the line is not copied per chunk
    assert 2 in top_lines(index, "w123456")


@pytest.mark.model
def test_a_1mb_line_of_dense_symbols_fits_the_real_model_window(real_embedder) -> None:
    line = ("QmFzZTY0+/x9" * 90_000)[
        :1_000_000
    ]  # base64-like: the tokenizer splits it at every + and /
    count, limit = real_embedder.count_tokens, real_embedder.max_tokens

    chunks = chunk_file(parse_outline(f"# Blob\n- {line}\n", "b.md"), count, 128, limit).chunks

    assert {2} <= {line for c in chunks for line in c.lines}
    assert max(count([c.search_text for c in chunks])) + SPECIAL_TOKENS <= limit


def test_100000_sibling_bullets_are_all_indexed_and_findable(tmp_path: Path) -> None:
    text = "# Siblings\n" + "".join(f"- item {n}\n" for n in range(100_000))
    write_outline(tmp_path / "seeds", text)

    _, report, index = build(tmp_path)

    assert covered(index) == set(range(1, 100_002))
    assert len({c.id for c in index.chunks}) == report.chunks and fits_window(index)
    assert 73_514 in top_lines(index, "item 73512")


def test_a_file_of_only_headings_indexes_every_heading(tmp_path: Path) -> None:
    text = "".join(f"{'#' * (1 + n % 6)} Heading number {n}\n" for n in range(3000))
    write_outline(tmp_path / "seeds", text)

    _, _, index = build(tmp_path)

    assert covered(index) == set(range(1, 3001))
    assert 2468 in top_lines(index, "2467")


def test_an_outline_emptied_to_blank_lines_stops_the_build_and_keeps_the_old_index(
    tmp_path: Path,
) -> None:
    path = write_outline(tmp_path / "seeds", GOOD)
    settings, _, old = build(tmp_path)
    write_outline(tmp_path / "seeds", b"\xef\xbb\xbf\r\n   \r\n\t\n\x0c\n\n")

    with pytest.raises(OutlineError, match="nothing to index"):
        build_index(settings, CountingEmbedder())

    assert load_index(settings.index_dir).manifest == old.manifest and path.exists()


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (b"# A\n- fine\n- nul \x00 inside\n- after\n", 3, "NUL byte"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", 3, "NUL byte"),
        (b"# A\n- fine\n- caf\xe9 latin-1 in the middle\n- after\n", 3, "UTF-8"),
        (b"# A\n- fine\n- cut short \xe2\x82", 3, "UTF-8"),
    ],
)
def test_binary_or_non_utf8_content_stops_the_build_naming_file_and_line(
    tmp_path: Path, content: bytes, line: int, says: str
) -> None:
    write_outline(tmp_path / "seeds", GOOD)
    settings, _, old = build(tmp_path)
    bad = write_outline(tmp_path / "seeds", content, name="bad.md")

    with pytest.raises(OutlineError, match=says) as caught:
        build_index(settings, CountingEmbedder())

    assert (caught.value.path, caught.value.line) == (str(bad), line)
    assert load_index(settings.index_dir).manifest == old.manifest


def test_symlink_loops_and_dangling_links_in_a_seed_folder_are_skipped_with_warnings(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    write_outline(seeds, GOOD, name="good.md")
    (seeds / "loop").symlink_to(seeds, target_is_directory=True)
    (seeds / "self.md").symlink_to(seeds / "self.md")
    (seeds / "a.md").symlink_to(seeds / "b.md")
    (seeds / "b.md").symlink_to(seeds / "a.md")
    (seeds / "dangling.md").symlink_to(tmp_path / "nowhere.md")

    _, report, index = build(tmp_path)

    assert {Path(c.source).name for c in index.chunks} == {"good.md"}
    skipped = [w for w in report.warnings if "broken symbolic link" in w]
    assert sorted(Path(w.split(":")[0]).name for w in skipped) == [
        "a.md",
        "b.md",
        "dangling.md",
        "self.md",
    ]


@pytest.mark.parametrize("moment", ["after listing", "after hashing"])
def test_a_file_deleted_while_indexing_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    write_outline(tmp_path / "seeds", GOOD, name="stays.md")
    doomed = write_outline(tmp_path / "seeds", "# Doomed\n- gone soon\n", name="doomed.md")
    step = "list_outline_files" if moment == "after listing" else "file_sha256"
    real = getattr(indexer.build, step)

    def then_delete(*args):
        result = real(*args)
        if doomed.exists() and (step == "list_outline_files" or args[0] == doomed):
            doomed.unlink()
        return result

    monkeypatch.setattr(indexer.build, step, then_delete)

    _, report, index = build(tmp_path)

    assert any("doomed.md" in w and "disappeared" in w for w in report.warnings)
    assert {Path(c.source).name for c in index.chunks} == {"stays.md"}
    assert [Path(s).name for s in index.manifest.sources] == ["stays.md"]


@pytest.mark.parametrize(
    ("before", "after"), [("notes.md", "renamed.md"), ("team/notes.md", "group/notes.md")]
)
def test_a_renamed_outline_is_removed_and_added_with_no_stale_chunks(
    tmp_path: Path, before: str, after: str
) -> None:
    seeds = tmp_path / "seeds"
    write_outline(seeds, GOOD, name="other.md")
    write_outline(
        seeds, "# Kitchen\n## Knives\n- Sharpen weekly\n## Pans\n- Season cast iron\n", name=before
    )
    build(tmp_path)
    (seeds / after).parent.mkdir(exist_ok=True)
    os.rename(seeds / before, seeds / after)

    embedder = CountingEmbedder()
    _, report, index = build(tmp_path, embedder)

    sources = {Path(c.source).relative_to(seeds).as_posix() for c in index.chunks}
    assert sources == {"other.md", after}
    assert not [s for s in index.manifest.sources if s.endswith(before)]
    moved = [c for c in index.chunks if c.source.endswith(after)]
    assert (
        report.removed == report.added == len(moved) and embedder.calls == 0
    )  # same text: vectors re-used
