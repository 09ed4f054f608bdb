"""What a stream and the environment say about the screen: whether to colour, and how wide to render.

A leaf (no rich, no prompt-toolkit), used by the terminal edge and by the CLI's `Environment`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

PIPED_WIDTH = 120


def color_enabled(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    return stream.isatty() and "NO_COLOR" not in env and env.get("TERM") != "dumb"


def default_width(stream: IO[str], environ: Mapping[str, str] | None = None) -> int | None:
    """A terminal knows its width; piped output (CI logs) gets COLUMNS or 120 so no column is hidden."""
    if stream.isatty():
        return None
    columns = (os.environ if environ is None else environ).get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH
