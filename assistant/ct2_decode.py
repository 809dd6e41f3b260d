"""Greedy token loops over a `ctranslate2.Generator`, free or under a `constrain.TokenRule`, and
the detokenizer that turns token ids into streamed text pieces.

CTranslate2 4.x has no Python logits-processor hook (measured on 4.8.5: `generate_tokens` takes
`suppress_sequences`, `end_token` and a stop-only `callback`). A rule is applied in two layers:
every token no state of the rule allows is suppressed for the whole run (one static list); the
context-dependent part (digits only inside "[n]") is checked on each token before it is yielded,
and a refused token is replaced by a run that suppresses everything the rule refuses in that state,
kept going until the state changes (e.g. a citation opens), then the static run resumes. Each run
re-reads the prompt (a prefill: ~0.25 s at 300 tokens), but the text never holds a refused token.
Does not: load models or build rules.
"""

from __future__ import annotations

from typing import Any, Generator, Iterable, Iterator, Sequence

from assistant.generator import SAMPLING

REPETITION_PENALTY = 1.1  # the same as the transformers engine's


def sampling_options(attempt: int) -> dict[str, Any]:
    """`generate_tokens` options for an attempt: greedy for 0, else sampled. CTranslate2 cannot
    repeat a sample: `generate_tokens` takes no seed, and its worker threads keep their own random
    state (`set_random_seed` between runs did not make two runs alike).

    >>> sampling_options(0), sampling_options(2)["sampling_topk"]
    ({}, 20)
    """
    if attempt == 0:
        return {}
    return {"sampling_topk": SAMPLING.top_k, "sampling_temperature": SAMPLING.temperature}


def free_steps(
    model: Any, names: Sequence[str], prompt: list[int], max_new_tokens: int, attempt: int = 0
) -> Iterator[int]:
    """Token ids as they are generated (the end-of-answer token is not yielded)."""
    if max_new_tokens == 0:
        return
    for step in model.generate_tokens(
        [names[i] for i in prompt],
        max_length=max_new_tokens,
        repetition_penalty=REPETITION_PENALTY,
        **sampling_options(attempt),
    ):
        yield step.token_id


def constrained_steps(
    model: Any,
    names: Sequence[str],
    prompt: list[int],
    rule: Any,
    max_new_tokens: int,
    attempt: int = 0,
) -> Iterator[tuple[int, bool]]:
    """(token id, whether a correction chose it) for each generated token; every token is one
    `rule.permits` after the tokens before it."""
    generated: list[int] = []
    static = suppressed(names, rule.reachable())
    strict: frozenset[int] | None = None  # the exact set a corrective run enforces
    while len(generated) < max_new_tokens:
        run = model.generate_tokens(
            [names[i] for i in prompt + generated],
            max_length=max_new_tokens - len(generated),
            repetition_penalty=REPETITION_PENALTY,
            suppress_sequences=static if strict is None else suppressed(names, strict),
            **sampling_options(attempt),
        )
        try:
            outcome = yield from _follow(run, rule, generated, strict)
        finally:
            run.close()  # stops CTranslate2's decoding thread
        if outcome == "done":
            return  # end of answer (the rule's best token may have been the end) or max_new_tokens
        # Refused: re-decide this step under exactly what the rule allows here, and keep that
        # run going while the rule's state holds; a changed state goes back to the static list.
        strict = rule.allowed_next(generated) if outcome == "refused" else None


def _follow(
    run: Iterable[Any], rule: Any, generated: list[int], strict: frozenset[int] | None
) -> Generator[tuple[int, bool], None, str]:
    """Take a run's tokens into `generated` (yielding them) until it ends ("done"), offers a token
    the rule refuses ("refused"), or, in a strict run, the rule's state changes ("changed")."""
    for position, step in enumerate(run):
        if not rule.permits(generated, step.token_id):
            return "refused"
        generated.append(step.token_id)
        yield step.token_id, strict is not None and position == 0
        if strict is not None and rule.allowed_next(generated) != strict:
            return "changed"
    return "done"


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
            yield text[len(shown) :]
            shown = text
    finally:
        close = getattr(ids, "close", None)
        if close is not None:
            close()
