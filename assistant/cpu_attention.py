"""An attention choice for bfloat16 on CPU: torch's SDPA for the prompt, plain matmuls for each
new token. SDPA's CPU kernel is fast on long queries but slow on one-token queries in bf16.

Measured (same method as bench/bench_model.py) with SmolLM2-135M, one thread, a 1,100-token
prompt, in CPU-seconds so other load on the machine does not count: sdpa 1.45 s prefill and
16 tok/s decode, eager 2.8 s and 25 tok/s, this 1.45 s and 25 tok/s.
Does not: change float32 (there SDPA is faster throughout) or CUDA.
"""
from __future__ import annotations

from typing import Any

NAME = "branchwise_cpu_bf16"
# Decoding falls back to SDPA when the model asks for anything the plain path does not do.
_SDPA_ONLY_KWARGS = ("softcap", "sliding_window", "s_aux")


def register() -> str:
    """Register the attention function and its mask with transformers (idempotent); returns the
    name to pass as `attn_implementation`."""
    # Imported here: transformers takes ~1.5 s, and importing this module must not.
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import sdpa_mask

    AttentionInterface.register(NAME, prefill_sdpa_decode_matmul)
    AttentionMaskInterface.register(NAME, sdpa_mask)
    return NAME


def prefill_sdpa_decode_matmul(module: Any, query: Any, key: Any, value: Any, attention_mask: Any,
                               scaling: float | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """transformers' attention signature: (batch, heads, q_len, head_dim) tensors in, attention
    output as (batch, q_len, heads, head_dim) and weights out."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if query.shape[2] != 1 or attention_mask is not None or any(
            kwargs.get(name) is not None for name in _SDPA_ONLY_KWARGS):
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, scaling=scaling, **kwargs)
    groups = query.shape[1] // key.shape[1]  # grouped-query attention: repeat the shared heads
    key, value = key.repeat_interleave(groups, dim=1), value.repeat_interleave(groups, dim=1)
    scale = query.shape[-1] ** -0.5 if scaling is None else scaling
    scores = (query @ key.transpose(2, 3)) * scale
    weights = scores.float().softmax(dim=-1).to(query.dtype)  # softmax in fp32, as eager does
    return (weights @ value).transpose(1, 2).contiguous(), weights
