"""Parse the short durations users type (`30m`, `2h`, `7d`) for `--since` and `--older-than`."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from runner.errors import RunnerError

_UNITS_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhd])")


def parse_duration_ms(text: str, *, flag: str) -> int:
    """`7d` → milliseconds; anything else is an error naming the flag and the accepted units."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise RunnerError(f"invalid duration {text!r} for {flag}",
                          hint=f"use a number and a unit s, m, h or d: {flag} 30m, {flag} 2h, {flag} 7d")
    return int(float(match.group(1)) * _UNITS_MS[match.group(2)])


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_since_ms(text: str, *, now_ms: int, flag: str = "--since") -> int:
    """The epoch-ms cutoff of `--since`: a duration back from now (`7d`), a UTC day (`2025-01-12`)
    or an ISO timestamp (`2025-01-12T11:30:00Z`)."""
    value = text.strip()
    if _DURATION.fullmatch(value):
        return now_ms - parse_duration_ms(value, flag=flag)
    try:
        stamp = f"{value}T00:00:00+00:00" if _DATE.fullmatch(value) else value.replace("Z", "+00:00")
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        raise RunnerError(f"invalid value {text!r} for {flag}",
                          hint=f"a duration ({flag} 7d), a UTC day ({flag} 2025-01-12) or a time "
                               f"({flag} 2025-01-12T11:30:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
