"""Scale benchmark on synthetic outlines (bench/synth.py): per size, the cold build, a
one-bullet-edit update (median of 5, each in the same process), the index size on disk, the
indexer's peak RSS and hybrid retrieval latency.

Every build runs in a fresh child process that loads the real model first (timed apart) and reports
its own peak RSS; the "CLI" column is the wall time of `python -m indexer` for a second edit, model
load included. Search latency is over synthetic questions, never the dev set. Prints a markdown
table and writes it to bench/results/scale-<time>.md. A 200k-line cold build embeds ~25k chunks:
many minutes on 2 CPU cores.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_scale.py [--sizes 2000,20000,200000] [--split 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from core.startup import start  # noqa: E402

start()

from synth import DETAILS, NOUNS, SERVICES, VERBS, synth_files, synth_outline  # noqa: E402

COLUMNS = (
    "outline",
    "chunks",
    "cold build s",
    "model load s",
    "1-edit update s",
    "1-edit CLI s",
    "index MB",
    "peak RSS MB (cold / update)",
    "search p50 ms",
    "search p95 ms",
)
EDITS = 5  # one-bullet updates per case: the table shows their median


def edit_bullet(path: Path, tag: str) -> None:
    """Append a word to the first bullet past the middle of the file: a one-bullet edit."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(
        n for n in range(len(lines) // 2, len(lines)) if lines[n].lstrip().startswith("- ")
    )
    lines[number] += f" {tag}"
    path.write_text("\n".join(lines), encoding="utf-8")


def questions(n: int = 40, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [
        f"Which {rng.choice(SERVICES)} {rng.choice(NOUNS)} {rng.choice(VERBS).lower()} "
        f"{rng.choice(DETAILS)}?"
        for _ in range(n)
    ]


def child_build(seeds: Path, index: Path, edits: int) -> dict:
    """In a child process: load the model, then build once (no edits) or edit one bullet and update,
    `edits` times; the median build time and the peak RSS."""
    from core.settings import Settings
    from indexer.build import build_index
    from indexer.embed import SentenceTransformerEmbedder

    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    import bm25s  # noqa: E401, F401  (a running app has them loaded; the CLI column pays for them)

    loaded = time.perf_counter()
    times = []
    for edit in range(max(edits, 1)):
        if edits:
            edit_bullet(
                sorted(seeds.glob("*.md"))[len(list(seeds.glob("*.md"))) // 2], f"edit{edit}"
            )
        begun = time.perf_counter()
        report = build_index(Settings(seeds=(seeds,), index_dir=index), embedder)
        times.append(time.perf_counter() - begun)
    return {
        "model_s": loaded - started,
        "build_s": statistics.median(times),
        "chunks": report.chunks,
        "embedded": report.embedded,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_search(index: Path) -> dict:
    from indexer.embed import SentenceTransformerEmbedder
    from indexer.store import load_index
    from retriever.search import Retriever

    embedder = SentenceTransformerEmbedder()
    retriever = Retriever(load_index(index, embedder.model_id), embedder)
    asked = questions()
    for question in asked[:3]:
        retriever.search(question)  # warm-up
    latencies = []
    for question in asked:
        started = time.perf_counter()
        retriever.search(question, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=20)
    return {"p50_ms": statistics.median(latencies), "p95_ms": cuts[18]}


def in_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_update(seeds: Path, index: Path) -> float:
    edit_bullet(sorted(seeds.glob("*.md"))[len(list(seeds.glob("*.md"))) // 2], "cli-edit")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "indexer", "--seeds", str(seeds), "--index", str(index), "--json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def bench_case(name: str, texts: dict[str, str], work: Path) -> dict:
    folder = work / "".join(c if c.isalnum() else "-" for c in name)
    seeds, index = folder / "seeds", folder / "index"
    seeds.mkdir(parents=True, exist_ok=False)
    for file_name, text in texts.items():
        (seeds / file_name).write_text(text, encoding="utf-8")
    cold = in_child("build", str(seeds), str(index), "0")
    update = in_child("build", str(seeds), str(index), str(EDITS))
    size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file()) / 2**20
    search = in_child("search", str(index))
    print(f"  {name}: cold {cold}, update {update}", file=sys.stderr)
    return {
        "outline": name,
        "chunks": cold["chunks"],
        "cold build s": cold["build_s"],
        "model load s": cold["model_s"],
        "1-edit update s": update["build_s"],
        "1-edit CLI s": cli_update(seeds, index),
        "index MB": size,
        "peak RSS MB (cold / update)": f"{cold['rss_mb']:,.0f} / {update['rss_mb']:,.0f}",
        "search p50 ms": search["p50_ms"],
        "search p95 ms": search["p95_ms"],
    }


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---" * len(COLUMNS) + "|"]
    for row in rows:
        cells = [
            row[c]
            if isinstance(row[c], str)
            else f"{row[c]:,.0f}"
            if c == "chunks"
            else f"{row[c]:.2f}"
            for c in COLUMNS
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="2000,20000,200000", help="outline sizes in lines, comma-separated"
    )
    parser.add_argument(
        "--split", type=int, default=20, help="also the largest size split into this many files"
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="keep the outlines and indexes in this folder (default: a temporary one)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        print(
            json.dumps(
                child_build(Path(rest[0]), Path(rest[1]), int(rest[2]))
                if kind == "build"
                else child_search(Path(rest[0]))
            )
        )
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = [(f"{n // 1000}k lines, 1 file", {"synthetic.md": synth_outline(n)}) for n in sizes]
    if args.split > 1:
        cases.append(
            (
                f"{max(sizes) // 1000}k lines, {args.split} files",
                synth_files(max(sizes), args.split),
            )
        )
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as temporary:
        rows = [bench_case(name, texts, args.work or Path(temporary)) for name, texts in cases]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    out = table(rows) + f"\n\n{os.cpu_count()} CPUs; load average (1/5/15 min) at the end: {load}"
    print(out)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"scale-{datetime.now():%Y%m%d-%H%M%S}.md").write_text(out + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
