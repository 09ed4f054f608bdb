"""The parts of a task every report and trace shows: its prompt, tool calls, phases, final message.

Read from the task's events (already masked): a tool call is an `EXECUTOR_PROGRESS` event of kind
`tool_use` paired with the `tool_result` carrying the same `tool_use_id`; review iterations and
subtasks are their START events paired with the matching end events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.logs.models import EventType, LogEvent, TaskLog

_INPUT_TYPES = (EventType.USER_INPUT, EventType.USER_RESPONSE)
_SUBTASK_ENDS = {EventType.SUBTASK_COMPLETE: "complete", EventType.SUBTASK_FAILED: "failed"}
_MAIN_TEXT_KEYS = ("text", "message", "line", "reason")


@dataclass(frozen=True)
class ToolCall:
    """One tool the agent used: when, on what, and how it ended (`is_error` None: no result seen)."""

    call_id: str
    tool: str
    target: str | None
    started_at: str
    ended_at: str | None
    is_error: bool | None
    result_preview: str | None
    use_event: LogEvent
    result_event: LogEvent | None


@dataclass(frozen=True)
class Phase:
    """A review iteration or a subtask: a START event, maybe its end, and the outcome they carry."""

    kind: str  # "review_iteration" or "subtask"
    ordinal: int
    name: str
    started_at: str
    ended_at: str | None
    outcome: str | None
    failed: bool
    events: tuple[LogEvent, ...]


def _text(content: dict[str, Any], key: str) -> str | None:
    value = content.get(key)
    return value if isinstance(value, str) and value else None


def main_text(event: LogEvent) -> str | None:
    """The event's main line: its text, message, line or reason."""
    return next((t for t in (_text(event.content, k) for k in _MAIN_TEXT_KEYS) if t), None)


def input_prompt(log: TaskLog) -> str | None:
    """What the user typed for this task (the full masked prompt, not the 100-character summary)."""
    for event in log.events:
        if event.event_type in _INPUT_TYPES:
            return _text(event.content, "prompt") or _text(event.content, "response")
    return None


def clarification_question(log: TaskLog) -> str | None:
    """The question the task ended on, when it asked the user one."""
    for event in reversed(log.events):
        if event.event_type is EventType.CLARIFICATION_REQUEST:
            return _text(event.content, "question") or main_text(event)
    return None


def final_message(log: TaskLog) -> str | None:
    """The answer shown to the user, else the agent's last output, else the executor's summary."""
    for wanted in (EventType.MEDIATION_OUTPUT, EventType.EXECUTOR_OUTPUT):
        for event in reversed(log.events):
            if event.event_type is wanted and (text := main_text(event)):
                return text
    return log.executor_summary


def _progress_kind(event: LogEvent) -> str | None:
    if event.event_type is not EventType.EXECUTOR_PROGRESS:
        return None
    kind = event.content.get("kind")
    return kind if isinstance(kind, str) else None


def tool_calls(log: TaskLog) -> list[ToolCall]:
    """Every tool use of the task in the order it started, each with its result when one came."""
    results: dict[str, LogEvent] = {}
    for event in log.events:
        call_id = _text(event.content, "tool_use_id")
        if _progress_kind(event) == "tool_result" and call_id and call_id not in results:
            results[call_id] = event
    calls: list[ToolCall] = []
    for event in log.events:
        if _progress_kind(event) != "tool_use":
            continue
        call_id = _text(event.content, "tool_use_id") or event.event_id
        result = results.get(call_id)
        calls.append(ToolCall(
            call_id=call_id,
            tool=_text(event.content, "tool") or "unknown",
            target=_text(event.content, "file_path") or _text(event.content, "command"),
            started_at=event.timestamp,
            ended_at=result.timestamp if result else None,
            is_error=(result.content.get("is_error") is True) if result else None,
            result_preview=_text(result.content, "preview") if result else None,
            use_event=event,
            result_event=result,
        ))
    return calls


def review_iterations(log: TaskLog) -> list[Phase]:
    """Each REVIEW_ITERATION_START up to its REVIEW_ITERATION_END, with the verdict judged inside it."""
    phases: list[Phase] = []
    open_events: list[LogEvent] | None = None
    for event in log.events:
        if event.event_type is EventType.REVIEW_ITERATION_START:
            if open_events:
                phases.append(_iteration(len(phases) + 1, open_events))
            open_events = [event]
        elif open_events is not None:
            open_events.append(event)
            if event.event_type is EventType.REVIEW_ITERATION_END:
                phases.append(_iteration(len(phases) + 1, open_events))
                open_events = None
    if open_events:
        phases.append(_iteration(len(phases) + 1, open_events))
    return phases


def _iteration(ordinal: int, events: list[LogEvent]) -> Phase:
    judged = [e for e in events if e.event_type is EventType.QUALITY_JUDGMENT]
    closed = events[-1].event_type is EventType.REVIEW_ITERATION_END
    # The iteration's own end says how it ended (also CLARIFY, ERROR, PERMISSION_DENIED or BUDGET_EXCEEDED, which no
    # judgment names); else the last judgment inside it.
    verdict = _text(events[-1].content, "verdict") if closed else None
    if verdict is None and judged:
        content = judged[-1].content
        verdict = _text(content, "verdict") or _text(content, "result") or main_text(judged[-1])
    number = events[0].content.get("iteration")
    return Phase(kind="review_iteration", ordinal=ordinal,
                 name=f"iteration {number if isinstance(number, int) else ordinal}",
                 started_at=events[0].timestamp, ended_at=events[-1].timestamp if closed else None,
                 outcome=verdict, failed=bool(verdict and verdict.lower() in ("reject", "rejected", "fail", "error", "budget_exceeded",
                                                                   "permission_denied")),
                 events=tuple(events))


def _subtask_key(event: LogEvent) -> str:
    for key in ("subtask_id", "id", "name", "title"):
        if value := _text(event.content, key):
            return value
    return ""


def subtasks(log: TaskLog) -> list[Phase]:
    """Each SUBTASK_START with the SUBTASK_COMPLETE / SUBTASK_FAILED that names the same subtask."""
    phases: list[Phase] = []
    starts = [e for e in log.events if e.event_type is EventType.SUBTASK_START]
    ends = [e for e in log.events if e.event_type in _SUBTASK_ENDS]
    for ordinal, start in enumerate(starts, 1):
        key = _subtask_key(start)
        end = next((e for e in ends if e.timestamp >= start.timestamp and _subtask_key(e) == key), None)
        if end is not None:
            ends.remove(end)
        outcome = _SUBTASK_ENDS[end.event_type] if end else None
        phases.append(Phase(kind="subtask", ordinal=ordinal, name=key or f"subtask {ordinal}",
                            started_at=start.timestamp, ended_at=end.timestamp if end else None,
                            outcome=outcome, failed=outcome == "failed",
                            events=(start, end) if end else (start,)))
    return phases
