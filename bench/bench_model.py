"""Benchmark the in-process generator on this machine: cold GGUF conversion, warm cache load,
time to first token and decode tokens/s on a ~1,200-token retrieval prompt, and peak RSS, for
bfloat16 and float32; then whether the two dtypes' greedy answers agree.

Every measurement runs in a fresh subprocess, so load times include a real start and each row's
peak RSS (ru_maxrss) is its own.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_model.py [--runs 3] [--convert-runs 1]
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
BRANCHES = [
    ("AWS Solution Architecture > S3 > Event Notifications",
     "- Events: s3:ObjectCreated:*, s3:ObjectRemoved:*, s3:ObjectRestore:*, s3:Replication:*\n"
     "- Filter by object key prefix and suffix, e.g. uploads/ and .jpg\n"
     "- Destinations\n  - SNS topic\n  - SQS standard queue (FIFO queues not supported)\n"
     "  - Lambda function (asynchronous invocation)\n"
     "- Resource policy on the destination must allow s3.amazonaws.com to publish\n"
     "- Delivery is typically seconds, occasionally a minute or longer\n"
     "- Versioning on: two writes to the same key in one instant can produce a single notification\n"
     "- Amazon EventBridge integration\n  - Turn on once per bucket, all events go to the default bus\n"
     "  - Advanced filtering on metadata, object size, key name\n"
     "  - Multiple destinations, archive and replay, reliable delivery"),
    ("AWS Solution Architecture > SNS > Fan-out pattern",
     "- Publish once to an SNS topic, deliver to many SQS queues\n"
     "- Fully decoupled, no data loss: each queue keeps messages until consumers delete them\n"
     "- SQS adds data persistence, delayed processing and retries of work\n"
     "- Add more SQS subscribers over time without touching the publisher\n"
     "- The SQS queue access policy must allow the SNS topic to write\n"
     "- Cross-region delivery works: a topic can feed queues in other regions\n"
     "- S3 events to multiple queues\n"
     "  - One event type and prefix combination can only have one S3 event rule\n"
     "  - To send the same S3 event to many queues, use fan-out through SNS\n"
     "- FIFO topics fan out to FIFO queues, keeping ordering and deduplication\n"
     "- Message filtering: JSON filter policy on each subscription, e.g. only state=placed"),
    ("AWS Solution Architecture > Lambda > Invocation models",
     "- Synchronous: CLI, SDK, API Gateway, ALB; the caller handles errors and retries\n"
     "- Asynchronous: S3, SNS, CloudWatch Events / EventBridge\n"
     "  - Events go to an internal queue; Lambda retries twice on error (3 tries in total)\n"
     "  - Make processing idempotent: retries can deliver an event more than once\n"
     "  - Failed events can go to a dead-letter queue (SNS or SQS) or an on-failure destination\n"
     "- Event source mapping: Kinesis Data Streams, DynamoDB Streams, SQS and SQS FIFO, MSK\n"
     "  - Lambda polls the source and invokes the function with batches of records\n"
     "  - SQS: batch size up to 10,000 with a batch window; failed items return to the queue\n"
     "  - Streams: processes shards in order, a failing batch blocks its shard until it expires\n"
     "- Destinations: send the result of an async invocation to SQS, SNS, Lambda or EventBridge"),
    ("AWS Solution Architecture > SQS > Standard queues",
     "- Unlimited throughput and unlimited number of messages in the queue\n"
     "- Default retention 4 days, maximum 14 days\n"
     "- Low latency, under 10 ms on publish and receive\n"
     "- Message size limit 256 KB; use the extended client with S3 for larger payloads\n"
     "- At-least-once delivery: duplicates are possible\n"
     "- Best-effort ordering: messages can arrive out of order\n"
     "- Visibility timeout: default 30 s; a message received is hidden from other consumers\n"
     "  - Call ChangeMessageVisibility to get more time while processing\n"
     "- Dead-letter queue after maxReceiveCount attempts; redrive back to the source queue later\n"
     "- Scale consumers horizontally, e.g. an Auto Scaling group on ApproximateNumberOfMessages"),
    ("AWS Solution Architecture > EventBridge > Rules and buses",
     "- Default event bus receives events from AWS services\n"
     "- Partner event buses for SaaS partners such as Zendesk, Datadog, Auth0\n"
     "- Custom event buses for your own applications; resource policy allows other accounts\n"
     "- Rules match event patterns (JSON) or run on a schedule (cron or rate expressions)\n"
     "- Targets: Lambda, Step Functions, SQS, SNS, Kinesis, ECS tasks, API destinations\n"
     "- Up to 5 targets per rule; input transformer reshapes the event before delivery\n"
     "- Archive events and replay them later, e.g. after fixing a bug in a consumer\n"
     "- Schema registry infers schemas from events and generates code bindings\n"
     "- Pipes connect a source such as SQS or DynamoDB Streams to a target with filtering"),
]
QUESTION = ("When a photo is uploaded to our bucket, three different services need to react to it. "
            "What is the cleanest way to wire that up, and how do we avoid losing events?")
SHORT_PROMPTS = ["What does a dead-letter queue do?", "Explain VPC peering in two sentences.",
                 "List three ways to encrypt data at rest on AWS."]


def retrieval_messages() -> list[dict[str, str]]:
    notes = "\n\n".join(f"[{i}] {path}\n{body}" for i, (path, body) in enumerate(BRANCHES, 1))
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
    started = time.perf_counter()
    pieces, first = [], None
    for piece in generator.stream(messages, max_new_tokens):
        first = first or time.perf_counter()
        pieces.append(piece)
    ended = time.perf_counter()
    text = "".join(pieces)
    tokens = generator.count_tokens(text)  # re-tokenized answer: ±1 of the generated count
    return {"ttft_s": first - started, "tokens": tokens, "text": text,
            "tok_s": (tokens - 1) / (ended - first) if tokens > 1 else 0.0}


def row_generate(cache: Path, dtype: str, runs: int, max_new_tokens: int) -> dict:
    from assistant.model import load_generator

    generator = load_generator(replace(Settings(), cache_dir=cache, device="cpu", dtype=dtype))
    messages = retrieval_messages()
    prompt_tokens = generator.count_tokens(messages[0]["content"] + messages[1]["content"])
    timed = [timed_stream(generator, messages, max_new_tokens) for _ in range(runs)]
    short = [timed_stream(generator, [{"role": "user", "content": p}], 48)["text"]
             for p in SHORT_PROMPTS]
    return {"prompt_tokens": prompt_tokens, "runs": timed, "short": short, "rss_mb": peak_rss_mb()}


def run_row(*args: str) -> dict:
    command = [sys.executable, __file__, "--row", *args]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def agreement(a: str, b: str) -> str:
    if a == b:
        return "identical"
    same = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"same first {same} chars of {max(len(a), len(b))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median shown)")
    parser.add_argument("--convert-runs", type=int, default=1, help="cold conversions (~20 s each)")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--row", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        kind, cache, *rest = args.row
        rows = {"convert": lambda: row_convert(Path(cache)),
                "load": lambda: row_load(Path(cache), rest[0]),
                "generate": lambda: row_generate(Path(cache), rest[0], args.runs, args.max_new_tokens)}
        print(json.dumps(rows[kind]()))
        return
    with tempfile.TemporaryDirectory(prefix="branchwise-bench-") as tmp:
        report(Path(tmp), args)


def report(tmp: Path, args: argparse.Namespace) -> None:
    med = statistics.median
    converts = [run_row("convert", str(tmp / f"c{i}")) for i in range(args.convert_runs)]
    cache = tmp / "c0"
    print(f"cold GGUF conversion: {med(c['seconds'] for c in converts):.1f} s "
          f"(n={len(converts)}), peak RSS {max(c['rss_mb'] for c in converts):.0f} MB")
    print(f"{'dtype':9} {'import s':>8} {'load s':>7} {'prompt tok':>10} {'TTFT s':>7} "
          f"{'decode tok/s':>12} {'new tok':>7} {'peak RSS MB':>11}")
    texts = {}
    for dtype in DTYPES:
        loads = [run_row("load", str(cache), dtype) for _ in range(args.runs)]
        gen = run_row("generate", str(cache), dtype)
        runs = gen["runs"]
        texts[dtype] = [runs[0]["text"], *gen["short"]]
        print(f"{dtype:9} {med(x['import_s'] for x in loads):8.2f} {med(x['load_s'] for x in loads):7.2f} "
              f"{gen['prompt_tokens']:10d} {med(r['ttft_s'] for r in runs):7.2f} "
              f"{med(r['tok_s'] for r in runs):12.1f} {runs[0]['tokens']:7d} {gen['rss_mb']:11.0f}")
    print("\ngreedy agreement, bfloat16 vs float32:")
    for prompt, a, b in zip(["retrieval prompt", *SHORT_PROMPTS], *texts.values()):
        print(f"  {prompt[:40]:40} {agreement(a, b)}")
    for dtype, outs in texts.items():
        print(f"\n{dtype} answer to the retrieval prompt:\n{outs[0]}")


if __name__ == "__main__":
    main()
