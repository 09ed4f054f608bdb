"""The one place timestamps are made and read: ISO 8601, UTC, millisecond precision, `Z` suffix."""

from __future__ import annotations

import time
from datetime import UTC, datetime

ISO_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"


# The last second formatted: every event is stamped, and strftime costs more than the rest.
# One tuple, rebound whole, so a concurrent caller sees a matching pair.
_last_second: tuple[int, str] = (-1, "")


# The seconds of the last few seconds formatted, by their text: reading back a timestamp made here
# moments ago (a task's duration, at its end) is then a lookup, not a parse.
_RECENT_SECONDS = 64
_recent: dict[str, int] = {}


def iso_from_epoch_ms(epoch_ms: int) -> str:
    """Format milliseconds since the epoch as `2025-01-12T11:30:00.000Z`."""
    global _last_second
    seconds, millis = divmod(epoch_ms, 1000)
    known = _last_second
    if known[0] != seconds:
        known = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
        _last_second = known
        if len(_recent) >= _RECENT_SECONDS:
            _recent.clear()
        _recent[known[1]] = seconds
    return f"{known[1]}.{millis:03d}Z"


def now_ms() -> int:
    """Wall-clock milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def now_iso() -> str:
    """The current time as an ISO 8601 UTC string with milliseconds."""
    return iso_from_epoch_ms(now_ms())


def parse_iso(value: str) -> datetime:
    """Read a timestamp written by `now_iso` (or any ISO 8601 string) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def epoch_ms_of(value: str) -> int:
    """Milliseconds since the epoch of an ISO timestamp."""
    if len(value) == 24 and value[19] == "." and value[23] == "Z":  # as `iso_from_epoch_ms` writes it
        seconds = _recent.get(value[:19])
        millis = value[20:23]
        if seconds is not None and millis.isdigit() and millis.isascii():
            # The very float steps of the parse below (`timedelta.total_seconds()` times 1000, cut),
            # so both paths agree to the millisecond, rounding included.
            return int((seconds * 1_000_000 + int(millis) * 1000) / 1_000_000 * 1000)
    return int(parse_iso(value).timestamp() * 1000)
