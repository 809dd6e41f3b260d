"""A real `transformers serve` on a free loopback port, serving the bundled model from its converted
cache folder: `RemoteGenerator` streams from it, concurrent clients get their own answers, the
whole `Assistant` answers through it, and a server that stalls or dies mid-answer leaves the partial
text and a clear error.

Each server takes ~5-20 s to start; the file runs in about two minutes on two busy cores.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from conftest import REPO_ROOT

from assistant.answer_text import as_shown
from assistant.gguf_cache import ensure_converted
from assistant.model import bundled_gguf
from assistant.remote import GenerationIncomplete, RemoteGenerator
from core.errors import ModelUnavailableError
from core.settings import Settings

pytestmark = pytest.mark.model

SERVE = REPO_ROOT / ".venv" / "bin" / "transformers"
START_SECONDS = 120
QUESTION = [{"role": "user", "content": "What is Amazon S3? Answer in one sentence."}]


class Server:
    """`transformers serve FOLDER` as a child process, its output in a log file."""

    def __init__(self, folder: Path, log: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url, self.log = f"http://127.0.0.1:{self.port}/v1", log
        command = [
            str(SERVE),
            "serve",
            str(folder),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--device",
            "cpu",
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HF_HUB_OFFLINE": "1"},
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"transformers serve exited:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/models", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        pytest.fail(
            f"transformers serve not ready after {START_SECONDS} s:\n{self.log.read_text()[-2000:]}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a stalled server could not act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def model_folder() -> Path:
    """The converted bundled model, in the cache every entry point uses (converted once, ~20 s)."""
    folder, _ = ensure_converted(bundled_gguf(), Settings.from_env().cache_dir)
    return folder


def started(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    server = Server(folder, tmp_path_factory.mktemp("serve") / "serve.log")
    server.wait_ready()
    return server


@pytest.fixture(scope="module")
def server(model_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = started(model_folder, tmp_path_factory)
    yield running
    running.stop()


def test_a_streamed_answer_comes_from_the_served_cache_folder(
    server: Server, model_folder: Path
) -> None:
    generator = RemoteGenerator(server.url)  # no model name: the server's only model

    pieces = list(generator.stream(QUESTION, max_new_tokens=12))

    assert generator.name == str(model_folder)
    assert len(pieces) >= 3 and "".join(pieces).strip()


def test_a_wrong_model_name_lists_the_one_the_server_serves(
    server: Server, model_folder: Path
) -> None:
    with pytest.raises(ModelUnavailableError) as caught:
        list(RemoteGenerator(server.url, "no-such-model").stream(QUESTION, max_new_tokens=4))

    assert f"serves: {model_folder}" in str(caught.value)


def test_concurrent_clients_get_the_answers_they_get_alone(server: Server) -> None:
    generator = RemoteGenerator(server.url, in_flight=3)
    prompts = [
        [{"role": "user", "content": f"Name one use of {topic} in AWS."}]
        for topic in ("Amazon EC2", "Amazon DynamoDB", "AWS Lambda")
    ]
    alone = ["".join(generator.stream(p, max_new_tokens=8)) for p in prompts]
    together: dict[int, str] = {}

    def ask(n: int) -> None:
        together[n] = "".join(generator.stream(prompts[n], max_new_tokens=8))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(prompts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert [together.get(n) for n in range(len(prompts))] == alone


class CountingRemote(RemoteGenerator):
    """The real remote generator, counting the streams the pipeline opens."""

    streams = 0

    def stream(self, messages, max_new_tokens=256, allowed=None, attempt=0):
        self.streams += 1
        yield from super().stream(messages, max_new_tokens, allowed, attempt)


def test_the_assistant_streams_a_cited_answer_through_the_server(
    server: Server, seed_index
) -> None:
    from assistant.pipeline import MAX_ATTEMPTS, Assistant

    settings, retriever = seed_index
    generator = CountingRemote(server.url)
    stream = Assistant(retriever, generator, settings).ask(
        "How can I keep an S3 bucket from being public?"
    )

    pieces = list(stream)

    answer = stream.answer
    assert 1 <= generator.streams <= MAX_ATTEMPTS and as_shown(pieces) == answer.text
    assert not answer.refused and answer.citations and not answer.incomplete
    assert {f"[{c.n}]" for c in answer.citations} <= set(re.findall(r"\[\d+\]", answer.text))


def test_a_server_that_stalls_mid_answer_gives_the_partial_text_then_recovers(
    server: Server,
) -> None:
    received: list[str] = []
    stream = RemoteGenerator(server.url, timeout=3).stream(QUESTION, max_new_tokens=200)
    received.append(next(stream))
    server.process.send_signal(signal.SIGSTOP)
    try:
        with pytest.raises(GenerationIncomplete) as caught:
            received.extend(stream)
    finally:
        server.process.send_signal(signal.SIGCONT)

    assert caught.value.partial == "".join(received) and received
    assert caught.value.reason == "no data for 3 s" and server.url in str(caught.value)
    assert "".join(RemoteGenerator(server.url).stream(QUESTION, max_new_tokens=4)).strip()


def test_a_server_killed_mid_answer_keeps_the_partial_text_and_then_says_it_is_down(
    model_folder: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    doomed = started(model_folder, tmp_path_factory)
    generator = RemoteGenerator(doomed.url, max_retries=0)
    received: list[str] = []
    try:
        stream = generator.stream(QUESTION, max_new_tokens=200)
        received.extend([next(stream), next(stream)])
        doomed.process.kill()
        with pytest.raises(GenerationIncomplete) as caught:
            received.extend(stream)
        doomed.process.wait(10)
        with pytest.raises(ModelUnavailableError) as down:
            list(generator.stream(QUESTION, max_new_tokens=4))
    finally:
        doomed.stop()

    assert caught.value.partial == "".join(received) and len(received) >= 2
    assert doomed.url in str(caught.value) and "incomplete" in str(caught.value)
    assert "Cannot reach the model server" in str(down.value) and "Is it running?" in str(
        down.value
    )
