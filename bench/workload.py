"""The task workload of the scale benchmarks: what one task does, written through `TaskLogManager`.

Each task is the runner's real lifecycle — create, start, 10 realistic output events (a fake
secret now and then, so masking works), finish — with a mix of outcomes (complete, error,
incomplete), costs and models, and every fourth task continuing the thread of the one before,
so the list, the tree and the detail views have something to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bench.sample_data import output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import ErrorCode, EventType, ExecutorInfo, Metrics, TaskLog, TaskStatus
from runner.logs.parts import Evidence, RunFacts

EVENTS_PER_TASK = 10
_VERBS = ("fix the failing test in", "add type hints to", "refactor the cache in", "document", "speed up")
_LINES = [output_lines(EVENTS_PER_TASK, seed=seed) for seed in range(7)]


def outcome_of(number: int) -> TaskOutcome:
    """Two in three complete (with a cost and tokens), the rest error or incomplete with a reason."""
    kind = number % 6
    if kind == 4:
        return TaskOutcome(status=TaskStatus.ERROR, error_code=ErrorCode.EXECUTOR_FAILED,
                           error_reason=f"Executor exited with code 1: AssertionError in tests/test_{number}.py")
    if kind == 5:
        return TaskOutcome(status=TaskStatus.INCOMPLETE, error_code=ErrorCode.EVIDENCE_MISSING,
                           error_reason=f"claimed file src/app/module_{number % 1000:03d}.py was not modified")
    metrics = Metrics(input_tokens=1200 + number % 900, output_tokens=300 + number % 200,
                      cost_usd=round(0.001 * (1 + number % 50), 4), model="sonnet")
    return TaskOutcome(status=TaskStatus.COMPLETE, executor_summary="Executor finished; 2 files changed",
                       evidence=Evidence(files_modified_count=2), facts=RunFacts(metrics=metrics))


def run_task(manager: TaskLogManager, number: int, previous: TaskLog | None) -> TaskLog:
    """One task of the workload, from create to its terminal state."""
    thread = previous.thread_id if previous is not None and number % 4 == 0 else None
    task = manager.create_task(f"{_VERBS[number % len(_VERBS)]} src/app/module_{number % 1000:03d}.py",
                               thread_id=thread)
    manager.start_task(task.task_id, executor=ExecutorInfo(name="claude-code", model="sonnet"),
                       verification_root=str(manager.paths.project_root))
    for line in _LINES[number % len(_LINES)]:
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
    return manager.finish_task(task.task_id, outcome_of(number))


def write_session(project: Path, tasks: int, durability: Durability,
                  between: Callable[[int, TaskLog], None] | None = None) -> tuple[str, list[float]]:
    """A session of `tasks` workload tasks; returns (session id, seconds each task took).

    `between(done, last_task)` runs after every task outside the timing (the floors are
    measured there, on the same filesystem, while the session grows).
    """
    manager = TaskLogManager(project, durability=durability)
    session_id = manager.open_session(executor="claude-code", model="sonnet").session_id
    seconds: list[float] = []
    previous: TaskLog | None = None
    try:
        for number in range(1, tasks + 1):
            started = time.perf_counter()
            previous = run_task(manager, number, previous)
            seconds.append(time.perf_counter() - started)
            if between is not None:
                between(number, previous)
    finally:
        manager.close()
    return session_id, seconds
