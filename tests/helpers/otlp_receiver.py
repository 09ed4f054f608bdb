"""A stdlib OTLP/HTTP receiver on 127.0.0.1 for tests: records each request, answers as scripted.

`answers` is a queue of `(status, headers)`; when it is empty every request gets 200 with an
empty `ExportTraceServiceResponse`. Bodies are gunzipped and decoded with `opentelemetry-proto`.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def decoded(self) -> Any:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        request = ExportTraceServiceRequest()
        data = gzip.decompress(self.body) if self.headers.get("content-encoding") == "gzip" else self.body
        request.ParseFromString(data)
        return request


@dataclass
class Receiver:
    url: str
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    ok_body: bytes = b""  # what a 200 carries (an ExportTraceServiceResponse, empty = all accepted)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, headers = receiver.answers.pop(0) if receiver.answers else (200, {})
            payload = receiver.ok_body if status == 200 else f"status {status} from the fake receiver".encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-protobuf" if status == 200 else "text/plain")
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # quiet

    return Handler


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    """A receiver on an ephemeral loopback port, shut down on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("")))
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
