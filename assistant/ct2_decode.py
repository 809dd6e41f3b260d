"""Greedy token loops over a `ctranslate2.Generator`, free or under a `constrain.TokenRule`, and
the detokenizer that turns token ids into streamed text pieces.

CTranslate2 4.x has no Python logits-processor hook (measured on 4.8.5: `generate_tokens` takes
`suppress_sequences`, `end_token` and a stop-only `callback`). A rule is applied in two layers:
every token no state of the rule allows is suppressed for the whole run (one static list); the
context-dependent part (digits only inside "[n]") is checked on each token before it is yielded,
and a refused token is replaced by re-deciding that one step with everything else suppressed, then
resuming. Each correction re-reads the prompt (two prefills: ~0.25 s each at 300 tokens), but the
text never holds a refused token.
Does not: load models or build rules.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

REPETITION_PENALTY = 1.1  # the same as the transformers engine's


def free_steps(model: Any, names: Sequence[str], prompt: list[int],
               max_new_tokens: int) -> Iterator[int]:
    """Token ids as they are generated (the end-of-answer token is not yielded)."""
    if max_new_tokens == 0:
        return
    for step in model.generate_tokens([names[i] for i in prompt], max_length=max_new_tokens,
                                      repetition_penalty=REPETITION_PENALTY):
        yield step.token_id


def constrained_steps(model: Any, names: Sequence[str], prompt: list[int], rule: Any,
                      max_new_tokens: int) -> Iterator[tuple[int, bool]]:
    """(token id, whether a correction chose it) for each generated token; every token is one
    `rule.permits` after the tokens before it."""
    generated: list[int] = []
    static = suppressed(names, rule.reachable())
    while len(generated) < max_new_tokens:
        refused = False
        run = model.generate_tokens(
            [names[i] for i in prompt + generated], max_length=max_new_tokens - len(generated),
            repetition_penalty=REPETITION_PENALTY, suppress_sequences=static)
        try:
            for step in run:
                if not rule.permits(generated, step.token_id):
                    refused = True
                    break
                generated.append(step.token_id)
                yield step.token_id, False
        finally:
            run.close()  # stops CTranslate2's decoding thread
        if not refused:
            return  # end of answer or max_new_tokens
        chosen = _one_step(model, names, prompt + generated, rule.allowed_next(generated))
        if chosen is None:
            return  # the rule's best token was the end of the answer
        generated.append(chosen)
        yield chosen, True


def _one_step(model: Any, names: Sequence[str], context: list[int],
              allowed: frozenset[int]) -> int | None:
    steps = model.generate_tokens([names[i] for i in context], max_length=1,
                                  repetition_penalty=REPETITION_PENALTY,
                                  suppress_sequences=suppressed(names, allowed))
    return next((step.token_id for step in steps), None)


def suppressed(names: Sequence[str], allowed: frozenset[int]) -> list[list[str]]:
    """Every token outside `allowed`, as one-token sequences (~35 ms for 49,000 tokens).

    >>> suppressed(["a", "b", "c"], frozenset({1}))
    [['a'], ['c']]
    """
    return [[name] for i, name in enumerate(names) if i not in allowed]


def text_pieces(tokenizer: Any, ids: Iterable[int], eos: Sequence[int]) -> Iterator[str]:
    """Text as it grows, one piece per token where possible: the whole answer is decoded again
    each step (BPE merges bytes across tokens) and a piece that ends inside a multi-byte
    character waits for the next token.

    Closing this iterator closes `ids`, which stops the model."""
    done: list[int] = []
    shown = ""
    try:
        for token in ids:
            if token in eos:
                break
            done.append(token)
            text = tokenizer.decode(done, skip_special_tokens=True)
            if text.endswith("\ufffd") or len(text) <= len(shown):
                continue
            yield text[len(shown):]
            shown = text
    finally:
        close = getattr(ids, "close", None)
        if close is not None:
            close()
