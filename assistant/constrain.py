"""Constrained decoding: a `TokenRule` that lets the model emit only tokens of given texts (the
quoted outline lines, their paths, the question), a short closed list of function words and
punctuation, whitespace, end-of-answer, and citation markers `[n]` for the note numbers allowed.

Digits are the strict part: outside a citation only digit tokens that occur in the texts are
allowed, so the model cannot make up "9999"; right after "[" only the digits of an allowed number,
then "]". Citation numbers are declared by writing the markers into the texts ("[2] Lambda > …");
markers are taken out before the texts are tokenized, so their digits do not count as text.

Does not: load models, or judge whether an answer is true (see `assistant.verify`). The rule is
applied by `logits_processor` (transformers) and by `assistant.ct2_engine` (CTranslate2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

# torch and transformers are imported inside `logits_processor` only: this module must import fast.

FUNCTION_WORDS = (
    "the a an and or but not no nor of to in on at by for with from as into per via than then so "
    "if is are was were be been being it its this that these those there their they them you your "
    "we our can may must should will would could do does did has have had also only each both all "
    "any some more most less up out about over under between after before when where which who "
    "what how why while because yes here note notes say says said according answer"
).split()
PUNCTUATION = ". , ; : ! ? ( ) - – — ' \" / * ` [ ] & % +".split()
_MARKER = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"\w+|[^\w\s]+")
_OPEN_CITATION = re.compile(r"\[(\d*)$")
_CLOSE = re.compile(r"^\][\s.,;:!?)]*$")
_TAIL_TOKENS = 8  # generated tokens decoded to tell whether a citation is open


class Tokenizer(Protocol):
    """What the rule needs: a `tokenizers.Tokenizer` (transformers' is `tok.backend_tokenizer`)."""

    def encode_batch(self, texts: list[str], add_special_tokens: bool = ...) -> list[Any]: ...
    def decode_batch(self, ids: list[list[int]], skip_special_tokens: bool = ...) -> list[str]: ...
    def get_vocab_size(self) -> int: ...


@dataclass(frozen=True)
class Vocabulary:
    """Each token id's text, computed once per loaded model (~0.03 s for SmolLM2's 49,152)."""

    pieces: tuple[str, ...]
    eos: frozenset[int]

    @classmethod
    def of(cls, tokenizer: Tokenizer, eos: Sequence[int]) -> "Vocabulary":
        size = tokenizer.get_vocab_size()
        pieces = tokenizer.decode_batch([[i] for i in range(size)], skip_special_tokens=False)
        return cls(tuple(pieces), frozenset(eos))


@dataclass(frozen=True)
class TokenRule:
    """Which token may come next, given the tokens generated so far."""

    prose: frozenset[int]  # allowed outside a citation
    digits: dict[str, frozenset[int]]  # "1" → ids of the token "1" (digit tokens, by text)
    closers: frozenset[int]  # "]", "].", "]," …
    citations: tuple[str, ...]  # allowed numbers, e.g. ("1", "2", "12")
    vocab: Vocabulary

    def allowed_next(self, generated: Sequence[int]) -> frozenset[int]:
        """The prose set, or inside an open "[12" the digits that extend an allowed number and,
        once the number is complete, the closers."""
        tail = "".join(self.vocab.pieces[i] for i in generated[-_TAIL_TOKENS:])
        opened = _OPEN_CITATION.search(tail)
        if opened is None:
            return self.prose
        so_far = opened.group(1)
        ids = [
            i
            for digit, ids in self.digits.items()
            if any(n.startswith(so_far + digit) for n in self.citations)
            for i in ids
        ]
        done = self.closers if so_far in self.citations else frozenset()
        return frozenset(ids) | done or self.vocab.eos  # nothing fits: end the answer

    def permits(self, generated: Sequence[int], token: int) -> bool:
        return token in self.allowed_next(generated)

    def reachable(self) -> frozenset[int]:
        """Every token some state allows: what a static filter may let through."""
        citation_digits = {c for n in self.citations for c in n}
        digit_ids = {i for d in citation_digits for i in self.digits.get(d, ())}
        return self.prose | self.closers | digit_ids


def split_markers(texts: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Citation numbers declared in the texts, and the texts without their markers.

    >>> split_markers(["[2] Lambda > Memory: 128 MB", "[10] SQS"])
    (('2', '10'), [' Lambda > Memory: 128 MB', ' SQS'])
    """
    numbers = dict.fromkeys(n for text in texts for n in _MARKER.findall(text))
    return tuple(numbers), [_MARKER.sub("", text) for text in texts]


def allowed_token_ids(tokenizer: Tokenizer, texts: Sequence[str]) -> frozenset[int]:
    """Token ids of the texts as tokenized, plus each of their words and the closed list tokenized
    alone, with and without a leading space (and capitalised), since BPE splits " Lambda" and
    "Lambda" differently. Digit tokens come only from the texts."""
    words = {w for text in texts for w in _WORD.findall(text)}
    closed = {v for w in FUNCTION_WORDS for v in (w, w.capitalize())} | set(PUNCTUATION)
    variants = [v for w in words | closed for v in (w, " " + w)]
    encoded = tokenizer.encode_batch([*texts, *variants], add_special_tokens=False)
    return frozenset(i for e in encoded for i in e.ids)


def build_rule(tokenizer: Tokenizer, vocab: Vocabulary, texts: Sequence[str]) -> TokenRule:
    """The rule for one answer; `texts` may declare citation numbers as "[n]" markers."""
    citations, plain = split_markers(texts)
    pieces = vocab.pieces
    digits: dict[str, set[int]] = {}
    for i, piece in enumerate(pieces):
        if len(piece) == 1 and piece.isdigit():
            digits.setdefault(piece, set()).add(i)
    whitespace = {i for i, piece in enumerate(pieces) if piece and not piece.strip()}
    closers = frozenset(i for i, piece in enumerate(pieces) if _CLOSE.match(piece))
    # The closed list holds no digits, so every digit token in `prose` comes from the texts.
    prose = allowed_token_ids(tokenizer, plain) | whitespace | closers | vocab.eos
    return TokenRule(
        frozenset(prose), {d: frozenset(s) for d, s in digits.items()}, closers, citations, vocab
    )


def logits_processor(rule: TokenRule, prompt_length: int) -> Any:
    """A transformers `LogitsProcessor` that sets every token the rule forbids to -inf."""
    import torch
    from transformers import LogitsProcessor

    class RuleLogits(LogitsProcessor):
        def __init__(self) -> None:
            self._masks: dict[frozenset[int], torch.Tensor] = {}  # per call: a handful of sets

        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            for row in range(scores.shape[0]):
                allowed = rule.allowed_next(input_ids[row, prompt_length:].tolist())
                scores[row] = scores[row].masked_fill(~self._mask(allowed, scores), float("-inf"))
            return scores

        def _mask(self, allowed: frozenset[int], scores: torch.Tensor) -> torch.Tensor:
            if allowed not in self._masks:
                mask = torch.zeros(scores.shape[-1], dtype=torch.bool, device=scores.device)
                mask[[i for i in allowed if i < scores.shape[-1]]] = True
                self._masks[allowed] = mask
            return self._masks[allowed]

    return RuleLogits()
