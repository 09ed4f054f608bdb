"""What retention removes and reports, as data: `Removal`, its `RemovalKind`, and the `RetentionReport`.

Kept apart from the code that plans and removes, so views can render a report without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from runner.notices import Notice


class RemovalKind(StrEnum):
    SESSION = "session"
    TASK = "task"
    EVENTS = "events"
    RAW = "raw"  # the raw-log folder of a session that no longer exists


@dataclass(frozen=True)
class Removal:
    """One thing retention removed (or, in a plan, would remove)."""

    kind: RemovalKind
    session_id: str
    task_id: str | None
    bytes: int
    reason: str
    count: int = 0  # tasks of a removed session; events dropped from a trimmed task


@dataclass
class RetentionReport:
    """What went (or, for a plan, would go), warnings naming it, and what stayed and why."""

    removals: list[Removal] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return sum(1 for r in self.removals if r.kind is RemovalKind.SESSION)

    @property
    def tasks(self) -> int:
        return sum(r.count if r.kind is RemovalKind.SESSION else 1
                   for r in self.removals if r.kind in (RemovalKind.SESSION, RemovalKind.TASK))

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.removals)

    @property
    def problems(self) -> list[Notice]:
        """The warnings that do not just announce a removal (those carry its `kind`): failures, limits still exceeded."""
        return [notice for notice in self.warnings if "kind" not in notice.fields]
