"""indexer.build and indexer.store: incremental updates embed only what changed, and loading an
index checks its format, model and files. Uses the counting fake embedder (no model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_OUTLINE, CountingEmbedder, write_outline

from core.errors import IndexMismatchError, IndexMissingError
from core.settings import Settings
from indexer.build import build_index
from indexer.chunk_records import BRANCHES, CHUNKS
from indexer.lexical import TERMS, VOCABULARY
from indexer.manifest import MANIFEST
from indexer.markup import plain
from indexer.records import Row
from indexer.store import DENSE, LINES, load_index

SMALL = (
    "# Garden\n## Tomatoes\n- Water deeply twice a week\n- Stake when thirty centimetres tall\n"
    "## Roses\n- Prune in late winter\n- Feed with potash in spring\n"
    "## Compost\n- Turn the heap monthly\n- Keep it as damp as a wrung sponge\n"
)


def settings_for(tmp_path: Path, *seeds: Path, chunk_tokens: int = 128) -> Settings:
    return Settings(
        seeds=seeds or (tmp_path / "seeds",),
        index_dir=tmp_path / "index",
        chunk_tokens=chunk_tokens,
    )


def build(settings: Settings, **options) -> tuple[CountingEmbedder, object]:
    """Build with a fresh counting embedder: (embedder, report)."""
    embedder = CountingEmbedder()
    return embedder, build_index(settings, embedder, **options)


def embedded_lines(embedder: CountingEmbedder, index) -> set[str]:
    """The texts the build embedded for the line index (the rest were chunk texts)."""
    return set(embedder.embedded_texts) - {c.search_text for c in index.chunks}


def replace_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Settings:
    """The real seed outline copied to tmp, indexed once with the counting embedder."""
    shutil.copy(SEED_OUTLINE, write_outline(tmp_path / "seeds", "", name=SEED_OUTLINE.name))
    settings = settings_for(tmp_path)
    build(settings)
    return settings


def test_a_first_build_embeds_every_distinct_chunk_text_once(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path, chunk_tokens=16)

    embedder, report = build(settings)

    index = load_index(settings.index_dir, embedder.model_id)
    chunks = index.chunks
    assert report.chunks == len(chunks) == 4
    assert report.embedded == len(embedder.embedded_texts) - len(index.lines) == 4
    assert sorted(embedder.embedded_texts) == sorted(
        [c.search_text for c in chunks] + [line.context for line in index.lines]
    )
    assert len(index.lines) == len(SMALL.strip().split("\n"))  # every outline line, once


def test_a_loaded_index_holds_each_chunks_rows(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path, chunk_tokens=16)
    build(settings)

    chunks = load_index(settings.index_dir).chunks

    tomatoes = next(c for c in chunks if c.path[-1] == "Tomatoes")
    assert tomatoes.rows == (
        Row(2, 0, "Tomatoes"),
        Row(3, 1, "Water deeply twice a week"),
        Row(4, 1, "Stake when thirty centimetres tall"),
    )


def test_an_unchanged_outline_embeds_nothing(seed_copy: Settings) -> None:
    embedder, report = build(seed_copy)

    assert embedder.calls == 0
    assert report.embedded == 0 and report.removed == 0
    assert report.unchanged == report.chunks == len(load_index(seed_copy.index_dir).chunks)


def test_editing_one_bullet_re_embeds_exactly_the_chunks_holding_its_line(
    seed_copy: Settings,
) -> None:
    path = seed_copy.seeds[0] / SEED_OUTLINE.name
    before = load_index(seed_copy.index_dir)
    old = {c.id: c.content_hash for c in before.chunks}
    number, line = next(
        (n, line)
        for n, line in enumerate(path.read_text().split("\n"), 1)
        if n > 1200 and line.lstrip().startswith("- ") and len(line.split()) > 3
    )

    replace_line(path, number, line.rsplit(" ", 1)[0] + " zebra")
    embedder, report = build(seed_copy)

    index = load_index(seed_copy.index_dir)
    chunks = index.chunks
    holding = {c.search_text for c in chunks if number in c.lines}
    new_lines = {ln.context for ln in index.lines} - {ln.context for ln in before.lines}
    assert holding and set(embedder.embedded_texts) == holding | new_lines
    assert {ln.line for ln in index.lines if ln.context in new_lines} >= {number}
    assert embedded_lines(embedder, index) == new_lines  # the edited line and any lines below it
    assert report.embedded == len(holding) and report.removed == 0
    assert {c.id for c in chunks} == set(old)
    assert {c.id for c in chunks if old[c.id] != c.content_hash} == {
        c.id for c in chunks if number in c.lines
    }


def test_an_edit_re_chunks_only_its_section_and_the_index_equals_a_rebuild(
    seed_copy: Settings, tmp_path: Path
) -> None:
    path = seed_copy.seeds[0] / SEED_OUTLINE.name
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(
        n for n, line in enumerate(lines, 1) if n > 900 and line.lstrip().startswith("- ")
    )
    lines.insert(
        number, lines[number - 1].replace("- ", "- zebra ", 1)
    )  # a new line: all below shift
    path.write_text("\n".join(lines), encoding="utf-8")

    embedder = CountingEmbedder()
    build_index(seed_copy, embedder)
    rebuilt = settings_for(tmp_path / "fresh", seed_copy.seeds[0])
    build_index(rebuilt, CountingEmbedder())

    updated, fresh = load_index(seed_copy.index_dir), load_index(rebuilt.index_dir)
    assert updated.chunks == fresh.chunks
    first_bullet = next(line for line in lines if line.startswith("- "))
    assert any("zebra" in text for text in embedder.counted)
    assert (
        0 < len(embedder.counted) < len(lines) // 5
    )  # the edited section's lines and titles, not the file
    assert (
        plain(first_bullet[2:]) not in embedder.counted
    )  # another section: neither parsed nor counted


@pytest.mark.parametrize(
    "damage",
    [
        lambda stored: "{not json",
        lambda stored: json.dumps(
            {source: [["x"] * 3 for _ in rows] for source, rows in stored.items()}
        ),
        lambda stored: json.dumps(
            {
                source: [[*row[:5], 10**6, row[6]] for row in rows]  # chunks past the end
                for source, rows in stored.items()
            }
        ),
    ],
    ids=["not json", "wrong fields", "out of range"],
)
def test_a_damaged_branches_file_only_costs_re_chunking(
    seed_copy: Settings, tmp_path: Path, damage
) -> None:
    branches = seed_copy.index_dir / BRANCHES
    branches.write_text(damage(json.loads(branches.read_text(encoding="utf-8"))), encoding="utf-8")
    path = seed_copy.seeds[0] / SEED_OUTLINE.name
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n- ", "\n- zebra ", 1), encoding="utf-8"
    )

    build_index(seed_copy, CountingEmbedder())
    rebuilt = settings_for(tmp_path / "fresh", seed_copy.seeds[0])
    build_index(rebuilt, CountingEmbedder())

    assert load_index(seed_copy.index_dir).chunks == load_index(rebuilt.index_dir).chunks


def test_deleting_lines_removes_their_chunks(tmp_path: Path) -> None:
    path = write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path, chunk_tokens=16)
    build(settings)
    roses = [c.id for c in load_index(settings.index_dir).chunks if c.path[-1] == "Roses"]

    path.write_text(
        SMALL.replace("## Roses\n- Prune in late winter\n- Feed with potash in spring\n", "")
    )
    embedder, report = build(settings)

    chunks = load_index(settings.index_dir).chunks
    assert len(roses) == 1 and report.removed == 1
    assert roses[0] not in {c.id for c in chunks}
    assert not any("Roses" in c.text or "potash" in c.text for c in chunks)
    assert embedder.embedded_texts == [c.search_text for c in chunks if c.path == ("Garden",)]


def test_adding_a_file_embeds_only_its_chunks(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL, name="garden.md")
    settings = settings_for(tmp_path)
    build(settings)

    write_outline(tmp_path / "seeds", "# Kitchen\n- Sharpen knives weekly\n", name="kitchen.md")
    embedder, report = build(settings)

    index = load_index(settings.index_dir)
    chunks = index.chunks
    new = [c for c in chunks if c.source.endswith("kitchen.md")]
    assert len(new) == 1 and report.added == 1 and report.embedded == 1
    assert embedder.embedded_texts == [
        new[0].search_text,
        "Kitchen",
        "Kitchen > Sharpen knives weekly",
    ]
    assert len(chunks) == 2


def test_removing_a_file_leaves_no_stale_chunks(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL, name="garden.md")
    kitchen = write_outline(
        tmp_path / "seeds", "# Kitchen\n- Sharpen knives weekly\n", name="kitchen.md"
    )
    settings = settings_for(tmp_path, chunk_tokens=16)
    build(settings)

    kitchen.unlink()
    embedder, report = build(settings)

    index = load_index(settings.index_dir)
    assert report.removed == 1 and embedder.calls == 0
    assert all(c.source.endswith("garden.md") for c in index.chunks)
    assert [Path(s).name for s in index.manifest.sources] == ["garden.md"]
    assert "Sharpen" not in " ".join(c.text for c in index.chunks)


def test_rebuild_re_embeds_everything(seed_copy: Settings) -> None:
    embedder, report = build(seed_copy, rebuild=True)

    index = load_index(seed_copy.index_dir)
    assert report.embedded == report.chunks == len(index.chunks)
    assert sorted(embedder.embedded_texts) == sorted(
        {c.search_text for c in index.chunks} | {line.context for line in index.lines}
    )


def test_another_embedding_model_triggers_a_full_rebuild(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path)
    build(settings)

    other = CountingEmbedder(model_id="other-fake", dimension=32)
    report = build_index(settings, other)

    assert (
        report.embedded == report.chunks == other.calls == 1
    )  # one batch: the chunk and the lines
    assert load_index(settings.index_dir, "other-fake").manifest.dimension == 32


def test_stored_vectors_are_the_embedder_vectors_of_each_chunk(tmp_path: Path) -> None:
    write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path, chunk_tokens=16)
    build(settings)
    index = load_index(settings.index_dir)

    stored = index.vectors()

    expected = CountingEmbedder().embed([c.search_text for c in index.chunks])
    assert np.allclose(np.stack([stored[c.content_hash] for c in index.chunks]), expected)
    lines = index.line_vectors()
    assert np.allclose(
        np.stack([lines[ln.context] for ln in index.lines]),
        CountingEmbedder().embed([ln.context for ln in index.lines]),
    )


# Loading checks -----------------------------------------------------------------------------------


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    write_outline(tmp_path / "seeds", SMALL)
    settings = settings_for(tmp_path, chunk_tokens=16)
    build(settings)
    return settings.index_dir


def set_manifest(folder: Path, **changes) -> None:
    data = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps({**data, **changes}))


def test_a_missing_index_raises_index_missing_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as caught:
        load_index(tmp_path / "index")

    assert "python -m indexer" in str(caught.value)


def test_another_format_version_raises_a_mismatch_saying_how_to_rebuild(small_index: Path) -> None:
    set_manifest(small_index, format_version=99)

    with pytest.raises(IndexMismatchError) as caught:
        load_index(small_index)

    assert "python -m indexer --rebuild" in str(caught.value) and "99" in str(caught.value)


def test_another_embedding_model_raises_a_mismatch_saying_how_to_rebuild(small_index: Path) -> None:
    with pytest.raises(IndexMismatchError) as caught:
        load_index(small_index, "all-MiniLM-L6-v2")

    assert "python -m indexer --rebuild" in str(caught.value) and "counting-fake" in str(
        caught.value
    )


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage{")


CORRUPTIONS = {
    "manifest not json": lambda f: _garbage(f / MANIFEST),
    "manifest missing a field": lambda f: (f / MANIFEST).write_text(
        json.dumps(
            {k: v for k, v in json.loads((f / MANIFEST).read_text()).items() if k != "chunks"}
        )
    ),
    "chunks missing": lambda f: (f / CHUNKS).unlink(),
    "chunks not json": lambda f: _garbage(f / CHUNKS),
    "a chunk record dropped": lambda f: (f / CHUNKS).write_text(
        "".join((f / CHUNKS).read_text().splitlines(keepends=True)[1:])
    ),
    "chunk records without rows": lambda f: (f / CHUNKS).write_text(
        "".join(
            json.dumps({k: v for k, v in json.loads(line).items() if k != "rows"}) + "\n"
            for line in (f / CHUNKS).read_text().splitlines()
        )
    ),
    "vectors missing": lambda f: (f / DENSE).unlink(),
    "vectors corrupt": lambda f: _garbage(f / DENSE),
    "line vectors missing": lambda f: (f / LINES).unlink(),
    "lexical index missing": lambda f: (f / TERMS).unlink(),
    "lexical index corrupt": lambda f: _garbage(f / TERMS),
    "lexical vocabulary corrupt": lambda f: _garbage(f / VOCABULARY),
    "dimension changed": lambda f: set_manifest(f, dimension=16),
}


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_damaged_index_raises_a_mismatch_saying_how_to_rebuild(small_index: Path, damage) -> None:
    damage(small_index)

    with pytest.raises(IndexMismatchError) as caught:
        load_index(small_index)

    assert "python -m indexer --rebuild" in str(caught.value)


def test_building_over_a_damaged_index_rebuilds_it(small_index: Path, tmp_path: Path) -> None:
    _garbage(small_index / DENSE)

    embedder, report = build(settings_for(tmp_path, chunk_tokens=16))

    assert report.embedded == report.chunks == len(load_index(small_index).chunks)
