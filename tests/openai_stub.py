"""A scripted OpenAI-compatible chat server on loopback for tests: each test writes the replies
(streams, errors, stalls, hang-ups) that the real `openai` client then meets over real HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

MODEL = "tiny-chat"
QUESTION = [{"role": "user", "content": "What is S3?"}]
Reply = Callable[["Handler", dict], None]


class Handler(BaseHTTPRequestHandler):
    server: "StubServer"

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path, {}))
        self.send_json(
            200,
            {"object": "list", "data": [{"id": m, "object": "model"} for m in self.server.models]},
        )

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth = self.headers["Authorization"]
        self.server.requests.append(("POST", self.path, {**body, "auth": auth}))
        replies = self.server.replies
        (replies.pop(0) if len(replies) > 1 else replies[0])(self, body)

    def send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()

    def event(self, content: str | None = None, finish: str | None = None, **extra) -> None:
        delta = {} if content is None else {"content": content}
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.flush()

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


class StubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.models, self.replies = [MODEL], [streamed("S3 is ", "object storage.")]
        self.requests: list[tuple[str, str, dict]] = []
        self.release = threading.Event()  # ends a stalled reply at teardown
        self.hung_up = threading.Event()  # set by `endless` when the client closed the connection

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def posts(self) -> list[dict]:
        return [body for method, _, body in self.requests if method == "POST"]


def streamed(*pieces: str, finish: str | None = "stop") -> Reply:
    def reply(handler: Handler, body: dict) -> None:
        handler.start_events()
        for piece in pieces:
            handler.event(piece)
        if finish:
            handler.event(finish=finish)
        handler.wfile.write(b"data: [DONE]\n\n")

    return reply


def status(code: int, payload: dict, headers: dict[str, str] | None = None) -> Reply:
    return lambda handler, body: handler.send_json(code, payload, headers)
