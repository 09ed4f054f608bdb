"""One attempt at a task: look at the project, run the executor (its events go to the task's log),
look again, and check on disk what changed and what was claimed (runner/changes does the looking).

I/O: the executor and the disk; nothing here writes to the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runner.changes import ProjectState, detector_for
from runner.executors.base import Executor, ExecutorResult, ExecutorTask, raw_log_line
from runner.logs.manager import RawLog, TaskLogManager
from runner.logs.models import EventType
from runner.verify import Verification, verify_task


class ProgressListener(Protocol):
    def progress(self, line: str) -> None: ...


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
            if isinstance(text, str) and text.strip():
                self._listener.progress(text)
        return event_id

    def raw_line(self, stream: str, line: str) -> None:
        if self._raw is None:
            self._raw = self._manager.open_raw_log(self._task_id, self._start_event_id or "evt-0001")
        self._raw.write(raw_log_line(stream, line))

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


@dataclass(frozen=True)
class Attempt:
    """The facts of one attempt: what the executor reported, and what the disk shows."""

    result: ExecutorResult
    verification: Verification


def run_executor(executor: Executor, task: ExecutorTask, sink: ManagerSink) -> tuple[ProjectState, ExecutorResult]:
    """The project as it was before, and the executor's result; the sink is closed once it returns."""
    before = detector_for(task.project_root).before()
    result = executor.run(task, sink)
    sink.close()
    return before, result


def check_on_disk(root: Path, before: ProjectState, result: ExecutorResult) -> Attempt:
    """Look again and verify the executor's claims against what really changed."""
    verification = verify_task(root, detector_for(root).after(before), result.claimed_files)
    return Attempt(result, verification)
