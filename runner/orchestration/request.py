"""`RequestOutcome`: what handling one input produced — the tasks it ran, what to tell the person, whether it was cancelled.

One input may become several tasks (the planner, issue 13), so the outcome holds a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from runner.notices import Notice

if TYPE_CHECKING:
    from runner.logs.models import TaskLog


@dataclass
class RequestOutcome:
    """The tasks in the order they ran, notices to show after them, and whether the person cancelled."""

    tasks: list[TaskLog] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    interrupted: bool = False

    @property
    def last(self) -> TaskLog:
        return self.tasks[-1]
