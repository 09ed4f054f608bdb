"""Running one registered task end to end: snapshot, executor, verification, status, terminal TaskLog.

Every path out of `dispatch_task` finishes the TaskLog (fail-closed): executor
failures, refusals and even bugs become an `error` log, never a missing one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runner.executors.base import (
    Executor,
    ExecutorLimits,
    ExecutorResult,
    ExecutorTask,
    raw_log_line,
)
from runner.logs.manager import RawLog, TaskLogManager, TaskOutcome
from runner.logs.masking import mask_text
from runner.logs.models import (
    ErrorCode,
    EventType,
    ExecutorInfo,
    Metrics,
    RequireEvidence,
    RunnerDecision,
    TaskLog,
    TaskStatus,
)
from runner.orchestration.judge import StatusDecision, decide_status
from runner.verify import Verification, snapshot_tree, verify_task


class ProgressListener(Protocol):
    def progress(self, line: str) -> None: ...


@dataclass(frozen=True)
class DispatchRequest:
    """Everything needed to run one already-registered task."""

    task_id: str
    prompt: str
    project_root: Path
    executor: Executor
    executor_info: ExecutorInfo
    limits: ExecutorLimits
    interactive: bool
    require_evidence: RequireEvidence
    resume_token: str | None = None
    cancel: threading.Event | None = None


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


def reject_task(manager: TaskLogManager, task_id: str, reason: str, hint: str) -> TaskLog:
    """Close a task whose preconditions failed: logged, `reject`, `error`, with the fix."""
    return manager.finish_task(
        task_id,
        TaskOutcome(
            status=TaskStatus.ERROR,
            runner_decision=RunnerDecision.REJECT,
            error_code=ErrorCode.REJECTED,
            error_reason=f"{reason} (fix: {hint})",
            final_event_content={"reason": reason, "hint": hint},
        ),
    )


def _metrics(result: ExecutorResult) -> Metrics | None:
    usage = result.usage
    if usage is None:
        return None
    return Metrics(
        duration_ms=usage.duration_ms,
        input_tokens=usage.input_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=usage.cost_usd,
        model=usage.model,
        num_turns=usage.num_turns,
    )


def _record_findings(manager: TaskLogManager, task_id: str, result: ExecutorResult,
                     verification: Verification, decision: StatusDecision,
                     metrics: Metrics | None) -> None:
    """The events that explain the decision: blocked, evidence, question, final answer, usage."""
    if result.executor_blocked:
        manager.add_event(task_id, EventType.EXECUTOR_BLOCKED, {
            "reason": str(result.blocked_reason),
            "detected_pattern": result.detected_pattern or "",
            "action": str(result.terminated_by),
        })
    if verification.verified_files:
        manager.add_event(task_id, EventType.EVIDENCE_CREATED, {
            "files": [f.path for f in verification.verified_files if f.exists],
        })
    if verification.missing:
        manager.add_event(task_id, EventType.EVIDENCE_MISSING, {"files_missing": list(verification.missing)})
    if decision.runner_decision is RunnerDecision.CLARIFY:
        manager.add_event(task_id, EventType.CLARIFICATION_REQUEST, {"question": result.final_message})
    elif result.final_message:
        manager.add_event(task_id, EventType.MEDIATION_OUTPUT, {"text": result.final_message})
    if metrics is not None:
        manager.add_event(task_id, EventType.MODEL_USAGE, metrics.model_dump(exclude_none=True))


def dispatch_task(manager: TaskLogManager, request: DispatchRequest,
                  listener: ProgressListener) -> tuple[TaskLog, ExecutorResult | None]:
    """Run a registered task to a terminal, durable TaskLog. Raises only LogWriteFatalError."""
    task_id = request.task_id
    manager.start_task(task_id, executor=request.executor_info,
                       verification_root=str(request.project_root),
                       timeout_ms=request.limits.executor_timeout_ms)
    sink = ManagerSink(manager, task_id, listener)
    result: ExecutorResult | None = None
    try:
        before = snapshot_tree(request.project_root)
        result = request.executor.run(
            ExecutorTask(prompt=request.prompt, project_root=request.project_root,
                         interactive=request.interactive, limits=request.limits,
                         resume_token=request.resume_token, model=request.executor_info.model,
                         cancel=request.cancel),
            sink,
        )
        sink.close()
        after = snapshot_tree(request.project_root)
        verification = verify_task(request.project_root, before, after, result.claimed_files)
        decision = decide_status(result, verification, request.require_evidence)
        metrics = _metrics(result)
        _record_findings(manager, task_id, result, verification, decision, metrics)
    except Exception as exc:  # noqa: BLE001 - fail-closed: a bug must still leave an error log
        sink.close()
        reason = f"runner failed while running the task: {type(exc).__name__}: {mask_text(str(exc))}"
        return manager.finish_task(task_id, TaskOutcome(
            status=TaskStatus.ERROR, error_code=ErrorCode.EXECUTOR_FAILED,
            error_reason=reason, final_event_content={"reason": reason})), result
    log = manager.finish_task(task_id, TaskOutcome(
        status=decision.status,
        runner_decision=decision.runner_decision,
        error_code=decision.error_code,
        error_reason=decision.error_reason,
        executor_summary=decision.summary,
        evidence_summary=verification.evidence_summary,
        artifacts=verification.artifacts,
        verified_files=verification.verified_files,
        files_modified_count=verification.files_modified_count,
        executor_blocked=result.executor_blocked,
        blocked_reason=result.blocked_reason,
        terminated_by=result.terminated_by,
        timeout_ms=result.timeout_ms,
        metrics=metrics,
        resume_token=result.resume_token,
        test_mode=result.test_mode,
        final_event_content=_final_content(decision, result),
    ))
    return log, result


def _final_content(decision: StatusDecision, result: ExecutorResult) -> dict[str, Any]:
    content: dict[str, Any] = {"summary": decision.summary}
    if result.exit_code is not None:
        content["exit_code"] = result.exit_code
    if result.executor_blocked:
        content.update(executor_blocked=True, blocked_reason=str(result.blocked_reason))
    return content
