"""Benchmark the in-process generator on this machine: cold GGUF conversion, warm cache load,
time to first token and decode tokens/s on a ~1,200-token retrieval prompt, and peak RSS, for
bfloat16 and float32; then whether the two dtypes' greedy answers agree.

Every measurement runs in a fresh subprocess, so load times include a real start and each row's
peak RSS (ru_maxrss) is its own.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_model.py [--runs 3] [--threads 1]

On a shared machine torch's default threads collapse to ~1 tok/s whenever other processes keep
the cores busy (threads wait on each other); `--threads 1` is then the steadier comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.settings import Settings  # noqa: E402

DTYPES = ("bfloat16", "float32")
SYSTEM = ("You answer questions about the user's AWS notes. Use only the numbered notes below; "
          "cite them like [2]. If the notes do not say, answer that they do not.")
# Five retrieved outline branches, numbered as a prompt would show them (made up, AWS style).
BRANCHES_FILE = Path(__file__).with_name("sample_branches.md")
QUESTION = ("When a photo is uploaded to our bucket, three different services need to react to it. "
            "What is the cleanest way to wire that up, and how do we avoid losing events?")
SHORT_PROMPTS = ["What does a dead-letter queue do?", "Explain VPC peering in two sentences.",
                 "List three ways to encrypt data at rest on AWS."]


def retrieval_messages() -> list[dict[str, str]]:
    notes = BRANCHES_FILE.read_text(encoding="utf-8").strip()
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Notes:\n{notes}\n\nQuestion: {QUESTION}"}]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def row_convert(cache: Path) -> dict:
    from assistant.gguf_cache import ensure_converted
    from assistant.model import bundled_gguf

    import transformers  # noqa: F401  imported before the clock starts: timed apart, below

    started = time.perf_counter()
    _, converted = ensure_converted(bundled_gguf(), cache)
    assert converted, "cold row found an existing cache"
    return {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb()}


def row_load(cache: Path, dtype: str) -> dict:
    from assistant.model import load_generator

    started = time.perf_counter()
    import torch, transformers  # noqa: E401, F401  a real start pays for these imports
    imported = time.perf_counter()
    generator = load_generator(replace(Settings(), cache_dir=cache, device="cpu", dtype=dtype))
    assert not generator.info.converted
    return {"import_s": imported - started, "load_s": time.perf_counter() - imported,
            "rss_mb": peak_rss_mb()}


def timed_stream(generator, messages: list[dict[str, str]], max_new_tokens: int) -> dict:
    """Wall and CPU clocks at start, first piece and end. With one torch thread, tokens per
    CPU-second is what an idle core would give, whatever else the machine is running."""
    clocks = [(time.perf_counter(), time.process_time())]
    pieces = []
    for piece in generator.stream(messages, max_new_tokens):
        if not pieces:
            clocks.append((time.perf_counter(), time.process_time()))
        pieces.append(piece)
    clocks.append((time.perf_counter(), time.process_time()))
    (wall0, cpu0), (wall1, cpu1), (wall2, cpu2) = clocks
    text = "".join(pieces)
    tokens = generator.count_tokens(text)  # re-tokenized answer: ±1 of the generated count
    return {"ttft_s": wall1 - wall0, "ttft_cpu_s": cpu1 - cpu0, "tokens": tokens, "text": text,
            "tok_s": (tokens - 1) / (wall2 - wall1), "tok_cpu_s": (tokens - 1) / (cpu2 - cpu1)}


def row_generate(cache: Path, dtype: str, max_new_tokens: int, with_short: bool) -> dict:
    import torch

    from assistant.model import load_generator

    if os.environ.get("BENCH_THREADS"):
        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    generator = load_generator(replace(Settings(), cache_dir=cache, device="cpu", dtype=dtype))
    messages = retrieval_messages()
    list(generator.stream(messages[:1], 4))  # warm-up: one-time kernel set-up is not decode speed
    timed = timed_stream(generator, messages, max_new_tokens)
    timed["prompt_tokens"] = generator.count_tokens("".join(m["content"] for m in messages))
    short = [timed_stream(generator, [{"role": "user", "content": p}], 48)["text"]
             for p in SHORT_PROMPTS] if with_short else []
    return {**timed, "short": short, "rss_mb": peak_rss_mb()}


def run_row(*args: str, threads: int = 0) -> dict:
    command = [sys.executable, __file__, "--row", *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "BENCH_THREADS": str(threads or "")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def agreement(a: str, b: str) -> str:
    if a == b:
        return "identical"
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"same first {same} chars of {max(len(a), len(b))}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median shown)")
    parser.add_argument("--convert-runs", type=int, default=1, help="cold conversions (~20 s each)")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--row", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        kind, cache, *rest = args.row
        rows = {"convert": lambda: row_convert(Path(cache)),
                "load": lambda: row_load(Path(cache), rest[0]),
                "generate": lambda: row_generate(
                    Path(cache), rest[0], int(rest[1]), rest[2] == "True")}
        print(json.dumps(rows[kind]()))
        return
    with tempfile.TemporaryDirectory(prefix="branchwise-bench-") as tmp:
        report(Path(tmp), args)


def report(tmp: Path, args: argparse.Namespace) -> None:
    med = statistics.median
    converts = [run_row("convert", str(tmp / f"c{i}")) for i in range(args.convert_runs)]
    cache = str(tmp / "c0")
    print(f"cold GGUF conversion: {med(c['seconds'] for c in converts):.1f} s "
          f"(n={len(converts)}), peak RSS {max(c['rss_mb'] for c in converts):.0f} MB")
    # Rows alternate dtypes run by run, so load from other processes on the machine hits both alike.
    loads = {d: [] for d in DTYPES}
    gens = {d: [] for d in DTYPES}
    for i in range(args.runs):
        for dtype in DTYPES:
            loads[dtype].append(run_row("load", cache, dtype))
            gens[dtype].append(run_row("generate", cache, dtype, str(args.max_new_tokens),
                                       str(i == 0), threads=args.threads))
    print(f"{'dtype':9} {'import s':>8} {'load s':>7} {'prompt tok':>10} {'TTFT s':>7} "
          f"{'tok/s':>6} {'TTFT cpu-s':>10} {'tok/cpu-s':>9} {'new tok':>7} {'peak RSS MB':>11}")
    for dtype in DTYPES:
        ld, gn = loads[dtype], gens[dtype]
        print(f"{dtype:9} {med(x['import_s'] for x in ld):8.2f} "
              f"{med(x['load_s'] for x in ld):7.2f} "
              f"{gn[0]['prompt_tokens']:10d} {med(g['ttft_s'] for g in gn):7.2f} "
              f"{med(g['tok_s'] for g in gn):6.1f} {med(g['ttft_cpu_s'] for g in gn):10.2f} "
              f"{med(g['tok_cpu_s'] for g in gn):9.1f} {gn[0]['tokens']:7d} "
              f"{max(g['rss_mb'] for g in gn):11.0f}")
        per_run = ", ".join(f"{g['tok_s']:.1f}/{g['tok_cpu_s']:.1f}" for g in gn)
        print(f"{'':9} tok/s / tok per cpu-s, each run: {per_run}")
    print(f"(median of {args.runs} runs; threads={args.threads or 'default'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print("\ngreedy agreement, bfloat16 vs float32:")
    texts = {d: [gens[d][0]["text"], *gens[d][0]["short"]] for d in DTYPES}
    for prompt, a, b in zip(["retrieval prompt", *SHORT_PROMPTS], *texts.values()):
        print(f"  {prompt[:40]:40} {agreement(a, b)}")
    for dtype, outs in texts.items():
        print(f"\n{dtype} answer to the retrieval prompt:\n{outs[0]}")


if __name__ == "__main__":
    main()
