"""The `/sessions` view: one row per session of the global index, the current one marked."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from runner.logs.models import SessionSummary
from runner.views.fields import counts_phrase, format_timestamp, one_line
from runner.views.json_contract import SCHEMA_VERSION
from runner.views.safe_text import safe_json, safe_text

NO_SESSIONS = "No sessions yet."
FIRST_PROMPT_CHARS = 60
CURRENT_MARKER = ">"


def sessions_renderable(
    sessions: list[SessionSummary], *, current: str | None = None, note: str | None = None,
    first_prompts: dict[str, str] | None = None,
) -> RenderableType:
    """Title, optional one-line note, and a table of sessions in the order given (ids never cut)."""
    first_prompts = first_prompts or {}
    parts: list[RenderableType] = [Text(f"Sessions ({len(sessions)})", style="bold")]
    if note:
        parts.append(safe_text(note, style="yellow"))
    if not sessions:
        parts.append(Text(NO_SESSIONS))
        return Group(*parts)
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column(Text(""), width=1, no_wrap=True)
    table.add_column(Text("Session"), no_wrap=True, min_width=max(len(s.session_id) for s in sessions))
    for header in ("Started", "Updated"):
        table.add_column(Text(header), no_wrap=True, overflow="fold")
    table.add_column(Text("Tasks"), justify="right", no_wrap=True)
    table.add_column(Text("By status"), overflow="fold")
    if first_prompts:
        table.add_column(Text("First prompt"), no_wrap=True, overflow="ellipsis", ratio=1)
    for summary in sessions:
        is_current = current is not None and summary.session_id == current
        prompt = [safe_text(one_line(first_prompts.get(summary.session_id, ""), FIRST_PROMPT_CHARS))] \
            if first_prompts else []
        table.add_row(
            Text(CURRENT_MARKER if is_current else "", style="bold cyan"),
            safe_text(summary.session_id),
            Text(format_timestamp(summary.started_at)),
            Text(format_timestamp(summary.updated_at)),
            Text(str(summary.task_count)),
            Text(counts_phrase(summary.counts) or "-"),
            *prompt,
        )
    parts.append(table)
    if any(summary.session_id == current for summary in sessions):
        parts.append(Text(f"{CURRENT_MARKER} current session", style="dim"))
    return Group(*parts)


def sessions_json(sessions: list[SessionSummary], *, current: str | None = None) -> dict[str, Any]:
    """`{"current": id | null, "sessions": [global index rows, counts including total]}`, masked."""
    rows = []
    for summary in sessions:
        row = summary.model_dump(mode="json")
        row["counts"]["total"] = summary.counts.total
        rows.append(row)
    result: dict[str, Any] = safe_json({"schema_version": SCHEMA_VERSION, "current": current, "sessions": rows})
    return result
