"""Which engine, device and dtype a load uses, from `Settings.engine`, `.device` and `.dtype`.

Does not: load anything. torch and ctranslate2 are imported only inside the functions that must
ask them (whether a GPU is visible), so importing this module is free.
"""

from __future__ import annotations

import importlib.util

from core.errors import ModelUnavailableError

ENGINES = ("auto", "ctranslate2", "transformers")
_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
}


def resolve_device(device: str) -> str:
    """ "auto" → "cuda" when torch sees a GPU, else "cpu"; other names pass through, checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelUnavailableError(
            "No CUDA GPU is visible to torch: set BRANCHWISE_DEVICE=cpu or auto."
        )
    return device


def resolve_engine(engine: str, device: str) -> tuple[str, str]:
    """(engine, device): "auto" → CTranslate2 on CPU when it is installed, else transformers.

    CUDA stays with transformers. Deciding CPU for "auto" asks CTranslate2 (no torch import) first,
    so the default CPU load never pays torch's ~1.5 s start-up."""
    if engine not in ENGINES:
        raise ModelUnavailableError(
            f"Unknown engine {engine!r}: set BRANCHWISE_ENGINE to "
            "auto, ctranslate2 or transformers."
        )
    has_ct2 = importlib.util.find_spec("ctranslate2") is not None
    if engine == "ctranslate2":
        if not has_ct2:
            raise ModelUnavailableError(
                "ctranslate2 is not installed: run `pip install "
                "ctranslate2` or set BRANCHWISE_ENGINE=transformers."
            )
        if device.startswith("cuda"):
            raise ModelUnavailableError(
                "The ctranslate2 engine runs on CPU here: set "
                "BRANCHWISE_DEVICE=cpu, or BRANCHWISE_ENGINE=transformers."
            )
        return "ctranslate2", "cpu"
    if engine == "auto" and has_ct2 and (device == "cpu" or device == "auto" and not _ct2_cuda()):
        return "ctranslate2", "cpu"
    device = resolve_device(device)
    if engine == "auto" and has_ct2 and device == "cpu":  # a GPU torch cannot use
        return "ctranslate2", "cpu"
    return "transformers", device


def _ct2_cuda() -> bool:
    import ctranslate2  # ~0.1 s; torch would take ~1.5 s to answer the same question

    return ctranslate2.get_cuda_device_count() > 0


def resolve_dtype(dtype: str, device: str) -> str:
    """For the transformers engine: "auto" → bfloat16 (float16 on pre-Ampere GPUs) on CUDA,
    float32 on CPU (the CPU default engine is CTranslate2; bf16 there needs a custom attention to
    beat fp32, which was dropped with it). Aliases such as "bf16" → "bfloat16"."""
    if dtype == "auto":
        if not device.startswith("cuda"):
            return "float32"
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if dtype.lower() not in _DTYPES:
        raise ModelUnavailableError(
            f"Unknown dtype {dtype!r}: set BRANCHWISE_DTYPE to auto, float32, bfloat16 or float16."
        )
    return _DTYPES[dtype.lower()]
