"""The one frozen `Settings` for every entry point; only `Settings.from_env()` reads the
environment.

Precedence: command-line flags (applied with `dataclasses.replace`) > `BRANCHWISE_*` variables
> defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import BranchwiseError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "branchwise"


@dataclass(frozen=True)
class Settings:
    seeds: tuple[Path, ...] = (REPO_ROOT / "seeds",)
    index_dir: Path = REPO_ROOT / "index"
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    # Soft target for a chunk's size in word-pieces; the model's max sequence length is the hard
    # cap.
    chunk_tokens: int = 128
    top_k: int = 5
    generator_model: str = ""  # "" = the bundled SmolLM2-135M-Instruct GGUF
    device: str = "auto"
    dtype: str = "auto"
    engine: str = "auto"  # "auto" | "ctranslate2" | "transformers" (see assistant/model.py)
    cache_dir: Path = field(default_factory=_default_cache)
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_concurrency: int = (
        1  # answers streamed from the model server at once (see assistant/remote.py)
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        overrides: dict[str, object] = {}
        if env.get("BRANCHWISE_SEEDS"):
            overrides["seeds"] = tuple(Path(p) for p in env["BRANCHWISE_SEEDS"].split(":") if p)
        text_vars = {
            "BRANCHWISE_EMBEDDING_MODEL": "embedding_model",
            "BRANCHWISE_MODEL": "generator_model",
            "BRANCHWISE_DEVICE": "device",
            "BRANCHWISE_DTYPE": "dtype",
            "BRANCHWISE_ENGINE": "engine",
            "BRANCHWISE_LLM_URL": "llm_url",
            "BRANCHWISE_LLM_MODEL": "llm_model",
            "BRANCHWISE_LLM_API_KEY": "llm_api_key",
        }
        overrides.update({name: env[var] for var, name in text_vars.items() if env.get(var)})
        if env.get("BRANCHWISE_INDEX"):
            overrides["index_dir"] = Path(env["BRANCHWISE_INDEX"])
        if env.get("BRANCHWISE_CACHE"):
            overrides["cache_dir"] = Path(env["BRANCHWISE_CACHE"])
        numbers = {"BRANCHWISE_TOP_K": "top_k", "BRANCHWISE_LLM_CONCURRENCY": "llm_concurrency"}
        overrides.update(
            {name: _positive(var, env[var]) for var, name in numbers.items() if env.get(var)}
        )
        return cls(**overrides)


def _positive(variable: str, value: str) -> int:
    """A whole number of 1 or more, or an error naming the variable.

    >>> _positive("BRANCHWISE_TOP_K", " 8 ")
    8
    """
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise BranchwiseError(f"{variable} must be a whole number of 1 or more, not {value!r}")
    return number
