"""The `/logs` task list of one session, as a rich table and as JSON (seed 003 §2.7.5, §4.1).

Rows come from the session index; every string in them is masked and neutralised again
here, whatever the index file holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from runner.logs.models import TaskLogEntry
from runner.views.fields import (
    count_statuses,
    entry_duration,
    executor_model,
    format_cost,
    format_duration,
    format_timestamp,
    status_text,
    tasks_footer,
)
from runner.views.plan import log_id_label
from runner.views.safe_text import safe_str, safe_text

EMPTY_SESSION = "No tasks in this session yet."
HIDDEN_COLUMNS_NOTE = "Some columns are hidden at this width; see --json."
RUNNING_MARKER = ">"
EXECUTOR_MODEL = "Executor/Model"
_UNLIMITED = 100_000

_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("#", "right"),
    ("Log ID", "left"),
    ("Task ID", "left"),
    ("Status", "left"),
    ("Started", "left"),
    ("Duration", "right"),
    ("Files", "right"),
    (EXECUTOR_MODEL, "left"),
    ("Cost", "right"),
)


@dataclass(frozen=True)
class _Layout:
    compact: bool  # one-cell gaps, and the model on a line of its own under the executor
    hidden: frozenset[str] = frozenset()


# Tried in order; the first whose natural width fits is used, else the last. Nine columns
# need about 95 cells before the executor and model, so a narrow console first loses the
# roomy gaps, then the least needed columns, rather than folding ids character by character.
_LAYOUTS = (
    _Layout(compact=False),
    _Layout(compact=True),
    _Layout(compact=True, hidden=frozenset({"Cost"})),
    _Layout(compact=True, hidden=frozenset({"Cost", "Duration", EXECUTOR_MODEL})),
    _Layout(compact=True, hidden=frozenset({"Cost", "Duration", EXECUTOR_MODEL, "Started"})),
)


def task_list_renderable(
    session_id: str,
    entries: list[TaskLogEntry],
    *,
    running_task_id: str | None = None,
    note: str | None = None,
) -> RenderableType:
    """Title, optional one-line note, then the table and a footer of counts by status."""
    parts: list[RenderableType] = [_title(session_id)]
    if note:
        parts.append(safe_text(note, style="yellow"))
    if not entries:
        parts.append(Text(EMPTY_SESSION))
        return Group(*parts)
    parts.append(_FittedTable(entries, running_task_id))
    counts = count_statuses(entry.status for entry in entries)
    parts.append(Text(tasks_footer(counts)))
    return Group(*parts)


def _title(session_id: str) -> Text:
    title = Text("Task logs (session ", style="bold")
    title.append_text(safe_text(session_id, style="bold"))
    title.append(")", style="bold")
    return title


class _FittedTable:
    """The task table in the roomiest layout that fits the width rich gives it."""

    def __init__(self, entries: list[TaskLogEntry], running_task_id: str | None) -> None:
        self.entries = entries
        self.running_task_id = running_task_id

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Measure without the width limit: rich clamps a measurement to the width it is given.
        unlimited = options.update_width(_UNLIMITED)
        for layout in _LAYOUTS:
            table = self.build(layout)
            if Measurement.get(console, unlimited, table).maximum <= options.max_width:
                break
        yield table
        if layout.hidden:
            yield Text(HIDDEN_COLUMNS_NOTE, style="dim")

    def build(self, layout: _Layout) -> Table:
        """The table in one layout."""
        # SIMPLE draws only a rule under the header: it reads well piped, and rich swaps in
        # ASCII where box-drawing characters cannot be shown.
        table = Table(
            box=box.SIMPLE,
            show_edge=False,
            pad_edge=False,
            padding=(0, 0, 0, 0) if layout.compact else (0, 1, 0, 0),
        )
        table.add_column(Text(""), width=1, no_wrap=True)
        shown = [(name, justify) for name, justify in _COLUMNS if name not in layout.hidden]
        for name, justify in shown:
            table.add_column(
                Text(name), justify=justify, no_wrap=name != EXECUTOR_MODEL, overflow="fold"
            )
        for number, entry in enumerate(self.entries, start=1):
            running = self.running_task_id is not None and entry.task_id == self.running_task_id
            marker = Text(RUNNING_MARKER if running else "", style="bold cyan")
            cells = _cells(number, entry, compact=layout.compact)
            table.add_row(marker, *(cells[name] for name, _ in shown))
        return table


def _cells(number: int, entry: TaskLogEntry, *, compact: bool) -> dict[str, Text]:
    return {
        "#": Text(str(number)),
        "Log ID": safe_text(log_id_label(entry)),
        "Task ID": safe_text(entry.external_task_id),
        "Status": status_text(entry.status),
        "Started": Text(format_timestamp(entry.started_at)),
        "Duration": Text(format_duration(entry_duration(entry))),
        "Files": Text(str(entry.files_modified_count)),
        EXECUTOR_MODEL: executor_model(
            entry.executor, entry.model, separator="\n" if compact else "/"
        ),
        "Cost": Text(format_cost(entry.cost_usd)),
    }


def task_list_json(session_id: str, entries: list[TaskLogEntry]) -> dict[str, Any]:
    """`{"session_id", "tasks": [index rows], "counts": {status: n, ..., "total": n}}`, masked."""
    counts = count_statuses(entry.status for entry in entries)
    return {
        "session_id": safe_str(session_id),
        "tasks": [_entry_json(entry) for entry in entries],
        "counts": {**counts.model_dump(mode="json"), "total": counts.total},
    }


# Ids and timestamps have digit-only bodies: no secret or escape fits in them, so they skip
# the (comparatively slow) display masking. Any other string, free text or a forged id, is masked.
_DIGIT_TOKEN = re.compile(r"(?:task|thr|run|sess|evt)-[0-9-]{3,24}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z")


def _entry_json(entry: TaskLogEntry) -> dict[str, Any]:
    row = entry.model_dump(mode="json")
    for field, value in row.items():
        if isinstance(value, str) and _DIGIT_TOKEN.fullmatch(value) is None:
            row[field] = safe_str(value)
    return row
