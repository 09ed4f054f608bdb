"""What decides the exit code, and the streak of errors worth a warning: counted as tasks finish.

The exit code counts the last task of each thread (DESIGN §5), plus command errors and a fatal
failure of the runner itself. Spend against the budgets is `budget.SessionBudget`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from runner.errors import ExitStatus
from runner.logs.vocabulary import TaskStatus
from runner.notices import Notice

if TYPE_CHECKING:
    from runner.logs.models import TaskLog

CONSECUTIVE_ERRORS_WARNING = 3


@dataclass
class RunTally:
    """The last status of each thread, command errors, whether the runner failed, the error streak."""

    last_status_by_thread: dict[str, TaskStatus] = field(default_factory=dict)
    command_errors: int = 0
    fatal: bool = False
    consecutive_errors: int = 0

    def record(self, log: TaskLog) -> Notice | None:
        """Count a finished task; a warning when it makes CONSECUTIVE_ERRORS_WARNING errors in a row."""
        self.last_status_by_thread[log.thread_id] = log.status
        self.consecutive_errors = self.consecutive_errors + 1 if log.status is TaskStatus.ERROR else 0
        if self.consecutive_errors == CONSECUTIVE_ERRORS_WARNING:
            return Notice.warning(f"{CONSECUTIVE_ERRORS_WARNING} tasks in a row ended in ERROR; "
                                  "see what happened with /logs")
        return None

    def exit_status(self) -> ExitStatus:
        statuses = set(self.last_status_by_thread.values())
        if self.fatal or self.command_errors or TaskStatus.ERROR in statuses:
            return ExitStatus.ERROR
        if TaskStatus.INCOMPLETE in statuses or statuses & {TaskStatus.RUNNING, TaskStatus.QUEUED}:
            return ExitStatus.INCOMPLETE
        return ExitStatus.SUCCESS
