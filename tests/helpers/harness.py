"""An in-process `RunnerCore` over a real logs folder, with the fake executor and a recording UI.

Tests drive the core the way the REPL does (a line, a `/retry`, a Ctrl-C while a task runs) and
look at what it returned, what it told the UI and what it wrote, without spawning a process.
The helpers here are the only place that knows the core's API, so a test reads the same whatever
shape the core takes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from runner.config import RunnerConfig
from runner.core import RunnerCore
from runner.errors import ExitStatus
from runner.executors.base import EventSink, Executor, ExecutorResult, ExecutorTask
from runner.executors.fake import TEST_MODE_ENV
from runner.logs.manager import TaskLogManager
from runner.logs.models import TaskLog
from runner.notices import Notice
from runner.orchestration.budget import SpendReport
from runner.orchestration.planning.model import Plan
from runner.orchestration.request import RequestOutcome
from runner.views.notices import notice_text


@dataclass
class RecordingUI:
    """The core's UI, keeping everything it was told in order, as `(kind, value)` pairs."""

    said: list[tuple[str, Any]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    run_plans: bool = True  # the answer to "run this plan?"

    def notify(self, notice: Notice) -> None:
        """Kept as data, and as the text the terminal would write (`("warning", "WARNING: ...")`)."""
        self.notices.append(notice)
        self.said.append((str(notice.level), notice_text(notice)))

    def task_started(self, task: TaskLog) -> None:
        self.said.append(("started", task.task_id))

    def progress(self, line: str, kind: str | None = None) -> None:
        self.said.append(("progress", line))

    def task_finished(self, log: TaskLog, spend: SpendReport | None = None) -> None:
        self.said.append(("finished", log.task_id))

    def plan_ready(self, plan: Plan) -> bool:
        """Kept as `("plan", [part texts])`; answered with `run_plans`."""
        self.said.append(("plan", [item.text for item in plan.items]))
        return self.run_plans

    def of_kind(self, kind: str) -> list[Any]:
        return [value for said_kind, value in self.said if said_kind == kind]


class RecordingExecutor:
    """Wraps the chosen executor and keeps every `ExecutorTask` it was handed (prompt, resume token...)."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.name = inner.name
        self.warning = inner.warning
        self.tasks: list[ExecutorTask] = []

    def check_available(self) -> None:
        self.inner.check_available()

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        self.tasks.append(task)
        return self.inner.run(task, sink)


@dataclass
class Harness:
    """One core, its manager and its UI; `line` and `retry` return the task each ran."""

    core: RunnerCore
    manager: TaskLogManager
    ui: RecordingUI
    project: Path
    executor: RecordingExecutor | None

    outcomes: list[RequestOutcome] = field(default_factory=list)

    def line(self, text: str) -> TaskLog:
        """A natural-language line, as the REPL hands it over; returns the (last) task it produced."""
        return self._concluded(self.core.handle_line(text))

    def retry(self, task_ref: str | None = None) -> TaskLog:
        """`/retry [task]`."""
        return self._concluded(self.core.retry(task_ref))

    def _concluded(self, outcome: RequestOutcome) -> TaskLog:
        """Tell the UI what the request concluded, as the REPL edge does, and keep the outcome."""
        self.outcomes.append(outcome)
        for notice in outcome.notices:
            self.ui.notify(notice)
        return outcome.last

    def cancel_after(self, seconds: float) -> threading.Timer:
        """Set the cancel flag from another thread after `seconds`, as the edge's signal handler does."""
        timer = threading.Timer(seconds, self.core.cancel.set)
        timer.start()
        return timer

    @property
    def interrupted(self) -> bool:
        """Whether the last line was cancelled (the edge stops a script when it was)."""
        return self.outcomes[-1].interrupted

    def exit_status(self) -> ExitStatus:
        return self.core.exit_status()

    def task(self, task_id: str) -> TaskLog:
        """The task as saved on disk (snapshot plus journal)."""
        return self.manager.get_task(task_id)


@contextmanager
def core_with(project: Path, *, executor: str | None = "fake", **settings: Any) -> Iterator[Harness]:
    """A core for `project` using `executor` (the fake one by default, in test mode); closed afterwards.

    `settings` override `RunnerConfig` fields (e.g. `executor_cmd`, `executors`, `require_evidence`).
    """
    previous = os.environ.get(TEST_MODE_ENV)
    os.environ[TEST_MODE_ENV] = "1"
    config = replace(RunnerConfig(project_root=project.resolve(), non_interactive=True, executor=executor),
                     **settings)
    manager = TaskLogManager(config.project_root, durability=config.durability)
    ui = RecordingUI()
    core = RunnerCore(config, manager, ui)
    recording = None
    if core.executor is not None:
        recording = RecordingExecutor(core.executor)
        core._executor = recording  # the core holds the one executor every task goes to
    try:
        yield Harness(core, manager, ui, config.project_root, recording)
    finally:
        manager.close()
        if previous is None:
            os.environ.pop(TEST_MODE_ENV, None)
        else:
            os.environ[TEST_MODE_ENV] = previous
