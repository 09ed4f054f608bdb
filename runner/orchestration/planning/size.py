"""Size estimation on the documented S/M/L/XL scale (spec/planning.md "Size").

Four measures, each with its own thresholds; the request's size is the largest any measure
reaches, and the first measure (in the order below) to reach it is named as the reason.
"""

from __future__ import annotations

import unicodedata

from runner.orchestration.planning.model import Size, SizeEstimate
from runner.orchestration.planning.names import Names

# measure -> the smallest value that makes a request M, L and XL.
THRESHOLDS: dict[str, tuple[int, int, int]] = {
    "items": (2, 4, 7),  # parts enumerated by an explicit structure
    "files": (2, 4, 8),  # distinct files named
    "symbols": (3, 6, 11),  # distinct code symbols named
    "length": (200, 800, 2000),  # characters, a wide (CJK) character counting as two
}
_SIZES = (Size.S, Size.M, Size.L, Size.XL)


def display_length(text: str) -> int:
    """Characters of `text`, a wide or fullwidth character counting as two (Japanese says as much in fewer)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text.strip())


def estimate_size(text: str, items: int, names: Names) -> SizeEstimate:
    """The request's size and what decided it."""
    measures = {"items": items, "files": len(names.files), "symbols": len(names.symbols),
                "length": display_length(text)}
    size, decided_by = Size.S, "length"
    for measure, value in measures.items():
        level = sum(value >= limit for limit in THRESHOLDS[measure])
        if _SIZES.index(size) < level:
            size, decided_by = _SIZES[level], measure
    return SizeEstimate(size=size, items=items, files=names.files, symbols=names.symbols,
                        length=measures["length"], decided_by=decided_by)
