"""`python -m assistant.eval FILE.jsonl`: answer quality on a question set in the dev-set format.

For model mode and extractive-only mode, prints a markdown table: the share of answered
questions whose answer contains every `answer_facts` string (case-insensitive), the share whose
citations cover a gold line, refusal precision and recall on `refusal` questions, the
false-refusal rate, median time to first token, and the model's tokens/s.
`--calibrate` prints the support-gate scores of refusal vs answerable questions instead, and how many
of each group the gate refuses.

Examples:
  python -m assistant.eval ../shared/eval/dev.jsonl
  python -m assistant.eval ../shared/eval/dev.jsonl --extractive          # no model needed
  python -m assistant.eval ../shared/eval/dev.jsonl --template flat --show # another prompt shape
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from assistant.answer import Answer
from indexer.cli import add_index_flag, add_model_server_flags, run_command, settings_from
from indexer.errors import BranchwiseError


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
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [Case(r["id"], r["question"], r.get("kind", ""), frozenset(g["line"] for g in r.get("gold", [])),
                     tuple(r.get("answer_facts", []))) for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BranchwiseError(f"{path}: not a question set in the dev-set format ({error})") from None


class TimedGenerator:
    """Wraps a generator to measure what it streams: tokens and seconds from first to last piece."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
        self.rates: list[float] = []

    def stream(self, messages: list[dict[str, str]], max_new_tokens: int = 256) -> Iterator[str]:
        pieces, first = [], None
        for piece in self.inner.stream(messages, max_new_tokens=max_new_tokens):
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


def score(results: list[tuple[Case, Answer]], rates: list[float]) -> dict[str, float]:
    answered = [(c, a) for c, a in results if not c.refusal and not a.refused]
    refused = [c for c, a in results if a.refused]
    refusals = [c for c, _ in results if c.refusal]
    answerable = [c for c, _ in results if not c.refusal]
    return {
        "facts": _share(facts_found(a, c) for c, a in answered),
        "citation hit": _share(cites_gold(a, c) for c, a in answered),
        "refusal precision": _share(c.refusal for c in refused),
        "refusal recall": _share(c in refused for c in refusals),
        "false refusals": _share(c in refused for c in answerable),
        "model answers": _share(a.mode == "model" for _, a in answered),
        "median first token s": statistics.median(a.first_token_seconds or a.seconds for _, a in results),
        "tokens/s": statistics.median(rates) if rates else float("nan"),
    }


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else float("nan")


def markdown_table(rows: dict[str, dict[str, float]]) -> str:
    columns = list(next(iter(rows.values())))
    lines = ["| mode | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(f"{v:.2f}" for v in row.values()) + " |" for name, row in rows.items()]
    return "\n".join(lines)


def run_mode(assistant, cases: list[Case], mode: str, show: bool) -> list[tuple[Case, Answer]]:
    results = []
    for case in cases:
        answer = assistant.ask(case.question, mode=mode).answer
        results.append((case, answer))
        if show:
            mark = "refused" if answer.refused else f"facts={facts_found(answer, case)} cite={cites_gold(answer, case)}"
            print(f"## {case.id} [{mode}] {case.question}  ({mark}, {answer.mode})\n{answer.text}\n", file=sys.stderr)
    return results


def calibration(retriever, cases: list[Case]) -> str:
    """Support-gate scores per group, so the threshold can be checked against both; a star marks a
    question the gate decides otherwise than its score alone would."""
    from assistant.evidence import SUPPORT_THRESHOLD, gather

    rows = []
    for case in cases:
        evidence = gather(case.question, retriever.search(case.question, k=5), retriever.embedder)
        star = "*" if evidence.covered != (evidence.support >= SUPPORT_THRESHOLD) else ""
        rows.append((evidence.support, star, evidence.covered, case.refusal, case.id))
    lines = [f"threshold {SUPPORT_THRESHOLD}; * decided otherwise than by the score alone (a question that "
             "only names a topic, or asks for an amount no supporting line states)"]
    for label, refusal in (("refusal", True), ("answerable", False)):
        group = sorted((s, star, covered, i) for s, star, covered, r, i in rows if r == refusal)
        refused = sum(not covered for _, _, covered, _ in group)
        lines.append(f"{label} ({refused}/{len(group)} refused): "
                     + ", ".join(f"{s:.3f}{star} {i}" for s, star, _, i in group))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path, metavar="FILE.jsonl", help="e.g. ../shared/eval/dev.jsonl")
    add_index_flag(parser)
    add_model_server_flags(parser)
    parser.add_argument("--model", help="generator model (default: the bundled SmolLM2-135M-Instruct)")
    parser.add_argument("--extractive", action="store_true", help="extractive mode only (no model)")
    parser.add_argument("--modes", default="model,extractive", help="modes to score (default: both)")
    parser.add_argument("--template", help="prompt template name (see assistant.prompt.TEMPLATES)")
    parser.add_argument("--calibrate", action="store_true", help="print support-gate score distributions")
    parser.add_argument("--show", action="store_true", help="print every answer to stderr")
    args = parser.parse_args(argv)
    cases = read_cases(args.questions)
    settings = settings_from(args)
    from assistant.pipeline import Assistant
    from assistant.prompt import DEFAULT_TEMPLATE
    from retriever.load import open_retriever

    retriever = open_retriever(settings)
    if args.calibrate:
        print(calibration(retriever, cases))
        return 0
    modes = ["extractive"] if args.extractive else [m for m in args.modes.split(",") if m]
    generator = None
    if "model" in modes:
        from assistant.backends import open_generator

        generator = TimedGenerator(open_generator(settings))
    assistant = Assistant(retriever, generator, settings, args.template or DEFAULT_TEMPLATE)
    rows = {}
    for mode in modes:
        rows[mode] = score(run_mode(assistant, cases, mode, args.show), generator.rates if generator and
                           mode == "model" else [])
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    run_command(main)
