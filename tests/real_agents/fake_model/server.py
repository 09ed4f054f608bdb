"""A loopback HTTP server that plays the model for the real agent CLIs (stdlib only).

One server speaks all three wire formats; the path decides which. Every request is logged as
`"<METHOD> <path> model=<model or ->"`, the same form as `model_api_calls` in the recordings'
`.meta.json`, so a test can check that a real CLI made exactly the calls it made when recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.real_agents.fake_model import anthropic, gemini, openai_responses
from tests.real_agents.fake_model.wire import Context, Reply, json_reply

Route = tuple[Callable[[str, str], bool], Callable[[str, dict[str, Any], Context], Reply]]
ROUTES: list[Route] = [
    (anthropic.handles, anthropic.reply),
    (openai_responses.handles, openai_responses.reply),
    (gemini.handles, gemini.reply),
]


@dataclass(frozen=True)
class ModelCall:
    """One request the CLI made: method, path with query, and the decoded JSON body."""

    method: str
    path: str
    body: dict[str, Any]

    def summary(self) -> str:
        model = self.body.get("model")
        return f"{self.method} {self.path} model={model if isinstance(model, str) and model else '-'}"


class FakeModelServer:
    """Serves on 127.0.0.1 at an ephemeral port until closed; use as a context manager."""

    def __init__(self, project: Path, *, port: int = 0) -> None:
        self.project = project
        self.calls: list[ModelCall] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-model", daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call_summaries(self) -> list[str]:
        with self._lock:
            return [call.summary() for call in self.calls]

    def record(self, call: ModelCall) -> None:
        with self._lock:
            self.calls.append(call)

    def answer(self, method: str, path: str, body: dict[str, Any]) -> Reply:
        self.record(ModelCall(method, path, body))
        if method == "HEAD":
            return Reply(200, b"")
        for handles, reply in ROUTES:
            if handles(method, path):
                return reply(path, body, Context(self.project))
        return json_reply(404, {"error": {"message": f"the fake model has no route for {method} {path}"}})

    def __enter__(self) -> FakeModelServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(server: FakeModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            """Quiet: the call log is the record."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            reply = server.answer(self.command, self.path, body if isinstance(body, dict) else {})
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_HEAD = _serve

    return Handler
