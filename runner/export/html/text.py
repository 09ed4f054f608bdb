"""HTML escaping and the few element shapes every part of the report uses.

Every logged string reaches the page through `esc` (after the masking pass of `MaskedSession`):
`<`, `>`, `&` and both quotes become entities, so logged text is never markup, in text or in
attributes.
"""

from __future__ import annotations

import html

from runner.logs.models import TaskStatus
from runner.views.fields import format_cost, format_duration

EMPTY = "—"
PREVIEW_LINES = 12


def esc(text: object) -> str:
    """Text as inert HTML (text content or a quoted attribute value)."""
    return html.escape(str(text), quote=True)


def badge(status: TaskStatus) -> str:
    return f'<span class="badge s-{status.value}">{status.value.upper()}</span>'


def pre(text: str | None, *, limit_lines: int | None = None) -> str:
    """A preformatted block; with `limit_lines`, the rest goes in a nested "+N lines" `<details>`."""
    if not text:
        return EMPTY
    lines = text.splitlines()
    if limit_lines is None or len(lines) <= limit_lines:
        return f"<pre>{esc(text)}</pre>"
    head, rest = "\n".join(lines[:limit_lines]), "\n".join(lines[limit_lines:])
    return (f"<pre>{esc(head)}</pre><details><summary>+{len(lines) - limit_lines} lines</summary>"
            f"<pre>{esc(rest)}</pre></details>")


def number(value: int | None) -> str:
    return EMPTY if value is None else f"{value:,}"


def cost(value: float | None) -> str:
    return EMPTY if value is None else esc(format_cost(value))


def duration(value: int | None) -> str:
    return EMPTY if value is None else esc(format_duration(value))


def path_list(paths: list[str]) -> str:
    if not paths:
        return EMPTY
    return "<ul>" + "".join(f"<li><code>{esc(p)}</code></li>" for p in paths) + "</ul>"
