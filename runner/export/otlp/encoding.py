"""OTLP/JSON building blocks: deterministic ids, nanosecond times, typed attribute values.

The OTLP/JSON rules (opentelemetry-proto `docs/specification.md`, "JSON Protobuf Encoding"):
trace and span ids are lowercase hex, never base64; 64-bit integers (`intValue`, `*UnixNano`)
are decimal strings; enums are integers; keys are lowerCamelCase.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from runner.timestamps import parse_iso

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SPAN_KIND_INTERNAL = 1
SPAN_KIND_CLIENT = 3
STATUS_ERROR = 2

# OTLP log severities (logs data model): INFO, WARN, ERROR.
SEVERITY_INFO = (9, "INFO")
SEVERITY_WARN = (13, "WARN")
SEVERITY_ERROR = (17, "ERROR")


def _digest(kind: str, seed: str) -> bytes:
    return hashlib.sha256(f"pm-runner {kind}\0{seed}".encode()).digest()


def _non_zero(raw: bytes) -> str:
    # An all-zero id is invalid in OTLP; a SHA-256 prefix of zeros is astronomically rare, but defined.
    return raw.hex() if any(raw) else (b"\x00" * (len(raw) - 1) + b"\x01").hex()


def trace_id(seed: str) -> str:
    """16 bytes of SHA-256 of `seed`, as 32 lowercase hex digits: the same seed, the same trace."""
    return _non_zero(_digest("trace", seed)[:16])


def span_id(seed: str) -> str:
    """8 bytes of SHA-256 of `seed`, as 16 lowercase hex digits."""
    return _non_zero(_digest("span", seed)[:8])


def nanos(timestamp: str) -> str:
    """An ISO timestamp as nanoseconds since the epoch, a decimal string; exact (no float)."""
    delta = parse_iso(timestamp) - _EPOCH
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000)


def any_value(value: Any) -> dict[str, Any]:
    """An OTLP `AnyValue`: strings, booleans, whole numbers (as strings), doubles, lists, mappings."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": attributes(value.items())}}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [any_value(item) for item in value if item is not None]}}
    return {"stringValue": str(value)}


def attributes(pairs: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """`KeyValue`s in the given order; a None value leaves its key out (unknown is not zero)."""
    return [{"key": str(key), "value": any_value(value)} for key, value in pairs if value is not None]
