"""`detail_2000`: `pm-runner logs show ID --full` of a task with 2,000 events, in-process and end to end.

The task is written through `TaskLogManager` (masking, checkpoints and all): 2,000 realistic
output lines, a fake secret every 50; the view shows every event at the piped width.
"""

from __future__ import annotations

from pathlib import Path

from bench.harness import Figure, Target, scratch
from bench.logs_cli import detail_figures
from bench.sample_data import output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus

NAME = "detail_2000"
IN_PROCESS_MAX_MS = 15


def build_task(project: Path, events: int) -> tuple[str, str]:
    """(session id, task id) of one complete task with `events` output events."""
    manager = TaskLogManager(project, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    try:
        task = manager.create_task("bench: a task with many events")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(project))
        for line in output_lines(events, seed=2000):
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    finally:
        manager.close()
    assert session_id is not None
    return session_id, task.task_id


def run(quick: bool) -> list[Figure]:
    events, runs = (200, (2, 2)) if quick else (2_000, (15, 7))

    def problem(shown: str) -> str | None:
        if shown.count("EXECUTOR_OUTPUT") != events or "[MASKED:" not in shown:
            return f"it does not show the {events} masked events"
        return None

    with scratch(NAME) as root:
        project = root / "project"
        project.mkdir(mode=0o700)
        session_id, task_id = build_task(project, events)
        return detail_figures(NAME, project, session_id, task_id, runs, check=problem,
                              in_target=Target(IN_PROCESS_MAX_MS), e2e_target=None)
