"""Running a chunked request: the parent task holds the plan and the aggregate, and each part runs as its
own child task through the per-task step the caller hands in (spec/planning.md "Running a plan").

The parent's events, in order: the planning events, CHUNKING_START, CHUNKING_ANALYSIS, one
SUBTASK_CREATED per child, then per part SUBTASK_START (after SUBTASK_RETRY on a retry), SUBTASK_RETRY
when the retry policy ran its pass again, and SUBTASK_COMPLETE or SUBTASK_FAILED, then CHUNKING_AGGREGATION and CHUNKING_COMPLETE. Fail-closed:
whatever goes wrong, every child and the parent end terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from runner.errors import LogWriteFatalError
from runner.executors.base import ExecutorStatus
from runner.logs.manager import TaskLogManager
from runner.logs.models import (
    ErrorCode,
    EventType,
    ExecutorInfo,
    PlanMode,
    RunnerDecision,
    TaskLog,
    TaskStatus,
    Visibility,
)
from runner.logs.outcome import TaskOutcome
from runner.orchestration import record
from runner.orchestration.chunking.outcome import (
    SubtaskResult,
    aggregation,
    end_event,
    parent_outcome,
    skip_reason,
)
from runner.orchestration.chunking.plan_events import planning_events
from runner.orchestration.chunking.prompt import subtask_prompt
from runner.orchestration.loop import TaskRun
from runner.orchestration.planning.model import Plan

INTERRUPTED_REASON = "not run: the plan was interrupted"


class SubtaskStep(Protocol):
    """The per-task step a part runs through (the caller's: gates, attempt, judge, review, conclude)."""

    def __call__(self, task: TaskLog, prompt: str, resume_token: str | None) -> TaskRun: ...


@dataclass(frozen=True)
class ChunkedRequest:
    """A registered parent task and the plan it runs; on a retry, the parts an earlier run completed."""

    parent: TaskLog
    plan: Plan
    executor: ExecutorInfo
    project_root: str
    timeout_ms: int
    reads_prose: bool
    carried: Mapping[int, TaskLog] = field(default_factory=dict)  # part -> its completed task
    retry_of: Mapping[int, str] = field(default_factory=dict)  # part -> the task it runs again
    resume_token: str | None = None  # the agent session the first part resumes


@dataclass
class ChunkedRun:
    """The parent's terminal log, its new children in plan order, and whether the person interrupted."""

    parent: TaskLog
    children: list[TaskLog]
    interrupted: bool = False


def record_plan(manager: TaskLogManager, task_id: str, plan: Plan, *, mode: PlanMode, max_subtasks: int,
                retry_of: str | None = None) -> None:
    """Write the planning events; a plan that splits nothing is detail (`full`), so a plain task's summary stays plain."""
    visibility = None if plan.chunked else Visibility.FULL
    for event_type, content in planning_events(plan, mode=mode, max_subtasks=max_subtasks, retry_of=retry_of):
        manager.add_event(task_id, event_type, content, visibility=visibility)


def run_chunked(manager: TaskLogManager, request: ChunkedRequest, step: SubtaskStep,
                cancelled: Callable[[], bool], on_skipped: Callable[[TaskLog], None]) -> ChunkedRun:
    """Run every part of the plan in order, then conclude the parent. Raises only LogWriteFatalError."""
    parent_id = request.parent.task_id
    record.start(manager, parent_id, executor=request.executor, root=request.project_root,
                 timeout_ms=request.timeout_ms)
    run = ChunkedRun(parent=request.parent, children=[])
    try:
        children = _create_children(manager, request)
        run.children = list(children.values())
        settled = _run_parts(manager, request, children, step, cancelled, on_skipped, run)
        results = [settled[n] for n in request.plan.order]
        manager.add_event(parent_id, EventType.CHUNKING_AGGREGATION, aggregation(results))
        outcome = parent_outcome(results)
        manager.add_event(parent_id, EventType.CHUNKING_COMPLETE,
                          {"status": outcome.status.value, "summary": outcome.executor_summary})
        run.parent = manager.finish_task(parent_id, outcome)
    except LogWriteFatalError:
        raise
    except Exception as exc:  # noqa: BLE001 - fail-closed: a bug must still leave every task terminal
        run.children = [_close(manager, child.task_id, exc) for child in run.children]
        run.parent = _close(manager, parent_id, exc)
    return run


def _create_children(manager: TaskLogManager, request: ChunkedRequest) -> dict[int, TaskLog]:
    plan, parent = request.plan, request.parent
    to_run = [item for item in plan.items if item.number not in request.carried]
    manager.add_event(parent.task_id, EventType.CHUNKING_START, {
        "subtasks": len(to_run), "of": len(plan.items),
        "structure": plan.structure.value if plan.structure else None})
    manager.add_event(parent.task_id, EventType.CHUNKING_ANALYSIS, {
        "prompts": "each part with the whole request as context" if request.reads_prose else "each part alone",
        "runs": "in plan order; a part whose dependency did not complete is skipped",
        "carried_over": [{"number": n, "subtask_id": log.task_id} for n, log in sorted(request.carried.items())],
        "left_out": list(plan.left_out)})
    children: dict[int, TaskLog] = {}
    for item in to_run:
        child = manager.create_task(item.text, thread_id=parent.thread_id, parent_task_id=parent.task_id,
                                    subtask_index=item.number)
        children[item.number] = child
        manager.add_event(parent.task_id, EventType.SUBTASK_CREATED, {
            "subtask_id": child.task_id, "number": item.number, "text": item.text,
            "depends_on": list(plan.depends_on(item.number))})
    return children


def _run_parts(manager: TaskLogManager, request: ChunkedRequest, children: dict[int, TaskLog],
               step: SubtaskStep, cancelled: Callable[[], bool], on_skipped: Callable[[TaskLog], None],
               run: ChunkedRun) -> dict[int, SubtaskResult]:
    plan, parent_id = request.plan, request.parent.task_id
    settled: dict[int, SubtaskResult] = {}
    resume = request.resume_token
    for number in plan.order:
        text = plan.item(number).text
        if number in request.carried:
            settled[number] = SubtaskResult.of(number, text, request.carried[number], carried_over=True)
            continue
        child = children[number]
        reason = INTERRUPTED_REASON if cancelled() else skip_reason(plan, number, settled)
        if reason is not None:
            log = _skip(manager, child.task_id, reason)
            on_skipped(log)
        else:
            if number in request.retry_of:
                manager.add_event(parent_id, EventType.SUBTASK_RETRY, {
                    "subtask_id": child.task_id, "number": number, "retry_of": request.retry_of[number]})
            manager.add_event(parent_id, EventType.SUBTASK_START, {
                "subtask_id": child.task_id, "number": number, "resumes_session": resume is not None})
            prompt = subtask_prompt(plan, number, reads_prose=request.reads_prose,
                                    earlier={n: r.word for n, r in settled.items()})
            done = step(child, prompt, resume)
            log = done.log
            _record_retries(manager, parent_id, number, log)
            if done.result is not None and done.result.resume_token:
                resume = done.result.resume_token
            run.interrupted = run.interrupted or cancelled() or (
                done.result is not None and done.result.status is ExecutorStatus.CANCELLED)
        run.children = [log if c.task_id == log.task_id else c for c in run.children]
        settled[number] = SubtaskResult.of(number, text, log)
        event_type, content = end_event(settled[number])
        manager.add_event(parent_id, event_type, content)
    return settled


def _record_retries(manager: TaskLogManager, parent_id: str, number: int, log: TaskLog) -> None:
    """SUBTASK_RETRY on the parent when the retry policy ran a part's pass again (RETRY_START in the part's log)."""
    attempts = [e.content.get("attempt") for e in log.events if e.event_type is EventType.RETRY_START]
    if attempts:
        manager.add_event(parent_id, EventType.SUBTASK_RETRY, {
            "subtask_id": log.task_id, "number": number, "retries": len(attempts), "by": "the retry policy"})


def _skip(manager: TaskLogManager, task_id: str, reason: str) -> TaskLog:
    return manager.finish_task(task_id, TaskOutcome(
        status=TaskStatus.INCOMPLETE, runner_decision=RunnerDecision.REJECT, error_code=ErrorCode.SKIPPED,
        error_reason=reason, final_event_content={"reason": reason, "skipped": True}))


def _close(manager: TaskLogManager, task_id: str, exc: Exception) -> TaskLog:
    """A task left open by a failure: closed as crashed, or read back when it had already ended."""
    log = manager.get_task(task_id)
    return log if log.status.is_terminal else record.crashed(manager, task_id, exc)
