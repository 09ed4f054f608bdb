"""The `shell` executor: the task line is a shell command run by `/bin/sh -c` in the project root.

The embedded default for demos, scripts and CI; it claims no files, so evidence comes from the diff.
"""

from __future__ import annotations

import os

from runner.errors import ExecutorUnavailableError
from runner.executors.base import EventSink, ExecutorResult, ExecutorTask
from runner.executors.outcome import exited_result
from runner.executors.supervise import SpawnSpec, supervise

SHELL = "/bin/sh"


class ShellExecutor:
    """Runs each task line as a shell command under the supervisor."""

    name = "shell"
    warning: str | None = None

    def check_available(self) -> None:
        if not os.access(SHELL, os.X_OK):
            raise ExecutorUnavailableError(f"the shell executor needs {SHELL}, which is not executable here",
                                           hint="pick another executor with --executor")

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        spec = SpawnSpec(argv=[SHELL, "-c", task.prompt], cwd=task.project_root, executor=self.name)
        run = supervise(spec, task, sink)
        return run.early_result() or exited_result(run, detect_question=False)
