"""Benchmark the in-process generator's engines side by side on this machine, on the same prompts:
CTranslate2 int8 (the CPU default), transformers float32 (the fallback) and, with --bf16,
transformers bfloat16. Per engine: load from the converted cache, time to first token on a
~300-token retrieval prompt (prefill), decode tokens/s free and constrained to the notes
(`stream(..., allowed=...)`), and peak RSS; once: the cold GGUF and CTranslate2 conversions.

Every measurement runs in a fresh subprocess, so load times include a real start and each row's
peak RSS (ru_maxrss) is its own. Medians over --runs; rows alternate engines run by run, so other
load on the machine hits all of them alike.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_model.py [--runs 3] [--bf16] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.startup import start  # noqa: E402

start()

from core.settings import Settings  # noqa: E402

ENGINES = {
    "ctranslate2 int8": ("ctranslate2", "auto"),
    "transformers fp32": ("transformers", "float32"),
}
BF16 = {"transformers bf16": ("transformers", "bfloat16")}
SYSTEM = (
    "You answer questions about the user's AWS notes. Use only the numbered notes below; "
    "cite them like [2]. If the notes do not say, answer that they do not."
)
BRANCHES_FILE = Path(__file__).with_name("sample_branches.md")
QUESTION = (
    "When a photo is uploaded to our bucket, three different services need to react to it. "
    "What is the cleanest way to wire that up, and how do we avoid losing events?"
)
PROMPT_TOKENS = 300


def notes(generator) -> list[str]:
    """The first lines of the sample branches, as many as make a ~300-token prompt."""
    lines, kept = BRANCHES_FILE.read_text(encoding="utf-8").strip().splitlines(), []
    for line in lines:
        kept.append(line)
        if generator.count_tokens(SYSTEM + QUESTION + "\n".join(kept)) >= PROMPT_TOKENS - 20:
            break
    return kept


def messages_for(kept: list[str]) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Notes:\n" + "\n".join(kept) + f"\n\nQuestion: {QUESTION}"},
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def settings_for(cache: Path, engine: str, dtype: str) -> Settings:
    return replace(Settings(), cache_dir=cache, device="cpu", engine=engine, dtype=dtype)


def row_convert_gguf(cache: Path) -> dict:
    import transformers  # noqa: F401  imported before the clock starts

    from assistant.gguf_cache import ensure_converted
    from assistant.model import bundled_gguf

    started = time.perf_counter()
    _, converted = ensure_converted(bundled_gguf(), cache)
    assert converted, "cold row found an existing cache"
    return {"seconds": time.perf_counter() - started}


def row_convert_ct2(cache: Path) -> dict:
    import ctranslate2.converters  # noqa: E401, F401  imported before the clock

    from assistant.ct2_engine import ensure_ct2
    from assistant.gguf_cache import ensure_converted
    from assistant.model import bundled_gguf

    folder, _ = ensure_converted(bundled_gguf(), cache)
    started = time.perf_counter()
    _, converted = ensure_ct2(str(folder), cache)
    assert converted, "cold row found an existing CTranslate2 copy"
    return {"seconds": time.perf_counter() - started, "rss_mb": peak_rss_mb()}


def row_load(cache: Path, engine: str, dtype: str) -> dict:
    """Wall time a fresh process pays: imports, then `load_generator` from the cache."""
    started = time.perf_counter()
    from assistant.model import load_generator

    generator = load_generator(settings_for(cache, engine, dtype))
    assert not generator.info.converted
    return {"start_s": time.perf_counter() - started, "load_s": generator.info.seconds}


def timed_stream(generator, messages, max_new_tokens: int, allowed=None) -> dict:
    started, pieces, first = time.perf_counter(), [], 0.0
    for piece in generator.stream(messages, max_new_tokens, allowed=allowed):
        if not pieces:
            first = time.perf_counter()
        pieces.append(piece)
    end, text = time.perf_counter(), "".join(pieces)
    tokens = generator.count_tokens(text)  # re-tokenized answer: ±1 of the generated count
    return {
        "ttft_s": first - started,
        "tok_s": (tokens - 1) / (end - first),
        "tokens": tokens,
        "text": text,
    }


def row_generate(cache: Path, engine: str, dtype: str, max_new_tokens: int) -> dict:
    from assistant.model import load_generator

    generator = load_generator(settings_for(cache, engine, dtype))
    kept = notes(generator)
    messages = messages_for(kept)
    list(generator.stream(messages[:1], 4))  # warm-up: one-time kernel set-up is not decode speed
    free = timed_stream(generator, messages, max_new_tokens)
    bound = timed_stream(generator, messages, max_new_tokens, allowed=[*kept, QUESTION])
    prompt = generator.count_tokens(json.dumps(messages))  # ± the chat template's few tokens
    return {
        "free": free,
        "bound": bound,
        "prompt_tokens": prompt,
        "rss_mb": peak_rss_mb(),
        "corrections": getattr(generator, "corrections", None),
    }


def run_row(*args: str, threads: int = 0) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    done = subprocess.run(
        [sys.executable, __file__, "--row", *args], capture_output=True, text=True, env=env
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median shown)")
    parser.add_argument("--convert-runs", type=int, default=3, help="cold CTranslate2 conversions")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--bf16", action="store_true", help="add transformers bfloat16")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads via OMP_NUM_THREADS (0: torch's default); "
        "CTranslate2 always runs one (assistant/ct2_engine.py)",
    )
    parser.add_argument("--row", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        kind, cache, *rest = args.row
        rows = {
            "gguf": lambda: row_convert_gguf(Path(cache)),
            "ct2": lambda: row_convert_ct2(Path(cache)),
            "load": lambda: row_load(Path(cache), *rest),
            "generate": lambda: row_generate(Path(cache), rest[0], rest[1], int(rest[2])),
        }
        print(json.dumps(rows[kind]()))
        return
    with tempfile.TemporaryDirectory(prefix="branchwise-bench-") as tmp:
        report(Path(tmp), args)


def report(tmp: Path, args: argparse.Namespace) -> None:
    med = statistics.median
    cache = tmp / "cache"
    gguf = run_row("gguf", str(cache))["seconds"]
    ct2 = []
    for _ in range(args.convert_runs):
        for leftover in (cache / "models").glob("*-ct2-int8"):
            shutil.rmtree(leftover)
        ct2.append(run_row("ct2", str(cache))["seconds"])
    print(
        f"cold conversions: GGUF → transformers {gguf:.1f} s (once); transformers → "
        f"CTranslate2 int8 {med(ct2):.1f} s (median of {len(ct2)}: "
        f"{', '.join(f'{s:.1f}' for s in ct2)})\n"
    )
    engines = {**ENGINES, **(BF16 if args.bf16 else {})}
    loads: dict[str, list] = {name: [] for name in engines}
    gens: dict[str, list] = {name: [] for name in engines}
    for _ in range(args.runs):
        for name, (engine, dtype) in engines.items():
            loads[name].append(run_row("load", str(cache), engine, dtype, threads=args.threads))
            gens[name].append(
                run_row(
                    "generate",
                    str(cache),
                    engine,
                    dtype,
                    str(args.max_new_tokens),
                    threads=args.threads,
                )
            )
    print_table(engines, loads, gens, args)


def print_table(engines, loads, gens, args) -> None:
    med = statistics.median
    prompt = gens[next(iter(engines))][0]["prompt_tokens"]
    print(
        f"| engine | load from cache s | process start + load s | TTFT s ({prompt}-token prompt) "
        "| decode tok/s | constrained TTFT s | constrained tok/s | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in engines:
        ld, gn = loads[name], gens[name]
        cells = [
            med(x["load_s"] for x in ld),
            med(x["start_s"] for x in ld),
            med(g["free"]["ttft_s"] for g in gn),
            med(g["free"]["tok_s"] for g in gn),
            med(g["bound"]["ttft_s"] for g in gn),
            med(g["bound"]["tok_s"] for g in gn),
        ]
        print(
            f"| {name} | "
            + " | ".join(f"{c:.2f}" if c < 10 else f"{c:.1f}" for c in cells)
            + f" | {max(g['rss_mb'] for g in gn):.0f} |"
        )
    base = med(g["free"]["tok_s"] for g in gens["transformers fp32"])
    fast = med(g["free"]["tok_s"] for g in gens["ctranslate2 int8"])
    fixes = [g["corrections"] for g in gens["ctranslate2 int8"]]
    print(
        f"\ndecode speed-up, ctranslate2 int8 over transformers fp32: {fast / base:.2f}×; "
        f"CTranslate2 constrained-step corrections per answer: {fixes}"
    )
    print(
        f"(median of {args.runs} runs; threads={args.threads or 'default'}; up to "
        f"{args.max_new_tokens} new tokens; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    for name in engines:
        first = gens[name][0]
        print(
            f"\n{name}, free / constrained answer (run 1):\n{first['free']['text']}\n---\n"
            f"{first['bound']['text']}"
        )


if __name__ == "__main__":
    main()
