"""Benchmark indexing and retrieval on the seed outline (copied to a temporary folder): cold build,
no-op update, one-bullet-edit update, the same update with and without the change report
(alternating runs, as the app does it: build, then mark the conversation's stale answers) and
hybrid retrieval latency over the dev questions.

The embedding model loads once, before any timing; each build row is the median of `--runs`.
Prints a markdown table, then the change report's cost as a ratio of medians.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_index.py [--runs 3] [--threads 1] \\
        [--questions FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.startup import start  # noqa: E402

start()

from assistant.answer import Answer, Citation, Turn  # noqa: E402
from core.settings import REPO_ROOT, Settings  # noqa: E402
from indexer import build  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.embed import SentenceTransformerEmbedder  # noqa: E402
from indexer.store import load_index  # noqa: E402
from retriever.evaluation import read_questions  # noqa: E402
from retriever.search import Retriever  # noqa: E402
from ui.changes import mark_stale  # noqa: E402

SEED = REPO_ROOT / "seeds" / "aws_solution_architecture.md"
DEV = REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl"


def timed_build(settings: Settings, embedder, **options) -> tuple[float, int]:
    """(wall seconds, chunks embedded) of one build."""
    started = time.perf_counter()
    report = build_index(settings, embedder, **options)
    return time.perf_counter() - started, report.embedded


def edit_bullet(path: Path, tag: str) -> None:
    """Replace the last word of the first bullet past the middle of the file: a one-bullet edit."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(
        n for n in range(len(lines) // 2, len(lines)) if lines[n].lstrip().startswith("- ")
    )
    lines[number] = lines[number].rsplit(" ", 1)[0] + f" {tag}"
    path.write_text("\n".join(lines), encoding="utf-8")


def bench_builds(settings: Settings, embedder, runs: int) -> dict[str, tuple[list[float], int]]:
    rows = {}
    cold = [
        timed_build(replace(settings, index_dir=settings.index_dir.with_name(f"cold{i}")), embedder)
        for i in range(runs)
    ]
    shutil.copytree(settings.index_dir.with_name("cold0"), settings.index_dir)
    rows["cold build (model loaded)"] = ([s for s, _ in cold], cold[0][1])
    noop = [timed_build(settings, embedder) for _ in range(runs)]
    rows["no-op update"] = ([s for s, _ in noop], noop[0][1])
    edits = []
    for i in range(runs):
        edit_bullet(settings.seeds[0], f"edit{i}")
        edits.append(timed_build(settings, embedder))
    rows["one-bullet-edit update"] = ([s for s, _ in edits], edits[0][1])
    return rows


def bench_report(settings: Settings, embedder, runs: int) -> dict[str, list[float]]:
    """One-bullet updates with and without the change report, alternating (ABBA) so drift and load
    fall on both alike. "Without" is the update as it was before the report: `compare` does nothing
    and no conversation is marked stale."""
    turns = conversation(settings, 20)
    timings: dict[str, list[float]] = {"with": [], "without": []}
    for i in range(runs):
        for kind in ("with", "without") if i % 2 == 0 else ("without", "with"):
            edit_bullet(settings.seeds[0], f"{kind}{i}")
            off = (
                mock.patch.object(build, "compare", lambda old, new: [])
                if kind == "without"
                else nullcontext()
            )
            with off:
                started = time.perf_counter()
                report = build_index(settings, embedder)
                mark_stale(turns, report.changes)
                timings[kind].append(time.perf_counter() - started)
    return timings


def conversation(settings: Settings, n: int) -> list[Turn]:
    """`n` answered turns, each citing three branches of the index, as the app would hold them."""
    chunks = load_index(settings.index_dir).chunks
    turns = []
    for i in range(n):
        cited = tuple(Citation(k + 1, chunks[(i * 7 + k * 13) % len(chunks)], ()) for k in range(3))
        turns.append(
            Turn(
                f"question {i}",
                Answer(f"question {i}", "text", cited, False, (), "extractive", 0.0, None),
            )
        )
    return turns


def bench_search(settings: Settings, embedder, questions: list[str], passes: int) -> list[float]:
    """Milliseconds per hybrid search (k=5), every question `passes` times after one warm-up."""
    retriever = Retriever(load_index(settings.index_dir, embedder.model_id), embedder)
    retriever.search(questions[0])
    latencies = []
    for _ in range(passes):
        for question in questions:
            started = time.perf_counter()
            retriever.search(question, k=5)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="builds per row (median reported)")
    parser.add_argument(
        "--passes", type=int, default=3, help="passes over the questions for latency"
    )
    parser.add_argument("--questions", type=Path, default=DEV, metavar="FILE.jsonl")
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (default: torch's choice)"
    )
    args = parser.parse_args()
    if args.threads:
        import torch  # only to pin the thread count; the embedder imports it anyway

        torch.set_num_threads(args.threads)
    embedder = SentenceTransformerEmbedder()
    load_started = time.perf_counter()
    embedder.embed(["warm up"]), embedder.count_tokens(["warm up"])
    load_seconds = time.perf_counter() - load_started
    questions = [q.text for q in read_questions(args.questions)]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        shutil.copy(SEED, seeds / SEED.name)
        settings = Settings(seeds=(seeds / SEED.name,), index_dir=Path(tmp) / "index")
        rows = bench_builds(settings, embedder, args.runs)
        report = bench_report(settings, embedder, max(args.runs, 6))
        chunks = len(load_index(settings.index_dir).chunks)
        latencies = bench_search(settings, embedder, questions, args.passes)
    import torch

    print(
        f"seed outline: {SEED.name}, {chunks} chunks; {os.cpu_count()} CPUs, "
        f"{torch.get_num_threads()} torch threads, load average {os.getloadavg()[0]:.1f}; "
        f"model load {load_seconds:.1f} s (not in any row)\n"
    )
    print("| measurement | median | runs (s) | chunks embedded |")
    print("|---|---|---|---|")
    for name, (seconds, embedded) in rows.items():
        runs = ", ".join(f"{s:.3f}" for s in seconds)
        print(f"| {name} | {statistics.median(seconds):.3f} s | {runs} | {embedded} |")
    print(
        f"| hybrid search p50 ({len(latencies)} searches) | "
        f"{percentile(latencies, 0.5):.1f} ms | | |"
    )
    print(f"| hybrid search p95 | {percentile(latencies, 0.95):.1f} ms | | |")
    with_report, without = statistics.median(report["with"]), statistics.median(report["without"])
    print(
        f"\none-bullet update with the change report: median {with_report:.3f} s, "
        f"without: {without:.3f} s ({len(report['with'])} alternating runs each); "
        f"ratio {with_report / without:.2f}× (target ≤ 1.2×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
