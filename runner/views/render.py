"""Turn a rich renderable into a string at a fixed width, with or without our colours.

Used by the golden tests and by the terminal edge for non-TTY output. Automatic
highlighting, markup and emoji codes are always off: logged text (numbers, URLs,
`[bold]`, `:smile:`) must never change how the output looks.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from runner.views.plain import PlainView

if TYPE_CHECKING:
    from rich.console import Console


def make_console(file: io.StringIO, *, width: int, color: bool) -> Console:
    """A console that only ever styles what our renderers styled themselves."""
    from rich.console import Console  # only views that still use rich pay for importing it

    return Console(
        file=file,
        width=width,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def render_to_text(renderable: Any, *, width: int = 100, color: bool = False) -> str:
    """Render a rich renderable or a `PlainView` to a string; without colour, no trailing spaces.

    rich pads table cells to their column width; stripping the padding at line ends keeps
    piped output and golden files free of invisible trailing whitespace.
    """
    if isinstance(renderable, PlainView):
        return renderable.to_text(width, color=color)
    buffer = io.StringIO()
    make_console(buffer, width=width, color=color).print(renderable)
    text = buffer.getvalue()
    if color:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))
