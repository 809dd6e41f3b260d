"""Shared test fakes and fixtures. Import the fakes with
`from conftest import CountingEmbedder, write_outline`.

- `CountingEmbedder`: a deterministic, model-free `Embedder` that counts what it embeds.
- `write_outline(tmp_path, text, name)`: writes an outline file byte-for-byte (CRLF and BOM
  survive).
- `content_lines(text)`: the line numbers an index must cover (what "no line dropped" means).
- `shared_file(name)`: a file of the shared question sets (../shared, or $BRANCHWISE_SHARED), else
  a skip.
- `real_embedder` (session): the bundled all-MiniLM-L6-v2, loaded once.
- `seed_index` (session): the real seed outline indexed once into a temporary folder →
  (Settings, Retriever).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO_ROOT / "seeds"
SEED_OUTLINE = SEEDS_DIR / "aws_solution_architecture.md"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"

# Models load from local files only, for every test and every subprocess a test starts.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
if (
    str(REPO_ROOT) not in sys.path
):  # `pytest` (not `python -m pytest`) does not put the repo on sys.path
    sys.path.insert(0, str(REPO_ROOT))

from core.settings import Settings  # noqa: E402
from core.startup import start  # noqa: E402
from indexer.lines import OutlineLine  # noqa: E402

start()

_WORD = re.compile(r"\w+")
_THEMATIC_BREAK = re.compile(
    r"^ {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$"
)  # or a setext "===": no content


class CountingEmbedder:
    """Fake `Embedder`: a bag-of-hashed-words vector, so texts sharing words are similar.

    `count_tokens` is the whitespace word count; `calls` counts `embed` calls and `embedded_texts`
    records every text embedded, in order; `counted` every text whose tokens were counted (what the
    chunker parsed and measured).

    >>> fake = CountingEmbedder()
    >>> vectors = fake.embed(["s3 bucket policy", "bucket policy"])
    >>> fake.calls, fake.embedded_texts, vectors.shape
    (1, ['s3 bucket policy', 'bucket policy'], (2, 64))
    """

    def __init__(self, max_tokens: int = 256, dimension: int = 64, model_id: str = "counting-fake"):
        self.model_id, self.dimension, self.max_tokens = model_id, dimension, max_tokens
        self.calls = 0
        self.embedded_texts: list[str] = []
        self.counted: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.embedded_texts.extend(texts)
        return (
            np.stack([self._vector(t) for t in texts])
            if texts
            else np.zeros((0, self.dimension), np.float32)
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self.counted.extend(texts)
        return [len(text.split()) for text in texts]

    def known_words(self) -> frozenset[str]:
        return frozenset()

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()) or [text]:
            digest = hashlib.sha256(word.encode()).digest()
            vector[digest[0] % self.dimension] += 1.0 if digest[1] % 2 else -1.0
        if not vector.any():
            vector[0] = 1.0
        return vector / np.linalg.norm(vector)


def write_outline(tmp_path: Path, text: str | bytes, name: str = "notes.md") -> Path:
    """Write `text` to tmp_path/name exactly as given (no newline translation) and return the
    path."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def path_line(*path: str) -> OutlineLine:
    """An outline line with this path (its text the last step), at line `len(path)`."""
    return OutlineLine("notes.md", len(path), path, 0)


def content_lines(text: str) -> set[int]:
    """1-based lines that must reach the tree: non-blank and not a thematic break, or inside a
    fence.

    >>> sorted(content_lines("# A\\n\\n---\\n- b\\n"))
    [1, 4]
    """
    found, fence = set(), None
    # A final newline ends the last line; it does not start another.
    for number, line in enumerate(
        text.replace("\r\n", "\n").removesuffix("\n").split("\n"), start=1
    ):
        stripped = line.strip()
        if fence or stripped.startswith(("```", "~~~")):
            found.add(number)
            fence = None if fence and stripped.startswith(fence) else (fence or stripped[:3])
        elif stripped and not _THEMATIC_BREAK.match(line):
            found.add(number)
    return found


def shared_file(name: str) -> Path:
    """`name` (e.g. "eval/dev.jsonl") in the shared folder beside the clone, or in
    $BRANCHWISE_SHARED; a test that needs a missing one is skipped, saying where it looked."""
    folder = Path(os.environ.get("BRANCHWISE_SHARED") or REPO_ROOT.parent / "shared")
    path = folder / name
    if not path.is_file():
        pytest.skip(
            f"needs {path}, not found: put the shared question sets in ../shared beside the clone, "
            "or set BRANCHWISE_SHARED=<dir> to point elsewhere"
        )
    return path


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled sentence-transformers model, loaded once per session (offline)."""
    from indexer.embed import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])  # load now, so the first test using it does not pay alone
    return embedder


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, real_embedder):
    """The repo's seed outline indexed once with the real model: (Settings, Retriever)."""
    from indexer.build import build_index
    from indexer.store import load_index
    from retriever.search import Retriever

    settings = Settings(
        seeds=(SEEDS_DIR,), index_dir=tmp_path_factory.mktemp("seed-index") / "index"
    )
    build_index(settings, real_embedder)
    return settings, Retriever(
        load_index(settings.index_dir, real_embedder.model_id), real_embedder
    )


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """app.py in an AppTest session on the garden outline, run once (see app_session.py)."""
    from app_session import App  # here: it imports Streamlit, which most tests need not

    return App(tmp_path, monkeypatch).run()


def extractive_answer(seed_index, question: str):
    """The app's extractive answer to a question on the seed (`seed_index`)."""
    from assistant.pipeline import Assistant

    settings, retriever = seed_index
    return Assistant(retriever, None, settings).ask(question, mode="extractive").answer
