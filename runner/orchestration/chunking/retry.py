"""What `/retry` of a chunked task starts from: which parts completed (in its own run or carried over
from an earlier one) and which task last ran each part. Pure, over the parent's log and the
session's index rows (spec/planning.md "Crash safety and /retry").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.logs.models import EventType, TaskLog, TaskLogEntry, TaskStatus
from runner.orchestration.planning.model import Plan


@dataclass(frozen=True)
class PartsSoFar:
    """Part number -> the task that completed it, and part number -> the latest task that ran it."""

    completed: dict[int, str] = field(default_factory=dict)
    latest: dict[int, str] = field(default_factory=dict)

    def to_rerun(self, plan: Plan) -> list[int]:
        return [item.number for item in plan.items if item.number not in self.completed]


def parts_so_far(parent: TaskLog, entries: Sequence[TaskLogEntry]) -> PartsSoFar:
    """The parts of `parent`: those it carried over (CHUNKING_ANALYSIS) and its own children's rows."""
    parts = PartsSoFar()
    for event in parent.events:
        if event.event_type is EventType.CHUNKING_ANALYSIS:
            for raw in event.content.get("carried_over", []):
                if isinstance(raw, dict) and isinstance(raw.get("number"), int):
                    parts.completed[raw["number"]] = parts.latest[raw["number"]] = str(raw.get("subtask_id"))
    for entry in entries:
        if entry.parent_task_id == parent.task_id and entry.subtask_index is not None:
            parts.latest[entry.subtask_index] = entry.task_id
            if entry.status is TaskStatus.COMPLETE:
                parts.completed[entry.subtask_index] = entry.task_id
    return parts


def retry_start(original: TaskLog, plan: Plan, parts: PartsSoFar) -> dict[str, Any]:
    """RETRY_START's content on the new parent: what it retries, which parts it runs and which it keeps."""
    return {"retry_of": original.task_id, "previous_status": original.status.value,
            "reruns": parts.to_rerun(plan),
            "carried_over": {str(n): task_id for n, task_id in sorted(parts.completed.items())}}
