"""Writing what orchestration decided into the task's log: start, the findings, and the terminal TaskLog.

Every way a task ends goes through here (`conclude`, `reject`, `crashed`), so each leaves a
terminal, durable TaskLog (fail-closed); the manager does the writing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.masking import mask_text
from runner.logs.models import (
    ErrorCode,
    EventType,
    ExecutorInfo,
    Metrics,
    ReviewIteration,
    RunnerDecision,
    TaskLog,
    TaskStatus,
)
from runner.orchestration.attempt import Attempt
from runner.orchestration.gates import Rejection
from runner.orchestration.judge import StatusDecision
from runner.verify import verification_warnings


def start(manager: TaskLogManager, task_id: str, *, executor: ExecutorInfo, root: str, timeout_ms: int) -> None:
    """`queued` → `running`, with the executor and the folder the task is verified in."""
    manager.start_task(task_id, executor=executor, verification_root=root, timeout_ms=timeout_ms)


def reject(manager: TaskLogManager, task_id: str, rejection: Rejection) -> TaskLog:
    """Close a task whose preconditions failed: logged, `reject`, `error`, with the fix."""
    return manager.finish_task(task_id, TaskOutcome(
        status=TaskStatus.ERROR,
        runner_decision=RunnerDecision.REJECT,
        error_code=rejection.error_code,
        error_reason=f"{rejection.reason} (fix: {rejection.hint})",
        final_event_content={"reason": rejection.reason, "hint": rejection.hint},
    ))


def pass_findings(manager: TaskLogManager, task_id: str, attempt: Attempt) -> None:
    """The events of one pass: blocked, evidence (since the task started), refused tools, notices, its usage."""
    result, verification = attempt.result, attempt.verification
    if result.executor_blocked:
        manager.add_event(task_id, EventType.EXECUTOR_BLOCKED, {
            "reason": str(result.blocked_reason),
            "detected_pattern": result.detected_pattern or "",
            "action": str(result.terminated_by),
        })
    if verification.verified_files:
        manager.add_event(task_id, EventType.EVIDENCE_CREATED, {
            "files": [f.path for f in verification.verified_files if f.exists],
            "files_verified": verification.files_modified_count,
        })
    if verification.missing:
        manager.add_event(task_id, EventType.EVIDENCE_MISSING, {
            "files_missing": verification.evidence_summary.files_missing,
            "count": len(verification.missing),
        })
    for warning in verification_warnings(verification):
        manager.add_event(task_id, EventType.WARNING, warning)
    if result.denied_tools:
        manager.add_event(task_id, EventType.WARNING, {
            "warning": "permission_denied", "text": result.error_message or "tool calls were refused",
            "denied_tools": [{"tool": d.tool, "target": d.target} for d in result.denied_tools]})
    for notice in result.notices:
        manager.add_event(task_id, EventType.WARNING, {**notice.fields, "text": notice.message,
                                                       "hint": notice.hint or ""})
    if attempt.metrics is not None:
        manager.add_event(task_id, EventType.MODEL_USAGE, attempt.metrics.model_dump(exclude_none=True))


def conclude(manager: TaskLogManager, task_id: str, attempt: Attempt, decision: StatusDecision, *,
             metrics: Metrics | None = None, review_iterations: list[ReviewIteration] | None = None) -> TaskLog:
    """The terminal TaskLog of a judged task (durable when this returns; raises LogWriteFatalError).

    `attempt` is the last pass; `metrics` the sum of every pass (the last pass's when not given).
    The final answer is recorded here, once: the question to the user, or the agent's last message.
    """
    result = attempt.result
    if decision.runner_decision is RunnerDecision.CLARIFY:
        manager.add_event(task_id, EventType.CLARIFICATION_REQUEST, {"question": result.final_message})
    elif result.final_message:
        manager.add_event(task_id, EventType.MEDIATION_OUTPUT, {"text": result.final_message})
    return manager.finish_task(task_id, TaskOutcome(
        status=decision.status,
        runner_decision=decision.runner_decision,
        error_code=decision.error_code,
        error_reason=decision.error_reason,
        executor_summary=decision.summary,
        evidence=attempt.verification.evidence,
        facts=replace(result.facts, metrics=metrics if metrics is not None else attempt.metrics),
        review_iterations=list(review_iterations or []),
        final_event_content=_final_content(decision, attempt),
    ))


def crashed(manager: TaskLogManager, task_id: str, exc: Exception) -> TaskLog:
    """A bug while running the task still leaves an `error` log saying what went wrong."""
    reason = f"runner failed while running the task: {type(exc).__name__}: {mask_text(str(exc))}"
    return manager.finish_task(task_id, TaskOutcome(
        status=TaskStatus.ERROR, error_code=ErrorCode.EXECUTOR_FAILED,
        error_reason=reason, final_event_content={"reason": reason}))


def _final_content(decision: StatusDecision, attempt: Attempt) -> dict[str, Any]:
    result = attempt.result
    content: dict[str, Any] = {"summary": decision.summary}
    if result.exit_code is not None:
        content["exit_code"] = result.exit_code
    if result.executor_blocked:
        content.update(executor_blocked=True, blocked_reason=str(result.blocked_reason))
    return content
