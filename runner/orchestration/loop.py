"""Running one task through orchestration: attempt → judge → next step → conclude, fail-closed.

The only module that sequences the steps. Every step's decision is data from a pure function
(`judge.decide_status`, `policy.next_step`); this loop applies them, and wraps the whole task in
one fail-closed handler: whatever goes wrong, the task ends with a terminal TaskLog.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.executors.base import Executor, ExecutorResult, ExecutorTask
from runner.logs.manager import TaskLogManager
from runner.logs.models import ExecutorInfo, RequireEvidence, TaskLog
from runner.orchestration import record
from runner.orchestration.attempt import ManagerSink, ProgressListener, check_on_disk, run_executor
from runner.orchestration.judge import decide_status
from runner.orchestration.policy import next_step


@dataclass(frozen=True)
class TaskSpec:
    """Everything needed to run one already-registered task."""

    task_id: str
    executor: Executor
    executor_info: ExecutorInfo
    executor_task: ExecutorTask  # prompt, project root, limits, resume token, model, cancel
    require_evidence: RequireEvidence


@dataclass(frozen=True)
class TaskRun:
    """The terminal TaskLog, and the executor's last result when it got that far."""

    log: TaskLog
    result: ExecutorResult | None


def run_task(manager: TaskLogManager, spec: TaskSpec, listener: ProgressListener) -> TaskRun:
    """Run a registered task to a terminal, durable TaskLog. Raises only LogWriteFatalError."""
    task = spec.executor_task
    record.start(manager, spec.task_id, executor=spec.executor_info, root=str(task.project_root),
                 timeout_ms=task.limits.executor_timeout_ms)
    sink = ManagerSink(manager, spec.task_id, listener)
    result: ExecutorResult | None = None
    try:
        # The review loop (issue 12) repeats these three steps while next_step says Resume or Retry.
        before, result = run_executor(spec.executor, task, sink)
        attempt = check_on_disk(task.project_root, before, result)
        step = next_step([decide_status(attempt.result, attempt.verification, spec.require_evidence)])
        record.findings(manager, spec.task_id, attempt, step.decision)
    except Exception as exc:  # noqa: BLE001 - fail-closed: a bug must still leave an error log
        sink.close()
        return TaskRun(record.crashed(manager, spec.task_id, exc), result)
    return TaskRun(record.conclude(manager, spec.task_id, attempt, step.decision), result)
