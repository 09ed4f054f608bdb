"""The `/logs <id>` detail of one task: a header of facts, then its events (seed 003 §4.2, §5).

Summary visibility shows only summary events and says when executor detail was hidden;
full shows every event. A task file that does not parse renders as one line.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, Any

from runner.logs.stored_task import StoredTask
from runner.logs.vocabulary import EventType, Visibility
from runner.views.event_content import cut_body, event_body, event_strings
from runner.views.event_lines import PLAIN_OUTPUT_KEYS, EventLines, gathered
from runner.views.fields import (
    NONE_SHOWN,
    STATUS_STYLES,
    duration_between,
    format_clock,
    format_cost,
    format_duration,
    format_timestamp,
)
from runner.views.json_contract import stamped
from runner.views.plain import Block, Line, Para
from runner.views.plan import parts_lines
from runner.views.safe_text import SafeStrings, restore_mask_counts, safe_json, safe_str

if TYPE_CHECKING:  # a stored task's detail is shown without the models (no pydantic): they load where used
    from runner.logs.models import CorruptedLog, LogEvent, Metrics, TaskLog

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


def task_detail_renderable(log: TaskLog | StoredTask | CorruptedLog, *, visibility: Visibility,
                           grouped: bool = False) -> Block:
    """Header, `Events:` and each visible event; the `--full` hint when something was hidden.

    `grouped` (the browser): a run of consecutive plain output lines is one block under one
    heading (`output_blocks`), so a 500-line output reads as output, not as 500 event headers.
    Plain strings wrapped by `views.plain` (as rich wraps them): thousands of events render in
    milliseconds, each string masked once. A `StoredTask` (events as stored) renders its events
    as strings (`event_lines`), the same text as a TaskLog's.
    """
    if isinstance(log, StoredTask):
        return _stored_detail(log, visibility=visibility, grouped=grouped)
    from runner.logs.models import CorruptedLog

    if isinstance(log, CorruptedLog):
        return Block([Para(safe_str(f"{log.task_id}: {CORRUPTED} ({log.reason})"), "red")])
    events = visible_events(log, visibility)
    block = Block([_title(log), *_header(log), Line.of(""), Line.of("Events:", "bold")])
    items = output_blocks(events) if grouped else [[event] for event in events]
    shown = SafeStrings()
    shown.prepare(chain.from_iterable(event_strings(event.content) for event in events))
    for number, item in enumerate(items):
        if number:
            block.add("")
        block.lines += (_event(item[0], log.task_id, shown) if len(item) == 1
                        else _output_block(item, log.task_id, shown))
    if not events:
        block.add(NO_EVENTS, "dim")
    if len(events) < len(log.events):
        block.lines += [Line.of(""), Line.of(FULL_HINT, "dim")]
    return block


_STYLES_BY_NAME = {kind.value: style for kind, style in _EVENT_STYLES.items()}


def _stored_detail(task: StoredTask, *, visibility: Visibility, grouped: bool) -> Block:
    """`task_detail_renderable` of a task whose events are as stored: one `EventLines` for all of them."""
    log = task.header
    events = (task.events if visibility is Visibility.FULL
              else [event for event in task.events if event["visibility"] == Visibility.SUMMARY.value])
    block = Block([_title(log), *_header(log), Line.of(""), Line.of("Events:", "bold")])
    block.lines.append(EventLines(events, log.task_id, SafeStrings(), _STYLES_BY_NAME, grouped=grouped,
                                  read=task.columns if events is task.events else None))
    if not events:
        block.add(NO_EVENTS, "dim")
    if len(events) < len(task.events):
        block.lines += [Line.of(""), Line.of(FULL_HINT, "dim")]
    return block


def _title(log: TaskLog) -> Line:
    return Line([("Task ", "bold"), (safe_str(log.task_id), "bold"), (safe_str(f" ({log.external_task_id}) - "), ""),
                 (log.status.value.upper(), STATUS_STYLES.get(log.status, ""))], cut=False)


def _header(log: TaskLog) -> list[Para]:
    """`Label: value` rows; values wrap under themselves, past the widest label."""
    rows = _header_rows(log)
    width = max(len(label) for label, _ in rows) + 1
    paras = []
    for label, value in rows:
        text, style = value if isinstance(value, tuple) else (safe_str(value), "")
        paras.append(Para(text, style, lead=[(f"{label}:".ljust(width), "bold"), (" ", "")]))
    return paras


_Value = str | tuple[str, str]  # text to make safe, or (safe text, style)


def _header_rows(log: TaskLog) -> list[tuple[str, _Value]]:
    rows: list[tuple[str, _Value]] = [
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
    rows.append(("Executor", (_executor_model(executor.name if executor else None,
                                              executor.model if executor else None), "")))
    if log.metrics is not None and log.metrics.cost_usd is not None:
        rows.append(("Cost", _cost(log.metrics)))
    rows.append(("Decision", log.runner_decision.value))
    rows.append(("Verification root", log.verification_root or "-"))
    return rows + _outcome_rows(log)


def _outcome_rows(log: TaskLog) -> list[tuple[str, _Value]]:
    rows: list[tuple[str, _Value]] = [("Files", _files(log))]
    parts = parts_lines(log)
    if parts:
        rows.append(("Subtasks", "\n".join(parts)))
    if log.evidence_summary is not None and log.evidence_summary.files_missing:
        rows.append(("Missing", ", ".join(log.evidence_summary.files_missing)))
    if log.denied_tools:
        # Refused by the agent's own permissions: what it was not allowed to do, one call each.
        rows.append(("Denied", ", ".join(f"{d.tool} {d.target}".strip() for d in log.denied_tools)))
    if log.sensitive_files_modified:
        rows.append(("Sensitive", ("changed: " + safe_str(", ".join(log.sensitive_files_modified)), "yellow")))
    if log.evidence_summary is not None and not log.evidence_summary.verification_complete:
        rows.append(("Verification", ("incomplete: " + safe_str(log.evidence_summary.verification_reason), "yellow")))
    if log.executor_blocked:
        rows.append(("Blocked", _blocked(log)))
    if log.error_reason:
        code = f"[{log.error_code.value}] " if log.error_code else ""
        rows.append(("Error", (code + safe_str(log.error_reason), "red")))
    if log.test_mode:
        rows.append(("Test mode", "yes (a test-only executor produced this log)"))
    return rows


def _executor_model(executor: str | None, model: str | None) -> str:
    """`executor/model`, `executor` alone, or `-`; both parts made safe."""
    if not model:
        return safe_str(executor) if executor else NONE_SHOWN
    return safe_str(executor or NONE_SHOWN) + "/" + safe_str(model)


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
    hidden = len(log.verified_files) - MAX_FILES_SHOWN + log.verified_files_omitted
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


def event_renderable(event: LogEvent, task_id: str | None = None) -> Block:
    """One event as the detail view shows it (used alone by `--follow`); `task_id` names the task in the cut note."""
    block = Block()
    block.lines += _event(event, task_id or "ID")
    return block


def _event(event: LogEvent, task_id: str, shown: SafeStrings | None = None) -> list[Line | Para]:
    """The event's heading, body and masking note; `shown`: the view's values, masked in batches."""
    safe = shown or safe_str
    heading: list[Line | Para] = [Line([(f"  [{format_clock(event.timestamp)}] ", ""),
                                        (safe(event.event_type.value),
                                         _EVENT_STYLES.get(event.event_type, "bold"))], cut=False)]
    body = cut_body(event_body(event.content, shown), task_id)
    if body:  # wrapped continuation lines stay indented under the event
        heading.append(Para(body, lead=[("    ", "")]))
    if event.masked:  # what was hidden, and by which rule (never the value)
        counts = ", ".join(f"{rule} ×{number}" for rule, number in event.masked.items())
        heading.append(Para(safe(f"masked: {counts}"), style="dim", lead=[("    ", "")]))
    return heading


def _plain_output(event: LogEvent) -> bool:
    """An output line and nothing else (a note, a count of dropped lines keeps an event on its own)."""
    return (event.event_type is EventType.EXECUTOR_OUTPUT and set(event.content) <= PLAIN_OUTPUT_KEYS
            and isinstance(event.content.get("line", event.content.get("text")), str))


def output_blocks(events: list[LogEvent]) -> list[list[LogEvent]]:
    """The events in order, each run of consecutive plain output lines gathered into one list."""
    return gathered(events, _plain_output)


def _output_block(events: list[LogEvent], task_id: str, shown: SafeStrings | None = None) -> list[Line | Para]:
    """`[12:00:01–12:00:09] EXECUTOR_OUTPUT (500 lines)`, then each line; stderr lines marked."""
    first, last = format_clock(events[0].timestamp), format_clock(events[-1].timestamp)
    when = first if first == last else f"{first}–{last}"
    lines: list[Line | Para] = [Line([(f"  [{when}] ", ""), (EventType.EXECUTOR_OUTPUT.value, "bold"),
                                      (f" ({len(events)} lines)", "dim")], cut=False)]
    for event in events:
        text = event_body({"line": event.content.get("line", event.content.get("text"))}, shown)
        mark = "" if event.content.get("stream", "stdout") == "stdout" else f"[{(shown or safe_str)(event.content['stream'])}] "
        lines.append(Para(cut_body(mark + text, task_id), lead=[("    ", "")]))
    return lines


def task_detail_json(log: TaskLog | CorruptedLog, *, visibility: Visibility) -> dict[str, Any]:
    """The TaskLog with events filtered by `visibility`, masked; a corrupted file as an error object."""
    from runner.logs.models import CorruptedLog

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
        document["events"] = [event.model_dump(mode="json", exclude={"masked"}) for event in events]
        document["visibility"] = visibility.value
        document["hidden_events"] = len(log.events) - len(events)
    result: dict[str, Any] = stamped(safe_json(document))
    if not isinstance(log, CorruptedLog) and isinstance(result, dict):
        restore_mask_counts(result.get("events"), visible_events(log, visibility))
    return result
