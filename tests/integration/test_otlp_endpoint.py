"""`--endpoint`: traces sent as OTLP http/protobuf to a real local HTTP server, with retries and counts."""

from __future__ import annotations

import socket
import sys

import pytest

from runner.errors import RunnerError
from runner.export.masked import MaskedSession, mask_session
from runner.export.otlp.render import trace_requests
from runner.export.otlp.sender import RetryPolicy, SendReport, send_traces, traces_url
from tests.helpers.export_logs import SECRETS, SESSION_STARTED, export_logs
from tests.helpers.otlp_receiver import otlp_receiver
from tests.helpers.sample_logs import SESSION_ID

pytest.importorskip("opentelemetry.proto", reason="the [otel] extra is part of [test]; install '.[test]'")

FAST = RetryPolicy(attempts=4, first_backoff_s=0.5, max_backoff_s=4.0, timeout_s=5.0)


def session() -> MaskedSession:
    return mask_session(SESSION_ID, export_logs(), started_at=SESSION_STARTED)


def send(url: str, waits: list[float], **kwargs: object) -> SendReport:
    return send_traces(trace_requests(session()), url, policy=FAST, sleep=waits.append, **kwargs)  # type: ignore[arg-type]


def span_total() -> int:
    return sum(len(r["resourceSpans"][0]["scopeSpans"][0]["spans"]) for r in trace_requests(session()))


def test_spans_arrive_as_gzip_protobuf_with_the_same_ids() -> None:
    """Each run is one POST to /v1/traces, application/x-protobuf, gzip; the spans decode with their hex ids."""
    waits: list[float] = []
    with otlp_receiver() as receiver:
        report = send(receiver.url, waits)
    assert report.spans_accepted == span_total() == report.spans_sent and report.retries == 0 and waits == []
    assert len(receiver.received) == len(trace_requests(session()))
    first = receiver.received[0]
    assert first.path == "/v1/traces"
    assert first.headers["content-type"] == "application/x-protobuf"
    assert first.headers["content-encoding"] == "gzip"
    decoded = first.decoded()
    expected = trace_requests(session())[0]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    got = decoded.resource_spans[0].scope_spans[0].spans
    assert [(s.name, s.span_id.hex(), s.trace_id.hex(), s.kind) for s in got] == [
        (s["name"], s["spanId"], s["traceId"], s["kind"]) for s in expected]
    assert str(got[0].start_time_unix_nano) == expected[0]["startTimeUnixNano"]
    for received in receiver.received:
        for secret in SECRETS:
            assert secret.encode() not in received.decoded().SerializeToString()


def test_503_and_429_are_retried_with_backoff() -> None:
    """A 503 waits the backoff, a 429 waits its Retry-After; then the spans are accepted."""
    waits: list[float] = []
    with otlp_receiver() as receiver:
        receiver.answers = [(503, {}), (429, {"Retry-After": "2"})]
        report = send(receiver.url, waits)
    assert waits == [0.5, 2.0] and report.retries == 2
    assert report.spans_accepted == span_total()
    assert len(receiver.received) == len(trace_requests(session())) + 2


def test_415_is_final_and_said_plainly() -> None:
    """An endpoint that refuses protobuf is not retried; nothing counts as accepted and the note says why."""
    waits: list[float] = []
    with otlp_receiver() as receiver:
        receiver.answers = [(415, {})]
        report = send(receiver.url, waits)
    assert len(receiver.received) == 1 and waits == []
    assert report.spans_accepted == 0 and report.spans_rejected > 0
    assert "HTTP 415" in report.notes[-1] and "application/x-protobuf" in report.notes[-1]


def test_retries_give_up_after_the_last_attempt() -> None:
    """Four 503s in a row: four requests, three waits growing 0.5, 1, 2 s, then a refusal."""
    waits: list[float] = []
    with otlp_receiver() as receiver:
        receiver.answers = [(503, {})] * 4
        report = send(receiver.url, waits)
    assert waits == [0.5, 1.0, 2.0] and report.requests == 4 and report.spans_accepted == 0
    assert "HTTP 503" in report.notes[-1]


def test_partial_success_counts_rejected_spans() -> None:
    """A 200 whose response says spans were rejected is counted as such."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

    response = ExportTraceServiceResponse()
    response.partial_success.rejected_spans = 1
    response.partial_success.error_message = "span too old"
    waits: list[float] = []
    with otlp_receiver() as receiver:
        receiver.ok_body = response.SerializeToString()
        report = send(receiver.url, waits)
    runs = len(trace_requests(session()))
    assert report.spans_rejected == runs and report.spans_accepted == span_total() - runs
    assert "span too old" in report.notes[0]


def test_headers_are_sent_and_never_echoed() -> None:
    """--header values reach the endpoint (auth) but never the report's notes."""
    waits: list[float] = []
    with otlp_receiver() as receiver:
        receiver.answers = [(401, {})]
        report = send(receiver.url, waits, headers={"Authorization": "Bearer sekret-value-123"})
    assert receiver.received[0].headers["authorization"] == "Bearer sekret-value-123"
    assert "sekret" not in " ".join(report.notes) and "HTTP 401" in report.notes[-1]


def test_no_listener_is_retried_then_reported() -> None:
    """A closed port is a transient failure: retried, then reported as no answer."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    report = send(f"http://127.0.0.1:{port}", waits)
    assert len(waits) == 3 and report.spans_accepted == 0 and "no answer" in report.notes[-1]


def test_endpoint_urls() -> None:
    """A base URL gets /v1/traces; a full one is kept; anything but http(s) is refused with a hint."""
    assert traces_url("http://127.0.0.1:6006") == "http://127.0.0.1:6006/v1/traces"
    assert traces_url("https://h/api/public/otel/") == "https://h/api/public/otel/v1/traces"
    assert traces_url("http://h:4318/v1/traces") == "http://h:4318/v1/traces"
    with pytest.raises(RunnerError, match="http:// or https://"):
        traces_url("file:///etc/passwd")


def test_a_missing_protobuf_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the [otel] extra the sender says what to install instead of a traceback."""
    monkeypatch.setitem(sys.modules, "opentelemetry.proto.collector.trace.v1.trace_service_pb2", None)
    with pytest.raises(RunnerError) as caught:
        send("http://127.0.0.1:9", [])
    assert "pip install 'pm-runner[otel]'" in (caught.value.hint or "")
