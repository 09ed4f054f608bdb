"""`task_lifecycle`: create → running → 10 events → complete in strict mode, counted in atomic durable writes.

The floor is one atomic durable write (temp file, write, fsync, rename, folder fsync) of a
payload the size of the task's final snapshot, in the same folder as the task files; the
ratio is therefore "how many durable writes' worth of time one task costs".
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.harness import Figure, Target, figure, floor_atomic_durable, scratch
from bench.sample_data import output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLog, TaskStatus
from runner.logs.store import codec

NAME = "task_lifecycle"
EVENTS_PER_TASK = 10
MAX_FLOORS_PER_TASK = 6


def one_task(manager: TaskLogManager, lines: list[str]) -> TaskLog:
    task = manager.create_task("bench: a short task with ten events")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"),
                       verification_root=str(manager.paths.project_root))
    for line in lines:
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
    return manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE,
                                                         executor_summary="done"))


def _run_once(manager: TaskLogManager, tasks: int, floor_writes: int) -> tuple[float, float]:
    """(seconds per task, seconds per atomic durable write) measured back to back."""
    lines = output_lines(EVENTS_PER_TASK, seed=tasks)
    started = time.perf_counter()
    last = None
    for _ in range(tasks):
        last = one_task(manager, lines)
    per_task = (time.perf_counter() - started) / tasks
    assert last is not None and manager.session_id is not None
    floor = floor_atomic_durable(manager.paths.tasks_dir(manager.session_id), codec.dumps(last), floor_writes)
    return per_task, floor


def run(quick: bool) -> list[Figure]:
    runs, tasks, floor_writes = (2, 3, 10) if quick else (5, 20, 40)
    with scratch(NAME) as root:
        project = Path(root) / "project"
        project.mkdir(mode=0o700)
        manager = TaskLogManager(project, durability=Durability.STRICT)
        manager.open_session(executor="shell")
        try:
            _run_once(manager, 1, 2)  # warm-up: first-use imports and caches
            pairs = [_run_once(manager, tasks, floor_writes) for _ in range(runs)]
        finally:
            manager.close()
    millis = [per_task * 1000 for per_task, _ in pairs]
    floors = [floor * 1000 for _, floor in pairs]
    note = (f"{tasks} tasks per run in one session (its index grows by {tasks} rows a run); "
            f"per task: create, start, {EVENTS_PER_TASK} output events, finish")
    return [figure(NAME, "strict task, create to complete", "ms/task", millis, floors,
                   "one atomic durable write (temp+fsync+replace+dir fsync) of the final snapshot",
                   target=Target(MAX_FLOORS_PER_TASK, of="ratio"), note=note)]
