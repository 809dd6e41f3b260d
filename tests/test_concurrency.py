"""Several chat sessions at once in one process: the shared `LocalGenerator` gives each stream the
greedy answer it gives alone (streams take turns; `busy()` says when one waits), and the shared
read-only `Retriever` returns the same hits from many threads as from one."""

from __future__ import annotations

import threading
from typing import Callable

import pytest

from assistant.model import LocalGenerator, load_generator
from core.settings import Settings

pytestmark = pytest.mark.model

PROMPTS = [
    [{"role": "user", "content": f"In one sentence, what is {topic}?"}]
    for topic in ("Amazon S3", "an AWS VPC", "AWS IAM")
]
QUESTIONS = [
    "How do I make an S3 bucket private?",
    "When should I pick DynamoDB over RDS?",
    "What does a NAT gateway do?",
    "How does an Auto Scaling group replace instances?",
    "What is the difference between SQS and SNS?",
    "How are CloudFront caches invalidated?",
    "Which EBS volume type suits a database?",
    "How do IAM roles differ from users?",
]


@pytest.fixture(scope="module")
def generator() -> LocalGenerator:
    """The bundled model from the cache every entry point uses (converted there once, ~20 s)."""
    return load_generator(Settings(cache_dir=Settings.from_env().cache_dir))


def run_together(count: int, work: Callable[[int], object]) -> dict[int, object]:
    """Run `work(0..count-1)` in threads released at the same moment; results by index."""
    results: dict[int, object] = {}
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


def test_concurrent_streams_each_get_the_answer_their_prompt_gets_alone(generator) -> None:
    alone = ["".join(generator.stream(prompt, max_new_tokens=6)) for prompt in PROMPTS]

    together = run_together(
        len(PROMPTS), lambda n: "".join(generator.stream(PROMPTS[n], max_new_tokens=6))
    )

    assert [together.get(n) for n in range(len(PROMPTS))] == alone
    assert len(set(alone)) == len(PROMPTS)  # different prompts, so a swapped answer would show
    assert not generator.busy()


def test_a_stream_waits_while_another_holds_the_model_and_busy_says_so(generator) -> None:
    holder = generator.stream(PROMPTS[0], max_new_tokens=200)
    next(holder)
    waiter_pieces: list[str] = []
    waiter = threading.Thread(
        target=lambda: waiter_pieces.extend(generator.stream(PROMPTS[1], max_new_tokens=4))
    )

    waiter.start()
    waiter.join(1.0)
    assert generator.busy() and waiter.is_alive() and not waiter_pieces

    holder.close()
    waiter.join(120)
    assert not waiter.is_alive() and "".join(waiter_pieces).strip()
    assert not generator.busy()


def test_concurrent_searches_return_what_sequential_searches_return(seed_index) -> None:
    _, retriever = seed_index

    def ranked(question: str) -> list[tuple[str, float]]:
        return [(hit.chunk.id, round(hit.score, 6)) for hit in retriever.search(question, k=5)]

    sequential = [ranked(q) for q in QUESTIONS]
    # Each of 8 threads asks every question, starting at a different one, so calls interleave.
    together = run_together(
        len(QUESTIONS),
        lambda n: [ranked(QUESTIONS[(n + i) % len(QUESTIONS)]) for i in range(len(QUESTIONS))],
    )

    for n in range(len(QUESTIONS)):
        rotated = [sequential[(n + i) % len(QUESTIONS)] for i in range(len(QUESTIONS))]
        assert together[n] == rotated
