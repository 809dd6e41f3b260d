"""Load test on loopback: C clients, each asking Q questions in a row, all at once, through one
shared `Assistant`: with the in-process model, and with the same model behind `transformers serve`.

Every answer is checked against a sequential run of the same question: a different retrieval,
citation or quoted outline text is a mixed-up answer; an exception is an error. The model's
sentences are not compared: after a greedy first attempt the model samples (assistant/pipeline.py),
so they may differ from run to run, and each passed the verifier against its own answer's notes.
Prints a markdown table: answers made of verified model sentences (the rest fell back to quoted
outline lines), latency p50/p95, first piece p50, throughput, errors, mix-ups. The questions are
generic AWS ones written for this bench.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_load.py [--clients 8] [--questions 5]
        [--backend both|inprocess|server] [--index DIR]
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core.startup import start  # noqa: E402

start()

from core.settings import REPO_ROOT, Settings  # noqa: E402

POOL = [
    "How can I keep an S3 bucket from being public?",
    "What is a VPC subnet used for?",
    "When is DynamoDB a better fit than a relational database?",
    "How does an ALB route requests?",
    "What does CloudFront cache?",
    "How do I give an EC2 instance access to S3 without keys?",
    "What are Lambda's limits?",
    "How does Route 53 fail over between regions?",
    "What is the difference between SQS and SNS?",
    "How do I encrypt data at rest on AWS?",
]
SERVE = REPO_ROOT / ".venv" / "bin" / "transformers"
# bfloat16 measured ~10x slower in `transformers serve` on a 2-core AVX512-BF16 CPU (its decode
# attention has no fast bf16 path there; the in-process model registers one), so the server runs
# the cache folder's own float32 weights.
SERVE_DTYPE = "float32"


@dataclass(frozen=True)
class Result:
    question: str
    seconds: float
    first: float | None  # seconds to the first streamed piece
    hits: tuple[str, ...]  # retrieved chunk ids, in rank order
    cited: tuple[str, ...]  # cited chunk ids, in citation order
    quoted: str = ""  # the quoted outline lines (or the refusal): the same on every run
    mode: str = ""  # "model": verified model sentences; "extractive": quoted outline lines
    error: str = ""


def ask(assistant, question: str) -> Result:
    started = time.perf_counter()
    first = None
    quoted = []
    try:
        stream = assistant.ask(question)
        for piece in stream:
            first = first if first is not None else time.perf_counter() - started
            if piece.place != "model":
                quoted.append(str(piece))
        answer = stream.answer
    except Exception as exc:  # a bench counts failures of any kind instead of stopping
        return Result(
            question,
            time.perf_counter() - started,
            first,
            (),
            (),
            "",
            "",
            f"{type(exc).__name__}: {exc}",
        )
    return Result(
        question,
        time.perf_counter() - started,
        first,
        tuple(h.chunk.id for h in answer.hits),
        tuple(c.id for c in answer.citations),
        "".join(quoted),
        answer.mode,
    )


def under_load(assistant, clients: int, per_client: int) -> tuple[list[Result], float]:
    """All clients start together; client c asks POOL[c], POOL[c+1], … in a row."""
    results: list[Result] = []
    start = threading.Barrier(clients + 1)

    def client(c: int) -> None:
        start.wait()
        for i in range(per_client):
            results.append(ask(assistant, POOL[(c + i) % len(POOL)]))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def mixed_up(result: Result, alone: Result) -> bool:
    """Under load, an answer must retrieve, cite and quote what it did alone."""
    return (result.hits, result.cited, result.quoted) != (alone.hits, alone.cited, alone.quoted)


def row(
    backend: str, load: str, results: list[Result], wall: float, reference: dict[str, Result]
) -> str:
    ok = [r for r in results if not r.error]
    mixed = sum(1 for r in ok if mixed_up(r, reference[r.question]))
    seconds = [r.seconds for r in ok] or [0.0]
    firsts = [r.first for r in ok if r.first is not None] or [0.0]
    by_model = sum(1 for r in ok if r.mode == "model")
    return (
        f"| {backend} | {load} | {len(results)} | {by_model} | {pct(seconds, 50):.1f} | "
        f"{pct(seconds, 95):.1f} | {pct(firsts, 50):.1f} | {len(results) / wall * 60:.1f} | "
        f"{len(results) - len(ok)} | {mixed} |"
    )


def bench(backend: str, assistant, clients: int, per_client: int) -> list[str]:
    asked = sorted({POOL[(c + i) % len(POOL)] for c in range(clients) for i in range(per_client)})
    began = time.perf_counter()
    reference = {q: ask(assistant, q) for q in asked}
    alone = time.perf_counter() - began
    rows = [row(backend, "1 client, sequential", list(reference.values()), alone, reference)]
    results, wall = under_load(assistant, clients, per_client)
    rows.append(row(backend, f"{clients} clients × {per_client}", results, wall, reference))
    for r in (*reference.values(), *results):
        if r.error:
            print(f"error ({backend}): {r.question}: {r.error}", file=sys.stderr)
    return rows


def retriever_for(index_dir: Path | None, workdir: Path):
    from indexer.build import build_index
    from indexer.embed import SentenceTransformerEmbedder
    from indexer.store import load_index
    from retriever.search import Retriever

    embedder = SentenceTransformerEmbedder()
    settings = Settings(seeds=(REPO_ROOT / "seeds",), index_dir=index_dir or workdir / "index")
    if index_dir is None:
        build_index(settings, embedder)
    return Retriever(load_index(settings.index_dir, embedder.model_id), embedder)


def start_server(folder: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        str(SERVE),
        "serve",
        str(folder),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
        "--dtype",
        SERVE_DTYPE,
    ]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        if process.poll() is not None:
            sys.exit(f"transformers serve exited:\n{log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/models", timeout=2).close()
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    sys.exit("transformers serve was not ready after 120 s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--backend", choices=("both", "inprocess", "server"), default="both")
    parser.add_argument(
        "--index", type=Path, help="an index of the seed outline (default: build one)"
    )
    args = parser.parse_args()
    from assistant.model import load_generator
    from assistant.pipeline import Assistant
    from assistant.remote import RemoteGenerator

    settings = Settings.from_env()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        retriever = retriever_for(args.index, Path(tmp))
        local = load_generator(settings)  # also converts the GGUF the server then serves
        if args.backend in ("both", "inprocess"):
            rows += bench(
                f"in-process ({local.info.dtype})",
                Assistant(retriever, local, settings),
                args.clients,
                args.questions,
            )
        if args.backend in ("both", "server"):
            process, url = start_server(Path(local.info.folder), Path(tmp) / "serve.log")
            try:
                remote = RemoteGenerator(url)
                rows += bench(
                    f"transformers serve ({SERVE_DTYPE})",
                    Assistant(retriever, remote, settings),
                    args.clients,
                    args.questions,
                )
            finally:
                stop(process)
    print(
        "| backend | load | answers | from the model | latency p50 s | p95 s | first piece p50 s "
        "| answers/min | errors | mixed-up |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
