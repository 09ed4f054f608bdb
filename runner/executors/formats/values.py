"""Reading fields of decoded JSON the way every decoder needs: a wrong type is "absent", never an error."""

from __future__ import annotations

from typing import Any


def as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def as_int(value: object) -> int | None:
    """An integer, but not a bool (JSON `true` is not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
