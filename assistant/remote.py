"""The remote generator: streams chat completions from an OpenAI-compatible model server
(`transformers serve`, vLLM, llama.cpp's server, …) through the `openai` client, and turns what
can go wrong there into named errors a user can act on.

Does not: start servers, parse server-sent events itself (the client does), count tokens, or
retry an answer that had already begun streaming (its text has reached the user).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

from assistant.generator import SAMPLING, GenerationIncomplete
from core.errors import ModelUnavailableError

# `openai` is imported inside the methods below: with its HTTP stack it takes ~0.5 s, and
# importing `assistant` (hence `--help` and app start-up) must stay instant.

READ_TIMEOUT = 120.0  # seconds the server may stay silent (before or between pieces)
CONNECT_TIMEOUT = 5.0
# The client retries refused connections, 408/409/429 and 5xx before the first byte, with
# exponential backoff (0.5 s, 1 s, … capped at 8 s), honouring a Retry-After of up to 120 s.
MAX_RETRIES = 2
# Answers this process streams from the server at once; later callers wait here (and `busy()` says
# so). `transformers serve` without continuous batching generates one answer at a time, so more
# requests would only queue on the server, where the wait counts against READ_TIMEOUT: 8 clients
# against it on 2 CPU cores timed out 17 of 40 answers (bench/bench_load.py). Raise it for a
# batching server such as vLLM (BRANCHWISE_LLM_CONCURRENCY).
IN_FLIGHT = 1
PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key, but the client insists on one
SERVER_HINT = (
    "Is it running? Start one with `transformers serve` or `vllm serve`, or fix "
    "BRANCHWISE_LLM_URL (e.g. http://127.0.0.1:8000/v1); unset it to use the "
    "in-process model"
)


def api_base(url: str) -> str:
    """The client's base URL: a bare host gains `/v1`, any other path is kept as given.

    >>> api_base("http://127.0.0.1:8000"), api_base("http://gpu:8000/v1/")
    ('http://127.0.0.1:8000/v1', 'http://gpu:8000/v1')
    """
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelUnavailableError(
            f"BRANCHWISE_LLM_URL must be an http(s) URL such as "
            f"http://127.0.0.1:8000/v1, not {url!r}."
        )
    return url if parts.path else url + "/v1"


class RemoteGenerator:
    """A `Generator` over an OpenAI-compatible `/v1/chat/completions`, greedy (temperature 0).

    One instance is safe to share between threads: each `stream` call opens its own request, and
    at most `in_flight` of them run at once. `model=""` means the server's first listed model
    (what a one-model server serves).
    """

    def __init__(
        self,
        url: str,
        model: str = "",
        api_key: str = "",
        *,
        timeout: float = READ_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        in_flight: int = IN_FLIGHT,
    ):
        import openai

        self.url, self.timeout, self.max_retries = api_base(url), timeout, max_retries
        self._model, self.in_flight = model, in_flight
        self._slots, self._count_lock = threading.Semaphore(in_flight), threading.Lock()
        self._streaming = 0  # streams holding a slot
        self._client = openai.OpenAI(
            base_url=self.url,
            api_key=api_key or PLACEHOLDER_KEY,
            max_retries=max_retries,
            timeout=openai.Timeout(timeout, connect=CONNECT_TIMEOUT),
            # The SDK's own default client closes itself in `__del__`, which at interpreter exit
            # can run after its HTTP module is torn down and print "Exception ignored … CLOSED"
            # (seen after a test run, with an app-cached generator). Its plain alias has no
            # `__del__`; the connections close with the process.
            http_client=openai.DefaultHttpxClient(),
        )

    @property
    def name(self) -> str:
        return self._model or self.url

    def busy(self) -> bool:
        """True while all `in_flight` slots stream: a new question waits for one (the UI can show
        "waiting for the model", as for `LocalGenerator.busy`)."""
        return self._streaming >= self.in_flight

    @contextmanager
    def _slot(self) -> Iterator[None]:
        with self._slots:
            with self._count_lock:
                self._streaming += 1
            try:
                yield
            finally:
                with self._count_lock:
                    self._streaming -= 1

    def model_id(self) -> str:
        """The model requests name; asks the server once when none was configured."""
        if not self._model:
            served = self.available_models(strict=True)
            if not served:
                raise ModelUnavailableError(
                    f"The model server at {self.url} lists no models: "
                    "set BRANCHWISE_LLM_MODEL to the one to use."
                )
            self._model = served[0]  # a benign race: concurrent callers resolve the same id
        return self._model

    def available_models(self, strict: bool = False) -> list[str]:
        """Ids from `GET /v1/models`. Errors become `ModelUnavailableError` when `strict`, else []
        (the list only decorates another error's message)."""
        import openai

        try:
            return [model.id for model in self._client.models.list()]
        except openai.APIError as exc:
            if strict:
                raise self._unavailable(exc, self._model) from exc
            return []

    def stream(
        self,
        messages: list[dict[str, str]],
        max_new_tokens: int = 256,
        allowed: Sequence[str] | None = None,
        attempt: int = 0,
    ) -> Iterator[str]:
        """Yield the answer's pieces. Raises `ModelUnavailableError` when nothing could be
        generated, `GenerationIncomplete` (after the pieces that did arrive) when the server
        failed, stalled past the timeout or hung up mid-answer. Closing the iterator early
        closes the connection, which stops generation on the server. `allowed` is accepted and
        ignored: an OpenAI-style server takes no token rule, so its answers are unconstrained.
        An `attempt` after the first asks the server for a sampled answer with that seed."""
        import openai

        model, pieces = self.model_id(), []
        try:
            with (
                self._slot(),
                self._client.chat.completions.create(
                    model=model,
                    messages=messages,
                    max_tokens=max_new_tokens,
                    stream=True,
                    **_sampling(attempt),
                ) as chunks,
            ):
                finished = yield from _relay(chunks, pieces)
        except openai.APIError as exc:
            if pieces:
                reason = _reason(exc, self.timeout)
                raise GenerationIncomplete(self.url, "".join(pieces), reason) from exc
            raise self._unavailable(exc, model) from exc
        if not finished:
            raise GenerationIncomplete(
                self.url, "".join(pieces), "the server closed the stream before the answer ended"
            )

    def _unavailable(self, exc: Any, model: str) -> ModelUnavailableError:
        """One clear sentence for an error met before any text arrived."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return ModelUnavailableError(
                f"The model server at {self.url} sent nothing for {self.timeout:g} s; it may be "
                "overloaded or stuck: try again, or check the server's log."
            )
        if isinstance(exc, openai.APIConnectionError):
            return ModelUnavailableError(
                f"Cannot reach the model server at {self.url} ({_cause(exc)}). {SERVER_HINT}."
            )
        status = getattr(exc, "status_code", None)
        served = self.available_models() if status in (400, 404) and model else []
        if served and model not in served:
            return ModelUnavailableError(
                f"The model server at {self.url} does not serve {model!r}; it serves: "
                f"{', '.join(served)}. Set BRANCHWISE_LLM_MODEL (or --llm-model) to one of them."
            )
        return ModelUnavailableError(
            f"The model server at {self.url} "
            + _status_text(status, _detail(exc), self.max_retries + 1)
        )


def _status_text(status: int | None, detail: str, tries: int) -> str:
    """What an HTTP error (after the client's retries) means for the user.

    >>> _status_text(503, "overloaded", 3)
    "answered HTTP 503 (overloaded) 3 times; try again shortly or check the server's log."
    """
    if status in (401, 403):
        return f"refused the API key (HTTP {status}): set BRANCHWISE_LLM_API_KEY."
    if status == 404:
        return (
            f"answered HTTP 404 ({detail}): check that BRANCHWISE_LLM_URL ends in /v1 and "
            "BRANCHWISE_LLM_MODEL names a served model."
        )
    if status is not None and (status == 429 or status >= 500):
        return (
            f"answered HTTP {status} ({detail}) {tries} times; try again shortly or check the "
            "server's log."
        )
    return f"answered {f'HTTP {status}' if status is not None else 'an error'}: {detail}."


def _relay(chunks: Any, pieces: list[str]) -> Iterator[str]:
    """Yield each non-empty content delta, collecting it in `pieces`; return whether a
    `finish_reason` arrived (a stream that ends without one was cut off)."""
    finished = False
    for chunk in chunks:
        for choice in chunk.choices:
            piece = choice.delta.content if choice.delta else None
            if piece:
                pieces.append(piece)
                yield piece
            finished = finished or choice.finish_reason is not None
    return finished


def _reason(exc: Any, timeout: float) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return f"no data for {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        return f"connection lost: {_cause(exc)}"
    return _detail(exc)


def _cause(exc: BaseException) -> str:
    """The transport error under the client's generic "Connection error."."""
    inner = exc.__cause__ or exc
    text = str(inner).strip().splitlines()
    return text[0][:200] if text else type(inner).__name__


def _detail(exc: Any) -> str:
    """The server's own words: `{"detail": …}` (FastAPI), `{"message": …}` (OpenAI, vLLM)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        text = body.get("message") or body.get("detail") or body
    else:
        text = body or getattr(exc, "message", "") or type(exc).__name__
    lines = str(text).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _sampling(attempt: int) -> dict[str, float | int]:
    """Request fields for an attempt: greedy first, then seeded samples (servers that ignore
    `seed` still sample)."""
    if attempt == 0:
        return {"temperature": 0}
    return {"temperature": SAMPLING.temperature, "seed": attempt}
