"""Each part's result, and what they make of the parent: its status by the rule of spec/planning.md
"Parent status", the aggregate, and the events that report a part's end. Pure functions over data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runner.logs.models import ErrorCode, EventType, RunnerDecision, TaskLog, TaskStatus
from runner.logs.outcome import TaskOutcome
from runner.orchestration.planning.model import Plan

REASON_CHARS = 300


@dataclass(frozen=True)
class SubtaskResult:
    """How one part ended: its task, status and files; `carried_over` when an earlier run completed it."""

    number: int
    text: str
    subtask_id: str
    status: TaskStatus
    error_code: ErrorCode | None = None
    reason: str | None = None
    files: tuple[str, ...] = ()
    carried_over: bool = False

    @classmethod
    def of(cls, number: int, text: str, log: TaskLog, *, carried_over: bool = False) -> SubtaskResult:
        return cls(number, text, log.task_id, log.status, log.error_code, log.error_reason,
                   tuple(log.artifacts.files_touched), carried_over)

    @property
    def skipped(self) -> bool:
        return self.error_code is ErrorCode.SKIPPED

    @property
    def word(self) -> str:
        """`complete`, `incomplete`, `error` or `skipped`."""
        return "skipped" if self.skipped else self.status.value

    def content(self) -> dict[str, Any]:
        """This part as the events and the aggregate record it."""
        content: dict[str, Any] = {"subtask_id": self.subtask_id, "number": self.number, "text": self.text,
                                   "status": self.word, "files": list(self.files)}
        if self.status is not TaskStatus.COMPLETE:
            content.update(error_code=self.error_code.value if self.error_code else None, reason=self.reason)
        if self.carried_over:
            content["carried_over"] = True
        return content


def skip_reason(plan: Plan, number: int, settled: Mapping[int, SubtaskResult]) -> str | None:
    """Why part `number` must not run (a part it waits for did not complete), or None when it may."""
    failed = [settled[on] for on in plan.depends_on(number) if on in settled
              and settled[on].status is not TaskStatus.COMPLETE]
    if not failed:
        return None
    names = ", ".join(f"part {r.number} ({r.subtask_id}, {r.word})" for r in failed)
    return f"not run: it depends on {names}, which did not complete"


def end_event(result: SubtaskResult) -> tuple[EventType, dict[str, Any]]:
    """SUBTASK_COMPLETE for a part that completed, SUBTASK_FAILED (with its status) for any other end."""
    kind = EventType.SUBTASK_COMPLETE if result.status is TaskStatus.COMPLETE else EventType.SUBTASK_FAILED
    return kind, result.content()


def parent_status(results: Sequence[SubtaskResult]) -> TaskStatus:
    """ERROR when any part errored; else INCOMPLETE when any is incomplete or skipped; else COMPLETE."""
    statuses = {r.status for r in results}
    if TaskStatus.ERROR in statuses:
        return TaskStatus.ERROR
    if statuses - {TaskStatus.COMPLETE}:
        return TaskStatus.INCOMPLETE
    return TaskStatus.COMPLETE


def tally_words(results: Sequence[SubtaskResult]) -> str:
    """`2 complete, 1 skipped`: how many parts ended each way, in a fixed order."""
    counts = {word: sum(r.word == word for r in results) for word in ("complete", "incomplete", "error", "skipped")}
    return ", ".join(f"{n} {word}" for word, n in counts.items() if n)


def aggregation(results: Sequence[SubtaskResult]) -> dict[str, Any]:
    """CHUNKING_AGGREGATION's content: every part in plan order, and the counts."""
    return {"subtasks": [r.content() for r in sorted(results, key=lambda r: r.number)],
            "summary": tally_words(results), "status": parent_status(results).value}


def parent_outcome(results: Sequence[SubtaskResult]) -> TaskOutcome:
    """The parent's terminal outcome: its status by the rule, and which parts did not complete."""
    status = parent_status(results)
    summary = f"{len(results)} subtasks: {tally_words(results)}"
    content = {"summary": summary, "subtasks": [f"{r.subtask_id} {r.word}" for r in sorted(results, key=lambda r: r.number)]}
    if status is TaskStatus.COMPLETE:
        return TaskOutcome(status=status, runner_decision=RunnerDecision.ACCEPT, executor_summary=summary,
                           final_event_content=content)
    missing = [r for r in sorted(results, key=lambda r: r.number) if r.status is not TaskStatus.COMPLETE]
    detail = "; ".join(f"part {r.number} ({r.subtask_id}) {r.word}"
                       + (f" ({r.error_code.value})" if r.error_code and not r.skipped else "") for r in missing)
    reason = f"{len(missing)} of {len(results)} subtasks did not complete: {detail}"
    if len(reason) > REASON_CHARS:
        reason = reason[: REASON_CHARS - 1] + "…"
    return TaskOutcome(status=status, runner_decision=RunnerDecision.ACCEPT, error_code=ErrorCode.PLAN_INCOMPLETE,
                       error_reason=reason, executor_summary=summary, final_event_content=content)
