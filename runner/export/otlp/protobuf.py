"""OTLP/JSON documents as OTLP protobuf bytes, for receivers that accept only `application/x-protobuf`.

Needs the optional `opentelemetry-proto` package (`pip install 'pm-runner[otel]'`); without it,
`protobuf_available()` is False and `encode_traces` raises a `RunnerError` that says how to install it.
The conversion is the one the OTLP spec implies: hex ids back to bytes (base64 in proto3 JSON),
then the proto3 JSON mapping, which already accepts integer enums and string 64-bit numbers.
"""

from __future__ import annotations

import base64
import importlib.util
from typing import Any

from runner.errors import RunnerError

INSTALL_HINT = "pip install 'pm-runner[otel]'  (adds opentelemetry-proto and protobuf)"
_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId"})


def protobuf_available() -> bool:
    """True when the OpenTelemetry protobuf classes can be imported."""
    try:
        return importlib.util.find_spec("opentelemetry.proto.collector.trace.v1.trace_service_pb2") is not None
    except ModuleNotFoundError:
        return False


def _ids_to_base64(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {key: (base64.b64encode(bytes.fromhex(value)).decode() if key in _ID_KEYS and isinstance(value, str)
                      else _ids_to_base64(value)) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_ids_to_base64(item) for item in obj]
    return obj


def _missing() -> RunnerError:
    return RunnerError("sending to an OTLP endpoint needs the OpenTelemetry protobuf package, which is not installed",
                       hint=INSTALL_HINT + "; or export to a file: --format otlp --output DIR")


def encode_traces(request: dict[str, Any]) -> bytes:
    """An OTLP/JSON `ExportTraceServiceRequest` as protobuf bytes."""
    try:
        from google.protobuf import json_format
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )
    except ImportError:
        raise _missing() from None
    message = json_format.ParseDict(_ids_to_base64(request), ExportTraceServiceRequest())
    return bytes(message.SerializeToString())


def rejected_spans(response_body: bytes) -> tuple[int, str]:
    """How many spans an `ExportTraceServiceResponse` says were rejected, and its message."""
    try:
        from google.protobuf.message import DecodeError
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceResponse,
        )
    except ImportError:
        raise _missing() from None
    response = ExportTraceServiceResponse()
    try:
        response.ParseFromString(response_body)
    except DecodeError:
        return 0, ""  # an empty or non-protobuf 200 body means everything was accepted
    partial = response.partial_success
    return int(partial.rejected_spans), str(partial.error_message)
