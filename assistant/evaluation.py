"""Answer quality on a question set in the dev-set format: the records, metrics and runs behind
`python -m assistant.eval` (eval.py, the command line), also used by tests and benches."""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from core.cli import (
    read_jsonl,
)

if TYPE_CHECKING:  # the answer records import the search, and with it numpy: not for `--help`
    from assistant.answer import Answer

COUNTS = ("n", "invented numbers")  # columns printed as whole numbers


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    kind: str
    gold: frozenset[int]
    facts: tuple[str, ...]

    @property
    def refusal(self) -> bool:
        return self.kind == "refusal" or not self.gold


def read_cases(path: Path) -> list[Case]:
    """The questions of a question set in the dev-set format; a bad line is an error naming it."""
    return read_jsonl(path, _case, 'a question in the dev-set format ("id", "question", "gold", …)')


def _case(item: dict) -> Case:
    return Case(
        item["id"],
        item["question"],
        item.get("kind", ""),
        frozenset(g["line"] for g in item.get("gold", [])),
        tuple(item.get("answer_facts", [])),
    )


class TimedGenerator:
    """Wraps a generator to measure what it streams: tokens and seconds from first to last piece."""

    def __init__(self, inner, constrained: bool = True):
        self.inner, self.name, self.constrained = inner, inner.name, constrained
        self.rates: list[float] = []

    def stream(
        self,
        messages: list[dict[str, str]],
        max_new_tokens: int = 256,
        allowed: Sequence[str] | None = None,
        attempt: int = 0,
    ) -> Iterator[str]:
        pieces, first = [], None
        allowed = allowed if self.constrained else None
        for piece in self.inner.stream(
            messages, max_new_tokens=max_new_tokens, allowed=allowed, attempt=attempt
        ):
            first = first or time.perf_counter()
            pieces.append(piece)
            yield piece
        if first and len(pieces) > 1:
            count = getattr(self.inner, "count_tokens", None)
            tokens = count("".join(pieces)) if count else len(pieces)
            self.rates.append(tokens / max(time.perf_counter() - first, 1e-6))


def facts_found(answer: Answer, case: Case) -> bool:
    return all(fact.lower() in answer.text.lower() for fact in case.facts)


def cites_gold(answer: Answer, case: Case) -> bool:
    return any(case.gold & set(citation.lines) for citation in answer.citations)


def gold_quoted(answer: Answer, case: Case) -> float:
    """Share of the gold lines among the lines the answer draws on (both sides, every list item)."""
    drawn = {n for citation in answer.citations for n in citation.supporting_lines}
    return len(case.gold & drawn) / len(case.gold) if case.gold else float("nan")


def invented_numbers(answer: Answer) -> int:
    """Numbers in the answer that no cited chunk (nor its path) contains."""
    import re

    cited = " ".join(c.chunk.text + " " + " ".join(c.path) for c in answer.citations)
    known = set(re.findall(r"\d+", cited)) | {str(c.n) for c in answer.citations}
    return sum(number not in known for number in re.findall(r"\d+", answer.text))


def score(results: list[tuple[Case, Answer]], rates: list[float]) -> dict[str, float]:
    answered = [(c, a) for c, a in results if not c.refusal and not a.refused]
    refused = [c for c, a in results if a.refused]
    refusals = [c for c, _ in results if c.refusal]
    answerable = [c for c, _ in results if not c.refusal]
    return {
        "n": len(results),
        "facts": _share(facts_found(a, c) for c, a in answered),
        "citation hit": _share(cites_gold(a, c) for c, a in answered),
        "gold lines quoted": statistics.mean([gold_quoted(a, c) for c, a in answered])
        if answered
        else float("nan"),
        "invented numbers": sum(invented_numbers(a) for _, a in results if not a.refused),
        "refusal precision": _share(c.refusal for c in refused),
        "refusal recall": _share(c in refused for c in refusals),
        "false refusals": _share(c in refused for c in answerable),
        "model answers": _share(a.mode == "model" for _, a in answered),
        "median first token s": statistics.median(
            a.first_token_seconds or a.seconds for _, a in results
        ),
        "median model sentence s": _median(
            [a.sentence_seconds for _, a in results if a.sentence_seconds is not None]
        ),
        "tokens/s": statistics.median(rates) if rates else float("nan"),
    }


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else float("nan")


def per_kind(results: list[tuple[Case, Answer]]) -> dict[str, dict[str, float]]:
    """Rows per question kind, then per shape (scenario or one sentence, whatever the kind)."""
    from retriever.evaluation import by_shape

    groups = {
        kind: [(c, a) for c, a in results if c.kind == kind]
        for kind in sorted({c.kind for c, _ in results})
    }
    groups.update(by_shape(results, lambda case: case.question))
    keep = (
        "n",
        "facts",
        "citation hit",
        "gold lines quoted",
        "refusal recall",
        "false refusals",
        "invented numbers",
    )
    rows = {}
    for name, subset in groups.items():
        if subset:
            row = score(subset, [])
            rows[name] = {k: row[k] for k in keep}
    return rows


def run_mode(assistants, cases: list[Case], mode: str, show: bool) -> list[tuple[Case, Answer]]:
    """`assistants(case)` is the assistant that answers the case (one per fold when
    cross-validated)."""
    results = []
    for case in cases:
        answer = assistants(case).ask(case.question, mode=mode).answer
        results.append((case, answer))
        if show:
            mark = (
                "refused"
                if answer.refused
                else f"facts={facts_found(answer, case)} cite={cites_gold(answer, case)}"
            )
            print(
                f"## {case.id} [{mode}] {case.question}  ({mark}, {answer.mode})\n{answer.text}\n",
                file=sys.stderr,
            )
    return results


def calibration(retriever, cases: list[Case]) -> str:
    """The judge's answerable score per group (refusal questions, answerable ones), its threshold,
    and the cross-validated refusal recall and false refusals of a judge fitted on these
    questions."""
    from assistant.fitting import validate
    from assistant.judge import Judge

    judge = Judge(retriever)
    scored = [(judge.judge(retriever.retrieve(c.question, k=5)).answerable, c) for c in cases]
    lines = [f"threshold {judge.weights.threshold:.3f} (answered from this score up)"]
    for label, refusal in (("refusal", True), ("answerable", False)):
        group = sorted((score, c.id) for score, c in scored if c.refusal == refusal)
        refused = sum(score < judge.weights.threshold for score, _ in group)
        lines.append(
            f"{label} ({refused}/{len(group)} refused): "
            + ", ".join(f"{s:.2f} {i}" for s, i in group)
        )
    _, validated = validate(retriever, cases)
    lines.append(
        "cross-validated on these questions: "
        + ", ".join(f"{k} {v:.3f}" for k, v in validated.items())
    )
    return "\n".join(lines)


def fold_assistants(retriever, generator, settings, template, cases: list[Case]):
    """case → an Assistant whose judge was fitted without the case's fold."""
    from assistant.fitting import blank_weights, collect, cross_validated
    from assistant.judge import Judge
    from assistant.pipeline import Assistant

    samples = collect(retriever, cases, Judge(retriever, blank_weights()))
    judges = cross_validated(samples, retriever.index.vocabulary)
    by_weights = {
        id(w): Assistant(retriever, generator, settings, template, Judge(retriever, w))
        for w in judges.values()
    }
    return lambda case: by_weights[id(judges[case.id])]
