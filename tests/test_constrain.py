"""Tests for assistant.constrain and the CTranslate2 loop in assistant.ct2_decode: a scripted
model that prefers a word or number the notes do not hold cannot emit it. The fast tests use a
small word-piece tokenizer; the `model` tests run both real engines on the bundled model."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.constrain import Vocabulary, build_rule, logits_processor, split_markers
from assistant.ct2_decode import constrained_steps, suppressed, text_pieces

PIECES = [
    "<eos>",
    " ",
    "\n",
    "Lambda",
    " Lambda",
    "timeout",
    " timeout",
    "Max",
    " Max",
    " is",
    "The",
    " the",
    " elephant",
    "elephant",
    " [",
    "[",
    "]",
    "].",
    ".",
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    " 9",
    "s",
    " seconds",
    " per",
    " second",
]
TEXTS = ["[1] Lambda > timeout: Max 900s", "[2] Lambda > Max 300 per second", "Lambda timeout?"]


@dataclass(frozen=True)
class Encoding:
    ids: list[int]


class PieceTokenizer:
    """Greedy longest-match over PIECES: enough of `tokenizers.Tokenizer` for a rule."""

    def __init__(self) -> None:
        self.ids = {piece: i for i, piece in enumerate(PIECES)}

    def encode(self, text: str) -> list[int]:
        ids = []
        while text:
            piece = max((p for p in self.ids if text.startswith(p)), key=len, default=None)
            if piece is None:  # a character the fake has no piece for: skip it
                text = text[1:]
                continue
            ids.append(self.ids[piece])
            text = text[len(piece) :]
        return ids

    def encode_batch(self, texts, add_special_tokens=False):
        return [Encoding(self.encode(t)) for t in texts]

    def decode_batch(self, ids, skip_special_tokens=False):
        return [self.decode(i) for i in ids]

    def decode(self, ids, skip_special_tokens=True):
        return "".join(PIECES[i] for i in ids if not (skip_special_tokens and i == 0))

    def get_vocab_size(self) -> int:
        return len(PIECES)


TOKENIZER = PieceTokenizer()
VOCAB = Vocabulary.of(TOKENIZER, [0])
RULE = build_rule(TOKENIZER, VOCAB, TEXTS)


def ids(text: str) -> list[int]:
    return TOKENIZER.encode(text)


def test_markers_declare_citation_numbers_and_leave_the_texts() -> None:
    assert split_markers(TEXTS)[0] == ("1", "2")
    assert RULE.citations == ("1", "2")


def test_prose_allows_note_words_and_function_words_but_not_outside_words() -> None:
    assert RULE.permits(ids("The"), ids(" Lambda")[0])
    assert RULE.permits(ids("Lambda"), ids(" is")[0])
    assert not RULE.permits(ids("The"), ids(" elephant")[0])


def test_digits_outside_a_citation_are_only_those_the_notes_hold() -> None:
    assert RULE.permits(ids("Max "), ids("9")[0])  # 900s
    assert not RULE.permits(ids("Max "), ids("7")[0])  # no 7 in the notes
    assert not RULE.permits(ids("Max "), ids("1")[0])  # 1 is only a citation number


def test_inside_a_citation_only_allowed_numbers_then_a_closer() -> None:
    after_open = {VOCAB.pieces[i] for i in RULE.allowed_next(ids("Max 900s ["))}
    after_number = {VOCAB.pieces[i] for i in RULE.allowed_next(ids("Max 900s [2"))}

    assert after_open == {"1", "2"}
    assert after_number == {"]", "]."}


def greedy(prefer: list[str], steps: int, processor) -> str:
    """A scripted model: at each step it scores `prefer[step]` highest, then every other token
    by its position in PIECES (so the fallback is deterministic)."""
    import torch

    out: list[int] = []
    for step in range(steps):
        scores = torch.arange(len(PIECES), 0, -1, dtype=torch.float32)[None, :] / 100
        scores[0, PIECES.index(prefer[step])] = 10.0
        scores = processor(torch.tensor([out], dtype=torch.long), scores)
        out.append(int(scores.argmax()))
    return TOKENIZER.decode(out)


def test_transformers_processor_makes_outside_words_and_numbers_impossible() -> None:
    pytest.importorskip("transformers")
    wanted = ["The", " elephant", " timeout", " is", " 9", "9", "7", " [", "7", "]."]
    free = greedy(wanted, len(wanted), lambda ids, scores: scores)

    constrained = greedy(wanted, len(wanted), logits_processor(RULE, prompt_length=0))

    assert free == "The elephant timeout is 997 [7]."
    assert "elephant" not in constrained and "7" not in constrained
    assert re.search(r"\[[12]\]", constrained), constrained


class ScriptedCt2:
    """`ctranslate2.Generator.generate_tokens` over a script: yields the script's next token
    unless suppressed, else the first unsuppressed token in PIECES order."""

    @dataclass(frozen=True)
    class Step:
        token_id: int

    def __init__(self, script: list[str]):
        self.script, self.calls, self.options = script, 0, []

    def generate_tokens(
        self, prompt, max_length, repetition_penalty, suppress_sequences=None, **options
    ):
        self.calls += 1
        self.options.append(options)
        banned = {s[0] for s in suppress_sequences or [] if len(s) == 1}
        done = len(prompt) - 1  # the test's prompt is one token: the rest was generated
        for position in range(done, min(done + max_length, len(self.script))):
            wanted = self.script[position]
            if wanted in banned:
                wanted = next(p for p in PIECES[1:] if p not in banned)
            piece = wanted
            if piece == "<eos>":
                return
            yield self.Step(PIECES.index(piece))


def test_ctranslate2_loop_replaces_refused_tokens_and_keeps_the_allowed_ones() -> None:
    # "1" is a citation number, not a digit of the notes' text; 7 is neither; nor is "elephant".
    model = ScriptedCt2(["Max", " 9", "1", " elephant", " [", "7", "]", " Lambda", "<eos>"])

    steps = list(constrained_steps(model, PIECES, [1], RULE, max_new_tokens=20))
    text = TOKENIZER.decode([t for t, _ in steps])

    assert text == "Max 9   [1] Lambda"
    # The static list already stops " elephant" and "7"; the 1 in prose and the blank after "["
    # pass it and are re-decided, once each.
    assert sum(corrected for _, corrected in steps) == 2


def test_a_later_attempt_samples_every_run_under_the_same_rule() -> None:
    model = ScriptedCt2(["Max", " 9", "1", " [", "7", "]", "<eos>"])

    steps = list(constrained_steps(model, PIECES, [1], RULE, max_new_tokens=20, attempt=2))

    assert TOKENIZER.decode([t for t, _ in steps]).startswith("Max 9")
    assert model.calls > 1 and all(o["sampling_topk"] > 1 for o in model.options)


def test_suppressed_lists_every_token_outside_the_set_as_a_one_token_sequence() -> None:
    assert suppressed(["a", "b", "c"], frozenset({0, 2})) == [["b"]]


def test_text_pieces_stop_at_the_end_token_and_close_the_source() -> None:
    source = iter([ids("Max")[0], ids(" 9")[0], 0, ids(" Lambda")[0]])

    assert "".join(text_pieces(TOKENIZER, source, [0])) == "Max 9"


# --- the real engines -------------------------------------------------------------------------

NOTES = ["[1] Lambda > Sizing > Memory: 128mb to 10240 MB", "[2] Lambda > Timeout: Max 900s"]
QUESTION = "How long can a Lambda function run, and how much memory can it have?"
MESSAGES = [
    {
        "role": "user",
        "content": "Notes:\n" + "\n".join(NOTES) + f"\n\nQuestion: {QUESTION}"
        " Answer in two sentences and cite the notes like [1].",
    }
]


def digits_outside_the_rule(answer: str) -> list[str]:
    """Digit runs that are neither a citation [1]/[2] nor made of digits the notes hold."""
    note_digits = set("".join(re.findall(r"\d", re.sub(r"\[\d+\]", "", " ".join(NOTES)))))
    bare = re.sub(r"\[[12]\]", "", answer)
    return [run for run in re.findall(r"\d+", bare) if not set(run) <= note_digits]


@pytest.fixture(scope="module", params=["ctranslate2", "transformers"])
def real_generator(request: pytest.FixtureRequest):
    from assistant.model import load_generator
    from core.settings import Settings

    cache = Settings.from_env().cache_dir  # shared with test_concurrency: converted once
    return load_generator(Settings(cache_dir=Path(cache), engine=request.param))


@pytest.mark.model
def test_constrained_real_generation_emits_only_allowed_tokens(real_generator) -> None:
    from assistant.constrain import Vocabulary

    answer = "".join(real_generator.stream(MESSAGES, 60, allowed=[*NOTES, QUESTION]))
    tokenizer = getattr(real_generator._tokenizer, "backend_tokenizer", real_generator._tokenizer)
    rule = build_rule(tokenizer, Vocabulary.of(tokenizer, []), [*NOTES, QUESTION])
    retokenized = tokenizer.encode(answer, add_special_tokens=False).ids

    assert answer.strip()
    assert digits_outside_the_rule(answer) == []
    # Re-tokenizing can merge pieces differently, so check tokens against the widest set only.
    assert set(retokenized) <= rule.reachable() | set(rule.prose), answer
