"""The `/logs <id>` detail of one task: a header of facts, then its events (seed 003 §4.2, §5).

Summary visibility shows only summary events and says when executor detail was hidden;
full shows every event. A task file that does not parse renders as one line.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from runner.logs.models import CorruptedLog, EventType, LogEvent, Metrics, TaskLog, Visibility
from runner.views.event_content import cut_body, event_body
from runner.views.fields import (
    duration_between,
    executor_model,
    format_clock,
    format_cost,
    format_duration,
    format_timestamp,
    status_text,
)
from runner.views.plan import parts_lines
from runner.views.safe_text import safe_json, safe_str, safe_text

CORRUPTED = "Log file corrupted"
FULL_HINT = "Use --full to see executor details."
NO_EVENTS = "  (no events at this visibility yet)"
MAX_FILES_SHOWN = 20

_EVENT_STYLES: dict[EventType, str] = {
    EventType.TASK_COMPLETE: "bold green",
    EventType.TASK_INCOMPLETE: "bold yellow",
    EventType.TASK_ERROR: "bold red",
    EventType.EXECUTOR_BLOCKED: "bold red",
    EventType.EXECUTOR_ERROR: "bold red",
}


def visible_events(log: TaskLog, visibility: Visibility) -> list[LogEvent]:
    """The events shown at `visibility`: all of them for full, summary ones otherwise."""
    if visibility is Visibility.FULL:
        return list(log.events)
    return [event for event in log.events if event.visibility is Visibility.SUMMARY]


def task_detail_renderable(
    log: TaskLog | CorruptedLog, *, visibility: Visibility
) -> RenderableType:
    """Header, `Events:` and each visible event; the `--full` hint when something was hidden."""
    if isinstance(log, CorruptedLog):
        line = safe_text(f"{log.task_id}: {CORRUPTED} ({log.reason})", style="red")
        return line
    events = visible_events(log, visibility)
    parts: list[RenderableType] = [
        _title(log),
        _header(log),
        Text(""),
        Text("Events:", style="bold"),
    ]
    for number, event in enumerate(events):
        if number:
            parts.append(Text(""))
        parts.extend(_event(event, log.task_id))
    if not events:
        parts.append(Text(NO_EVENTS, style="dim"))
    if len(events) < len(log.events):
        parts.extend([Text(""), Text(FULL_HINT, style="dim")])
    return Group(*parts)


def _title(log: TaskLog) -> Text:
    title = Text("Task ", style="bold")
    title.append_text(safe_text(log.task_id, style="bold"))
    title.append_text(safe_text(f" ({log.external_task_id}) - "))
    title.append_text(status_text(log.status))
    return title


def _header(log: TaskLog) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in _header_rows(log):
        grid.add_row(Text(f"{label}:"), value if isinstance(value, Text) else safe_text(value))
    return grid


def _header_rows(log: TaskLog) -> list[tuple[str, Text | str]]:
    rows: list[tuple[str, Text | str]] = [
        ("Prompt", f'"{log.prompt_summary}"'),
        ("Session", log.session_id),
        ("Thread", _thread(log)),
        ("Started", f"{format_timestamp(log.started_at)} UTC"),
    ]
    if log.ended_at is not None:
        rows.append(("Ended", f"{format_timestamp(log.ended_at)} UTC"))
        recorded = log.metrics.duration_ms if log.metrics else None
        duration = (
            recorded if recorded is not None else duration_between(log.started_at, log.ended_at)
        )
        rows.append(("Duration", format_duration(duration)))
    executor = log.executor
    rows.append(
        (
            "Executor",
            executor_model(
                executor.name if executor else None, executor.model if executor else None
            ),
        )
    )
    if log.metrics is not None and log.metrics.cost_usd is not None:
        rows.append(("Cost", _cost(log.metrics)))
    rows.append(("Decision", log.runner_decision.value))
    rows.append(("Verification root", log.verification_root or "-"))
    return rows + _outcome_rows(log)


def _outcome_rows(log: TaskLog) -> list[tuple[str, Text | str]]:
    rows: list[tuple[str, Text | str]] = [("Files", _files(log))]
    parts = parts_lines(log)
    if parts:
        rows.append(("Subtasks", "\n".join(parts)))
    if log.evidence_summary is not None and log.evidence_summary.files_missing:
        rows.append(("Missing", ", ".join(log.evidence_summary.files_missing)))
    if log.denied_tools:
        # Refused by the agent's own permissions: what it was not allowed to do, one call each.
        rows.append(("Denied", ", ".join(f"{d.tool} {d.target}".strip() for d in log.denied_tools)))
    if log.executor_blocked:
        rows.append(("Blocked", _blocked(log)))
    if log.error_reason:
        code = f"[{log.error_code.value}] " if log.error_code else ""
        rows.append(("Error", Text(code + safe_str(log.error_reason), style="red")))
    if log.test_mode:
        rows.append(("Test mode", "yes (a test-only executor produced this log)"))
    return rows


def _thread(log: TaskLog) -> str:
    place = f"{log.thread_id}, run {log.run_id}"
    if log.parent_task_id and log.subtask_index is not None:
        return f"{place}, part {log.subtask_index} of {log.parent_task_id}"
    return f"{place}, continues {log.parent_task_id}" if log.parent_task_id else place


def _cost(metrics: Metrics) -> str:
    cost = format_cost(metrics.cost_usd)
    if metrics.input_tokens is None and metrics.output_tokens is None:
        return cost
    tokens_in = "-" if metrics.input_tokens is None else str(metrics.input_tokens)
    tokens_out = "-" if metrics.output_tokens is None else str(metrics.output_tokens)
    return f"{cost} ({tokens_in} input / {tokens_out} output tokens)"


def _files(log: TaskLog) -> str:
    lines = [f"{log.files_modified_count} changed"]
    for verified in log.verified_files[:MAX_FILES_SHOWN]:
        state = (
            verified.detection_method.value
            if verified.exists
            else f"missing, {verified.detection_method.value}"
        )
        lines.append(f"{verified.path} ({state})")
    hidden = len(log.verified_files) - MAX_FILES_SHOWN
    if hidden > 0:
        lines.append(f"... and {hidden} more (see --json)")
    return "\n".join(lines)


def _blocked(log: TaskLog) -> str:
    parts = [log.blocked_reason.value if log.blocked_reason else "yes"]
    if log.terminated_by is not None:
        parts.append(f"terminated by {log.terminated_by.value}")
    if log.timeout_ms is not None:
        parts.append(f"timeout {log.timeout_ms} ms")
    return ", ".join(parts)


def event_renderable(event: LogEvent, task_id: str | None = None) -> RenderableType:
    """One event as the detail view shows it (used alone by `--follow`); `task_id` names the task in the cut note."""
    return Group(*_event(event, task_id or "ID"))


def _event(event: LogEvent, task_id: str) -> list[RenderableType]:
    heading = Text(f"  [{format_clock(event.timestamp)}] ")
    heading.append_text(
        safe_text(event.event_type.value, style=_EVENT_STYLES.get(event.event_type, "bold"))
    )
    parts: list[RenderableType] = [heading]
    body = cut_body(event_body(event.content), task_id)
    if body:
        # Padding keeps wrapped continuation lines indented under the event.
        parts.append(Padding(Text(body), (0, 0, 0, 4)))
    return parts


def task_detail_json(log: TaskLog | CorruptedLog, *, visibility: Visibility) -> dict[str, Any]:
    """The TaskLog with events filtered by `visibility`, masked; a corrupted file as an error object."""
    if isinstance(log, CorruptedLog):
        document: dict[str, Any] = {
            "session_id": log.session_id,
            "task_id": log.task_id,
            "error": CORRUPTED,
            "reason": log.reason,
        }
    else:
        events = visible_events(log, visibility)
        document = log.model_dump(mode="json")
        document["events"] = [event.model_dump(mode="json") for event in events]
        document["visibility"] = visibility.value
        document["hidden_events"] = len(log.events) - len(events)
    result: dict[str, Any] = safe_json(document)
    return result
