"""`/help`: the command list laid out for the terminal's width, and one command explained."""

from __future__ import annotations

import shutil
import textwrap

NARROW = 60  # below this, each command's summary goes on its own indented line
USAGE_COLUMN = 24  # usages longer than this take a line of their own


def commands_help(rows: list[tuple[str, str]], *, width: int | None) -> list[str]:
    """`Commands:` then usage and summary side by side when they fit, stacked when the terminal is narrow."""
    width = width or shutil.get_terminal_size().columns
    column = min(max(len(usage) for usage, _ in rows), USAGE_COLUMN)
    lines = ["Commands:"]
    if width < NARROW:
        for usage, summary in rows:
            lines += textwrap.wrap(usage, width=max(width - 2, 20), initial_indent="  ", subsequent_indent="    ")
            lines += textwrap.wrap(summary, width=max(width - 6, 20), initial_indent="      ",
                                   subsequent_indent="      ")
    else:
        for usage, summary in rows:
            wrapped = textwrap.wrap(summary, width=max(width - column - 6, 20)) or [""]
            if len(usage) > column:  # a long usage gets its own line; the summary aligns below
                lines.append(f"  {usage}")
                wrapped_lines = wrapped
            else:
                lines.append(f"  {usage.ljust(column)}  {wrapped[0]}")
                wrapped_lines = wrapped[1:]
            lines += [f"  {'':{column}}  {more}" for more in wrapped_lines]
    lines += textwrap.wrap("Anything else you type is a task for the executor. /help CMD explains one command.",
                           width=max(width, 20))
    return lines


def command_help(usage: str, summary: str, details: list[str]) -> list[str]:
    return [usage, f"  {summary}", *details]
