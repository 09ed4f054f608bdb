"""Send OTLP traces to a collector or backend over OTLP/HTTP with protobuf bodies.

One POST per run (`ExportTraceServiceRequest`), gzip-compressed, `Content-Type:
application/x-protobuf` (Phoenix and MLflow accept nothing else). 429, 502, 503 and 504 and
connection errors are retried with exponential backoff (honouring a `Retry-After` in seconds);
any other answer is final. Header values are never echoed: they usually carry an API key.
"""

from __future__ import annotations

import gzip
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runner.errors import RunnerError
from runner.export.otlp.protobuf import encode_traces, rejected_spans
from runner.views.safe_text import safe_str

RETRYABLE = frozenset({429, 502, 503, 504})
TRACES_PATH = "/v1/traces"
MAX_RETRY_AFTER_S = 30.0
_BODY_SHOWN = 200


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_backoff_s: float = 1.0
    max_backoff_s: float = 16.0
    timeout_s: float = 10.0


@dataclass
class SendReport:
    """What the endpoint did with the spans: accepted, rejected, and every retry and problem on the way."""

    url: str
    spans_sent: int = 0
    spans_accepted: int = 0
    spans_rejected: int = 0
    requests: int = 0
    retries: int = 0
    notes: list[str] = field(default_factory=list)


def traces_url(endpoint: str) -> str:
    """The `/v1/traces` URL of an endpoint given as a base (`http://host:4318`) or in full."""
    parsed = urllib.parse.urlsplit(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise RunnerError(f"--endpoint must be an http:// or https:// URL, got {safe_str(endpoint)!r}",
                          hint="e.g. --endpoint http://127.0.0.1:4318 (the /v1/traces path is added)")
    path = parsed.path.rstrip("/")
    if not path.endswith(TRACES_PATH):
        path += TRACES_PATH
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, path, parsed.query, ""))


def _count_spans(request: Mapping[str, Any]) -> int:
    return sum(len(scope.get("spans", [])) for rs in request.get("resourceSpans", [])
               for scope in rs.get("scopeSpans", []))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it would carry the headers elsewhere."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None


class _Sender:
    def __init__(self, url: str, headers: Mapping[str, str], policy: RetryPolicy,
                 sleep: Callable[[float], None]) -> None:
        self.url, self.policy, self.sleep = url, policy, sleep
        self.headers = {**headers, "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip",
                        "User-Agent": "pm-runner"}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def post(self, body: bytes, report: SendReport) -> tuple[int, bytes, str]:
        """POST with retries; returns the last status (0: no answer), body and reason."""
        status, answer, reason = 0, b"", ""
        for attempt in range(self.policy.attempts):
            if attempt:
                report.retries += 1
            report.requests += 1
            status, answer, reason, retry_after = self._once(body)
            if status not in RETRYABLE and status != 0:
                return status, answer, reason
            if attempt + 1 < self.policy.attempts:
                wait = retry_after if retry_after is not None else self._backoff(attempt)
                report.notes.append(f"{reason}; retrying in {wait:g}s")
                self.sleep(wait)
        return status, answer, reason

    def _backoff(self, attempt: int) -> float:
        return float(min(self.policy.first_backoff_s * (2 ** attempt), self.policy.max_backoff_s))

    def _once(self, body: bytes) -> tuple[int, bytes, str, float | None]:
        request = urllib.request.Request(self.url, data=gzip.compress(body, mtime=0), method="POST",
                                         headers=self.headers)
        try:
            with self.opener.open(request, timeout=self.policy.timeout_s) as response:
                return int(response.status), response.read(), f"HTTP {response.status}", None
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return 0, b"", f"no answer ({safe_str(reason)})", None


def _retry_after(value: str | None) -> float | None:
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER_S) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def send_traces(requests: list[dict[str, Any]], endpoint: str, headers: Mapping[str, str] | None = None, *,
                policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> SendReport:
    """POST each request; count what the endpoint accepted. Stops at the first final refusal."""
    url = traces_url(endpoint)
    sender = _Sender(url, headers or {}, policy or RetryPolicy(), sleep)
    report = SendReport(url=safe_str(url), spans_sent=sum(_count_spans(r) for r in requests))
    for index, request in enumerate(requests):
        spans = _count_spans(request)
        status, answer, reason = sender.post(encode_traces(request), report)
        if 200 <= status < 300:
            rejected, message = rejected_spans(answer)
            report.spans_accepted += spans - rejected
            if rejected:
                report.notes.append(f"the endpoint rejected {rejected} span(s): {safe_str(message)[:_BODY_SHOWN]}")
            continue
        unsent = sum(_count_spans(r) for r in requests[index + 1:])
        report.notes.append(_refusal(status, answer, reason) + (f" ({unsent} span(s) of later runs not sent)"
                                                                if unsent else ""))
        break
    report.spans_rejected = report.spans_sent - report.spans_accepted
    return report


def _refusal(status: int, answer: bytes, reason: str) -> str:
    shown = safe_str(answer[:_BODY_SHOWN].decode("utf-8", "replace")).strip()
    detail = f": {shown}" if shown else ""
    if status == 415:
        return f"{reason}: the endpoint does not take application/x-protobuf{detail}"
    if status == 0:
        return f"gave up: {reason}"
    return f"{reason}{detail}"
