"""One ~10 MB TaskLog for `detail_10mb`, written through `TaskLogManager` (masking, checkpoints and all)."""

from __future__ import annotations

import random
from pathlib import Path

from bench.sample_data import long_line, output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.parts import Evidence


def build_large_task(project: Path, target_bytes: int, *, line_chars: int = 4000) -> tuple[str, str]:
    """One complete task whose snapshot is about `target_bytes`, made of long output lines.

    Lines are 4,000 characters, the longest an executor puts in one event. Returns
    (session id, task id).
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
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE,
                                                      executor_summary="Executor finished; 2 files changed",
                                                      evidence=Evidence(files_modified_count=2)))
    finally:
        manager.close()
    assert session_id is not None
    return session_id, task.task_id
