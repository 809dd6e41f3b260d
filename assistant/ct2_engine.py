"""The default CPU engine: the converted transformers folder, converted once more by CTranslate2
into an int8 copy beside it, streamed with `ctranslate2.Generator.generate_tokens`.

Loading reads only that copy (CTranslate2 weights, `tokenizer.json`, the chat template): no torch
or transformers, so a load from the cache takes ~0.2 s. Does not: run on CUDA (transformers does,
see `assistant.model`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any, Iterator, Sequence

from assistant.ct2_decode import constrained_steps, free_steps, text_pieces
from assistant.gguf_cache import INSTALL_HINT, build_once
from core.errors import ModelUnavailableError

# ctranslate2, tokenizers and jinja2 are imported inside functions: importing this module is free.

QUANTIZATION = "int8"
# One thread per stream: for SmolLM2-135M on the 2-core machine, 1 thread decoded 48 tok/s against
# 42 for CTranslate2's default and 33-42 for 2 (300-token prompt; prefill the same). Streams take
# turns anyway, and the other core keeps embedding and retrieval responsive.
THREADS = 1
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def ct2_folder(ref: str, cache_dir: Path) -> Path:
    """Where the CTranslate2 copy of `ref` lives: beside a folder in our cache
    (`…/models/SmolLM2-135M-Instruct.Q4_1-b179c9523d0e6a0f-ct2-int8`); for any other folder or
    Hub id, `…/models/<name>-<sha256(ref)[:16]>-ct2-int8`."""
    models = cache_dir / "models"
    path = Path(ref)
    if path.parent == models:
        return models / f"{path.name}-ct2-{QUANTIZATION}"
    digest = hashlib.sha256(ref.encode()).hexdigest()[:16]
    return models / f"{path.name or ref.replace('/', '--')}-{digest}-ct2-{QUANTIZATION}"


def ensure_ct2(ref: str, cache_dir: Path) -> tuple[Path, bool]:
    """Return (CTranslate2 folder, whether this call converted it; ~20 s on 2 cores)."""
    target = ct2_folder(ref, cache_dir)
    return target, build_once(target, lambda out: _convert(ref, out))


def _convert(ref: str, out: Path) -> None:
    from ctranslate2.converters import TransformersConverter
    from transformers import AutoTokenizer

    try:
        # force=True: `out` is the fresh temporary folder `build_once` made, so it already exists.
        TransformersConverter(ref, low_cpu_mem_usage=True).convert(
            str(out), quantization=QUANTIZATION, force=True
        )
        AutoTokenizer.from_pretrained(ref, local_files_only=True).save_pretrained(out)
    except (OSError, ValueError, KeyError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelUnavailableError(
            f"Cannot convert {ref!r} for CTranslate2 ({first_line}): {INSTALL_HINT}."
        ) from exc
    if not (out / "chat_template.jinja").is_file():  # older transformers keep it in the config
        config = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))
        (out / "chat_template.jinja").write_text(config["chat_template"], encoding="utf-8")


class Ct2Generator:
    """A CTranslate2 model that streams chat completions, one stream at a time
    (the same surface as `assistant.model.LocalGenerator`)."""

    def __init__(self, model: Any, tokenizer: Any, chat: "ChatTemplate", info: Any):
        self._model, self._tokenizer, self._chat, self.info = model, tokenizer, chat, info
        self.name = info.name
        # CTranslate2 takes tokens as strings: each id's name, looked up once (~15 ms).
        self._names = [tokenizer.id_to_token(i) for i in range(tokenizer.get_vocab_size())]
        self._eos = [tokenizer.token_to_id(chat.eos_token)]
        self._vocab: Any = None  # the constrain.Vocabulary, built on the first constrained stream
        # Streams take turns, as in LocalGenerator: two at once would each run at half speed.
        self._lock = threading.Lock()
        self.corrections = 0  # constrained steps re-decided (see ct2_decode); a diagnostic count

    def busy(self) -> bool:
        """True while a stream holds the model."""
        return self._lock.locked()

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's vocabulary."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        """The chat template applied to `messages`, ending with the assistant's turn, as ids."""
        text = self._chat.render(messages)
        return self._tokenizer.encode(text, add_special_tokens=False).ids

    def stream(
        self,
        messages: list[dict[str, str]],
        max_new_tokens: int = 256,
        allowed: Sequence[str] | None = None,
        attempt: int = 0,
    ) -> Iterator[str]:
        """Yield the answer's text pieces as tokens are generated. `allowed`: texts the answer may
        draw its tokens from (see `assistant.constrain`); None leaves it free. `attempt`: see
        `assistant.generator.Generator`. Closing the iterator stops generation; a call made while
        another stream runs waits for it."""
        if max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be 0 or more, not {max_new_tokens}")
        with self._lock:
            prompt = self.prompt_ids(messages)
            steps = (
                free_steps(self._model, self._names, prompt, max_new_tokens, attempt)
                if allowed is None
                else self._constrained(prompt, allowed, max_new_tokens, attempt)
            )
            yield from text_pieces(self._tokenizer, steps, self._eos)

    def _constrained(
        self, prompt: list[int], allowed: Sequence[str], max_new_tokens: int, attempt: int
    ) -> Iterator[int]:
        from assistant.constrain import Vocabulary, build_rule

        if self._vocab is None:
            self._vocab = Vocabulary.of(self._tokenizer, self._eos)
        rule = build_rule(self._tokenizer, self._vocab, allowed)
        for token, corrected in constrained_steps(
            self._model, self._names, prompt, rule, max_new_tokens, attempt
        ):
            self.corrections += corrected
            yield token


def open_ct2(folder: Path, threads: int = THREADS) -> tuple[Any, Any, "ChatTemplate"]:
    """(ctranslate2.Generator, tokenizers.Tokenizer, ChatTemplate) read from a CTranslate2 folder.
    `threads` 0 lets CTranslate2 choose."""
    import ctranslate2
    from tokenizers import Tokenizer

    try:
        model = ctranslate2.Generator(
            str(folder), device="cpu", compute_type=QUANTIZATION, intra_threads=threads
        )
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelUnavailableError(
            f"Cannot load the CTranslate2 model in {folder} ({exc}): "
            "delete that folder to convert it again."
        ) from exc
    return model, tokenizer, ChatTemplate.read(folder)


class ChatTemplate:
    """The folder's Jinja chat template, compiled as transformers compiles it (sandboxed,
    trim_blocks, lstrip_blocks) and given the same special tokens."""

    def __init__(self, source: str, specials: dict[str, str]):
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        self._template, self._specials = env.from_string(source), specials
        self.eos_token = specials["eos_token"]

    @classmethod
    def read(cls, folder: Path) -> "ChatTemplate":
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        source = (folder / "chat_template.jinja").read_text(encoding="utf-8")
        return cls(
            source,
            {k: config[k] for k in ("bos_token", "eos_token") if isinstance(config.get(k), str)},
        )

    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text, ending with the assistant's turn."""
        return self._template.render(
            messages=messages, add_generation_prompt=True, **self._specials
        )
