"""A new task's ids (task, external, thread, run; seed 003 §3.4, §2.7.5) and its first TaskLog.

Pure logic over the session's rows: the caller holds the session lock and has
refreshed the rows, so the numbers it gets are not in use by anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runner.errors import InvalidIdError, NotFoundError
from runner.ids import IdKind, format_counter_id, format_event_id, validate
from runner.logs.models import (
    PROMPT_SUMMARY_MAX,
    Artifacts,
    EventType,
    LogEvent,
    RunnerDecision,
    TaskLog,
    TaskStatus,
    trusted,
)
from runner.logs.store.session_rows import SessionRows


@dataclass(frozen=True)
class TaskIds:
    task_id: str
    external_task_id: str
    thread_id: str
    run_id: str
    parent_task_id: str | None


def allocate_task_ids(rows: SessionRows, *, thread_id: str | None, parent_task_id: str | None,
                      new_run: bool, clock_ms: int, last_external_ms: int,
                      taken: Callable[[str], bool]) -> TaskIds:
    """The ids of the next task.

    `task-NNN` is one past the highest in use (skipping any number whose file
    exists, e.g. left by a writer that died before indexing it); the external id
    `task-<epoch-ms>` is strictly increasing in the session even when the clock
    repeats or steps back.
    """
    number = rows.max_task + 1
    while taken(format_counter_id(IdKind.TASK, number)):
        number += 1
    external_ms = max(clock_ms, rows.max_external_ms + 1, last_external_ms + 1)
    thread, run, parent = _place(rows, thread_id, parent_task_id, new_run)
    return TaskIds(
        task_id=format_counter_id(IdKind.TASK, number),
        external_task_id=validate(IdKind.EXTERNAL_TASK, f"task-{external_ms}"),
        thread_id=thread, run_id=run, parent_task_id=parent,
    )


def _place(rows: SessionRows, thread_id: str | None, parent_task_id: str | None,
           new_run: bool) -> tuple[str, str, str | None]:
    """(thread, run, parent): a new thread, the thread's current run, or a new run in it."""
    parent = None
    if parent_task_id is not None:
        parent = rows.get(validate(IdKind.TASK, parent_task_id))
        if parent is None:
            raise NotFoundError(f"no task {parent_task_id} in session {rows.session_id}",
                                hint="/tasks lists the tasks of this session")
        if thread_id is None:
            thread_id = parent.thread_id
        elif parent.thread_id != thread_id:
            raise InvalidIdError(f"{parent_task_id} belongs to {parent.thread_id}, not to {thread_id}",
                                 hint="a parent task must be in the same thread")
    if thread_id is None:
        return (format_counter_id(IdKind.THREAD, rows.max_thread + 1),
                format_counter_id(IdKind.RUN, rows.max_run + 1), None)
    validate(IdKind.THREAD, thread_id)
    last_run = rows.last_run(thread_id)
    if last_run is None:
        raise NotFoundError(f"no thread {thread_id} in session {rows.session_id}",
                            hint="leave the thread out to start a new one")
    run = format_counter_id(IdKind.RUN, rows.max_run + 1) if new_run else last_run
    return thread_id, run, parent_task_id


def queued_log(session_id: str, ids: TaskIds, *, masked_prompt: str, input_event: EventType,
               runner_decision: RunnerDecision, content: dict[str, Any], now: str,
               subtask_index: int | None = None, masked: dict[str, int] | None = None) -> TaskLog:
    """A new task's first TaskLog: `queued`, holding its input event (`evt-0001`)."""
    event = LogEvent(event_id=format_event_id(1), event_type=input_event, timestamp=now,
                     visibility=input_event.default_visibility, content=content, masked=masked or {})
    return TaskLog(
        session_id=session_id, task_id=ids.task_id, external_task_id=ids.external_task_id,
        thread_id=ids.thread_id, run_id=ids.run_id, parent_task_id=ids.parent_task_id, subtask_index=subtask_index,
        status=TaskStatus.QUEUED, started_at=now, updated_at=now,
        prompt_summary=masked_prompt[:PROMPT_SUMMARY_MAX], runner_decision=runner_decision, events=[event])


def queued_copy(log: TaskLog) -> TaskLog | None:
    """A copy of a log as `queued_log` made it that shares no mutable part with it (the caller of
    `create_task` gets its own), set without validation: every field is the validated log's, its
    containers new. None for any other shape (the caller then copies the general way)."""
    fields = log.__dict__
    (event,) = log.events if len(log.events) == 1 else (None,)
    artifacts = fields["artifacts"].__dict__  # lists and dicts, all empty in a queued log
    if (event is None or any(type(value) is not str for value in event.content.values())
            or any(artifacts.values()) or any(fields[name] for name in _LIST_FIELDS)
            or any(fields[name] is not None for name in _MODEL_FIELDS)):
        return None
    events = [trusted(LogEvent, {**event.__dict__, "content": dict(event.content), "masked": dict(event.masked)})]
    empty = trusted(Artifacts, {name: type(value)() for name, value in artifacts.items()})
    return trusted(TaskLog, {**fields, "artifacts": empty, "events": events, **{name: [] for name in _LIST_FIELDS}})


# The mutable fields of a TaskLog besides `events` and `artifacts`: empty or None in a queued log.
_LIST_FIELDS = ("verified_files", "sensitive_files_modified", "denied_tools", "review_iterations")
_MODEL_FIELDS = ("executor", "evidence_summary", "metrics")
