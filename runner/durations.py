"""Parse the short durations users type (`30m`, `2h`, `7d`) for `--since` and `--older-than`."""

from __future__ import annotations

import re

from runner.errors import RunnerError

_UNITS_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_duration_ms(text: str, *, flag: str) -> int:
    """`7d` → milliseconds; anything else is an error naming the flag and the accepted units."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise RunnerError(f"invalid duration {text!r} for {flag}",
                          hint=f"use a number and a unit s, m, h or d: {flag} 30m, {flag} 2h, {flag} 7d")
    return int(float(match.group(1)) * _UNITS_MS[match.group(2)])
