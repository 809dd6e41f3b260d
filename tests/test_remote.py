"""Tests for assistant.remote against a scripted OpenAI-compatible server on loopback: the real
`openai` client over real HTTP, with the server's replies (errors, stalls, hang-ups) written by each
test. The real `transformers serve` is in test_server_integration.py; which generator a session
opens, in test_backends.py."""

from __future__ import annotations

import socket
import threading
from typing import Callable, Iterator

import pytest
from openai_stub import MODEL, QUESTION, Handler, Reply, StubServer, status, streamed

from assistant.backends import open_generator
from assistant.remote import GenerationIncomplete, RemoteGenerator, api_base
from core.errors import ModelUnavailableError
from core.settings import Settings


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_the_http_client_has_no_finaliser_to_fail_at_interpreter_exit() -> None:
    # The SDK's default client closes itself in `__del__`; a generator cached by the app is
    # finalised at exit, after its HTTP module's globals are gone: "Exception ignored … CLOSED".
    client = RemoteGenerator("http://127.0.0.1:9", MODEL)._client._client

    assert getattr(type(client), "__del__", None) is None


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_streams_pieces_greedily_with_the_configured_model_and_a_placeholder_key(stub) -> None:
    generator = RemoteGenerator(stub.url, MODEL)

    pieces = list(generator.stream(QUESTION, max_new_tokens=40))

    assert pieces == ["S3 is ", "object storage."]
    [sent] = stub.posts()
    assert (sent["model"], sent["stream"], sent["temperature"]) == (MODEL, True, 0)
    assert sent["max_tokens"] == 40
    assert sent["messages"] == QUESTION
    assert sent["auth"] == "Bearer not-needed"
    assert generator.name == MODEL and not generator.busy()


def test_an_api_key_is_sent_as_a_bearer_token(stub) -> None:
    list(RemoteGenerator(stub.url, MODEL, api_key="sk-local").stream(QUESTION))

    assert stub.posts()[0]["auth"] == "Bearer sk-local"


def test_without_a_model_name_the_servers_first_listed_model_is_used(stub) -> None:
    stub.models = ["served-one", "other"]
    generator = RemoteGenerator(stub.url)

    list(generator.stream(QUESTION))

    assert stub.posts()[0]["model"] == "served-one" == generator.name


def test_a_bare_host_gains_v1_and_a_non_http_url_is_refused() -> None:
    assert api_base("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/v1"
    assert api_base("https://gpu.example/openai/v1") == "https://gpu.example/openai/v1"
    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_LLM_URL"):
        RemoteGenerator("localhost:8000")


def test_server_down_names_the_url_and_what_to_check() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    generator = RemoteGenerator(url, MODEL, max_retries=0)

    with pytest.raises(ModelUnavailableError) as caught:
        list(generator.stream(QUESTION))

    message = str(caught.value)
    assert url in message and "Is it running?" in message and "BRANCHWISE_LLM_URL" in message


@pytest.mark.parametrize(
    "reply",
    [
        status(
            404, {"error": {"message": "The model `wrong` does not exist.", "code": 404}}
        ),  # vLLM
        status(
            400, {"detail": "Server is pinned to 'tiny-chat'; requested 'wrong'."}
        ),  # transformers
    ],
)
def test_wrong_model_name_lists_the_served_models(stub, reply: Reply) -> None:
    stub.models, stub.replies = ["tiny-chat", "tiny-code"], [reply]

    with pytest.raises(ModelUnavailableError) as caught:
        list(RemoteGenerator(stub.url, "wrong").stream(QUESTION))

    assert "does not serve 'wrong'" in str(caught.value)
    assert "tiny-chat, tiny-code" in str(caught.value)
    assert "BRANCHWISE_LLM_MODEL" in str(caught.value)


def test_rate_limits_are_retried_with_backoff_until_the_server_answers(stub) -> None:
    busy = status(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "10"})
    stub.replies = [busy, busy, streamed("Fine.")]

    pieces = list(RemoteGenerator(stub.url, MODEL, max_retries=2).stream(QUESTION))

    assert pieces == ["Fine."] and len(stub.posts()) == 3


def test_server_errors_are_retried_a_bounded_number_of_times_then_explained(stub) -> None:
    stub.replies = [status(503, {"error": {"message": "overloaded"}}, {"retry-after-ms": "10"})]

    with pytest.raises(ModelUnavailableError) as caught:
        list(RemoteGenerator(stub.url, MODEL, max_retries=2).stream(QUESTION))

    assert len(stub.posts()) == 3
    assert "HTTP 503 (overloaded) 3 times" in str(caught.value) and stub.url in str(caught.value)


def test_a_rejected_key_says_which_setting_to_fix(stub) -> None:
    stub.replies = [status(401, {"error": {"message": "bad key"}})]

    with pytest.raises(ModelUnavailableError, match="BRANCHWISE_LLM_API_KEY"):
        list(RemoteGenerator(stub.url, MODEL).stream(QUESTION))


def consume(generator: RemoteGenerator) -> tuple[list[str], GenerationIncomplete]:
    """Pieces received before the stream failed, and its error."""
    received: list[str] = []
    with pytest.raises(GenerationIncomplete) as caught:
        for piece in generator.stream(QUESTION):
            received.append(piece)
    return received, caught.value


def test_a_stream_cut_before_its_finish_keeps_the_text_and_signals_incomplete(stub) -> None:
    stub.replies = [streamed("S3 stores ", "objects in", finish=None)]

    received, error = consume(RemoteGenerator(stub.url, MODEL))

    assert received == ["S3 stores ", "objects in"]
    assert error.partial == "S3 stores objects in"
    assert "before the answer ended" in error.reason and stub.url in str(error)


def test_a_server_silent_past_the_timeout_mid_answer_signals_incomplete(stub) -> None:
    def stall(handler: Handler, body: dict) -> None:
        handler.start_events()
        handler.event("S3 stores ")
        handler.server.release.wait(30)

    stub.replies = [stall]

    received, error = consume(RemoteGenerator(stub.url, MODEL, timeout=0.5))

    assert received == ["S3 stores "] and error.partial == "S3 stores "
    assert error.reason == "no data for 0.5 s"


def test_an_error_event_mid_stream_signals_incomplete_with_the_servers_words(stub) -> None:
    def fail(handler: Handler, body: dict) -> None:
        handler.start_events()
        handler.event("S3 ")
        handler.wfile.write(b'data: {"error": "CUDA out of memory"}\n\n')

    stub.replies = [fail]

    received, error = consume(RemoteGenerator(stub.url, MODEL))

    assert received == ["S3 "] and "CUDA out of memory" in error.reason


def endless(handler: Handler, body: dict) -> None:
    """Stream "more " until the test ends or the client hangs up (then `hung_up` is set)."""
    handler.start_events()
    try:
        while not handler.server.release.wait(0.02):
            handler.event("more ")
    except OSError:
        handler.server.hung_up.set()


def test_closing_the_stream_early_hangs_up_on_the_server(stub) -> None:
    stub.replies = [endless]
    stream = RemoteGenerator(stub.url, MODEL).stream(QUESTION)
    next(stream)

    stream.close()

    assert stub.hung_up.wait(10)


def test_beyond_in_flight_a_stream_waits_its_turn_and_busy_says_so(stub) -> None:
    stub.replies = [endless, streamed("Second.")]
    generator = RemoteGenerator(stub.url, MODEL, in_flight=1)
    first = generator.stream(QUESTION)
    next(first)
    second: list[str] = []
    waiter = threading.Thread(target=lambda: second.extend(generator.stream(QUESTION)))

    waiter.start()
    waiter.join(1.0)
    assert generator.busy() and waiter.is_alive() and len(stub.posts()) == 1

    first.close()
    waiter.join(10)
    assert second == ["Second."] and not generator.busy()


def test_in_flight_requests_reach_the_server_together(stub) -> None:
    together = threading.Barrier(3, timeout=10)  # breaks unless 3 requests reach the server at once

    def meet(handler: Handler, body: dict) -> None:
        together.wait()
        streamed("Met.")(handler, body)

    stub.replies = [meet]
    generator = open_generator(
        Settings.from_env(
            {
                "BRANCHWISE_LLM_URL": stub.url,
                "BRANCHWISE_LLM_MODEL": MODEL,
                "BRANCHWISE_LLM_CONCURRENCY": "3",
            }
        )
    )

    answers = run_threads(3, lambda n: "".join(generator.stream(QUESTION)))

    assert answers == ["Met."] * 3


def run_threads(count: int, work: Callable[[int], str]) -> list[str | None]:
    results: dict[int, str] = {}
    threads = [
        threading.Thread(target=lambda n=n: results.__setitem__(n, work(n))) for n in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [results.get(n) for n in range(count)]


def test_concurrent_streams_through_one_generator_get_their_own_answers(stub) -> None:
    def echo(handler: Handler, body: dict) -> None:
        streamed(*body["messages"][-1]["content"].split(" "))(handler, body)

    stub.replies = [echo]
    generator = RemoteGenerator(stub.url, MODEL, in_flight=4)
    questions = [f"question {n} about bucket {n * 7}" for n in range(6)]
    answers: dict[str, str] = {}

    def ask(question: str) -> None:
        answers[question] = " ".join(generator.stream([{"role": "user", "content": question}]))

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert answers == {q: q for q in questions}
