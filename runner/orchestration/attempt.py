"""One pass of a task: run the executor (its events go to the task's log), then check on disk what
changed since the task started (runner/changes does the looking) and what was claimed in any pass so far.

I/O: the executor and the disk; nothing here writes to the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runner.changes import ProjectState, detector_for
from runner.executors.base import (
    Executor,
    ExecutorResult,
    ExecutorTask,
    raw_log_line,
)
from runner.logs.manager import RawLog, TaskLogManager
from runner.logs.models import EventType, Metrics
from runner.notices import Notice
from runner.verify import Verification, verify_task


class ProgressListener(Protocol):
    """Who hears about a running task: its progress lines and the notices it raises (a budget warning)."""

    # kind: the progress kind an agent's parser gave ("text", "tool_use", "tool_result", "init",
    # "result", ...); None for a plain output line of a shell or command executor.
    def progress(self, line: str, kind: str | None = None) -> None: ...

    def notify(self, notice: Notice) -> None: ...


class ManagerSink:
    """The executor's event sink: events go to the task's journal, raw lines to its raw log."""

    def __init__(self, manager: TaskLogManager, task_id: str, listener: ProgressListener) -> None:
        self._manager = manager
        self._task_id = task_id
        self._listener = listener
        self._raw: RawLog | None = None
        self._start_event_id: str | None = None

    def event(self, event_type: EventType, content: dict[str, Any]) -> str | None:
        event_id = self._manager.add_event(self._task_id, event_type, content)
        if event_type is EventType.EXECUTOR_START and event_id is not None:
            self._start_event_id = event_id
        if event_type in (EventType.EXECUTOR_OUTPUT, EventType.EXECUTOR_PROGRESS):
            text = content.get("line") or content.get("text") or ""
            kind = content.get("kind")
            if isinstance(text, str) and text.strip():
                self._listener.progress(text, kind=kind if isinstance(kind, str) else None)
        return event_id

    def event_batch(self, event_type: EventType, contents: list[dict[str, Any]]) -> None:
        with self._manager.grouped_sync():
            for content in contents:
                self.event(event_type, content)

    def raw_line(self, stream: str, line: str) -> None:
        self._raw_log().write(raw_log_line(stream, line))

    def raw_block(self, stream: str, block: str) -> None:
        self._raw_log().write_masked(block)

    def _raw_log(self) -> RawLog:
        if self._raw is None:
            self._raw = self._manager.open_raw_log(self._task_id, self._start_event_id or "evt-0001")
        return self._raw

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


@dataclass(frozen=True)
class Attempt:
    """The facts of one pass: what the executor reported, what the disk shows since the task started,
    and the pass's metrics (priced from the table when the executor gave no cost)."""

    result: ExecutorResult
    verification: Verification
    metrics: Metrics | None


def run_executor(executor: Executor, task: ExecutorTask, sink: ManagerSink) -> ExecutorResult:
    """The executor's result; the sink is closed once it returns."""
    try:
        return executor.run(task, sink)
    finally:
        sink.close()


def project_state(root: Path) -> ProjectState:
    """The project as it is now: the "before" every pass of a task is verified against."""
    return detector_for(root).before()


def check_on_disk(root: Path, start: ProjectState, claims: list[str], result: ExecutorResult,
                  metrics: Metrics | None) -> Attempt:
    """Look again and verify every claim so far against what changed since the task started."""
    verification = verify_task(root, detector_for(root).after(start), claims)
    return Attempt(result, verification, metrics)
