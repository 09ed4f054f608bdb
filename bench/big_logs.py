"""Large logs for the read benchmarks: a 10,000-task session and one ~10 MB TaskLog.

Template tasks go through `TaskLogManager` (so they are exactly what the runner writes);
the other rows of the big session are clones written with the store's own writers
(`write_atomic`, `write_session_index_locked`, `put_global_row_locked`), because the
manager rewrites the whole session index at each task and 10,000 of those would be quadratic.
"""

from __future__ import annotations

import random
from pathlib import Path

from bench.sample_data import long_line, output_lines
from runner.ids import IdKind, format_counter_id
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import (
    ErrorCode,
    EventType,
    ExecutorInfo,
    SessionIndex,
    TaskLog,
    TaskStatus,
)
from runner.logs.parts import Evidence
from runner.logs.store import codec, indexes
from runner.logs.store.locks import DEFAULT_LOCK_TIMEOUT_S, hold
from runner.logs.store.paths import LogPaths
from runner.logs.store.safe_files import write_atomic
from runner.timestamps import now_iso

_OUTCOMES = (
    TaskOutcome(status=TaskStatus.COMPLETE, executor_summary="Executor finished; 2 files changed",
                evidence=Evidence(files_modified_count=2)),
    TaskOutcome(status=TaskStatus.ERROR, error_code=ErrorCode.EXECUTOR_FAILED,
                error_reason="Executor exited with code 1: AssertionError in tests/unit/test_cache.py"),
    TaskOutcome(status=TaskStatus.INCOMPLETE, error_code=ErrorCode.EVIDENCE_MISSING,
                error_reason="claimed file src/app/cache.py was not modified"),
)
_VERBS = ("fix the failing test in", "add type hints to", "refactor the cache in", "document", "speed up")


def _template(manager: TaskLogManager, outcome: TaskOutcome, number: int) -> TaskLog:
    task = manager.create_task(f"{_VERBS[number % len(_VERBS)]} src/app/module_{number:03d}.py")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"),
                       verification_root=str(manager.paths.project_root))
    for line in output_lines(6, seed=number):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
    return manager.finish_task(task.task_id, outcome)


def _clone(template: TaskLog, number: int, base_ms: int) -> TaskLog:
    return template.model_copy(update={
        "task_id": format_counter_id(IdKind.TASK, number),
        "external_task_id": f"task-{base_ms + number}",
        "thread_id": format_counter_id(IdKind.THREAD, number),
        "run_id": format_counter_id(IdKind.RUN, number),
        "prompt_summary": f"{_VERBS[number % len(_VERBS)]} src/app/module_{number % 1000:03d}.py",
    })


def build_session(project: Path, tasks: int) -> str:
    """A finished session of `tasks` tasks (a mix of complete, error, incomplete); returns its id."""
    manager = TaskLogManager(project, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    try:
        templates = [_template(manager, outcome, n + 1) for n, outcome in enumerate(_OUTCOMES)]
    finally:
        manager.close()
    paths = LogPaths(project)
    base_ms = int(templates[-1].external_task_id.split("-", 1)[1])
    entries = [indexes.entry_from_log(log) for log in templates]
    for number in range(len(templates) + 1, tasks + 1):
        clone = _clone(templates[number % len(templates)], number, base_ms)
        write_atomic(paths.task_snapshot(session_id, clone.task_id), codec.dumps(clone), durable=False)
        entries.append(indexes.entry_from_log(clone))
    index = SessionIndex(session_id=session_id, updated_at=now_iso(), entries=entries)
    meta = indexes.read_session_meta(paths, session_id)
    with hold(paths.session_lock(session_id), timeout_s=DEFAULT_LOCK_TIMEOUT_S, what="the bench session"):
        indexes.write_session_index_locked(paths, index, durable_write=True)
        with hold(paths.global_lock, timeout_s=DEFAULT_LOCK_TIMEOUT_S, what="the logs index"):
            indexes.put_global_row_locked(paths, indexes.session_summary(session_id, meta, index),
                                          now_iso(), durable_write=True)
    return session_id


def build_large_task(project: Path, target_bytes: int, *, line_chars: int = 4000) -> tuple[str, str, Path]:
    """One complete task whose snapshot is about `target_bytes`, made of long output lines.

    Lines are 4,000 characters, the longest an executor puts in one event. Returns
    (session id, task id, snapshot path).
    """
    manager = TaskLogManager(project, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    rng = random.Random(10)
    try:
        task = manager.create_task("bench: a task with a very long output")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"),
                           verification_root=str(project))
        secrets = output_lines(50 * 16)[49::50]  # a secret every 50 lines keeps the masking honest
        for number in range(max(1, target_bytes // (line_chars + 120))):
            secret = number % 50 == 49
            line = secrets[(number // 50) % len(secrets)] if secret else long_line(rng, line_chars)
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
        manager.finish_task(task.task_id, _OUTCOMES[0])
    finally:
        manager.close()
    return session_id, task.task_id, manager.paths.task_snapshot(session_id, task.task_id)
