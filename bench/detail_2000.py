"""`detail_2000`: `pm-runner logs show ID --full` of a task with 2,000 events, in-process and end to end.

The task is written through `TaskLogManager` (masking, checkpoints and all): 2,000 realistic
output lines, a fake secret every 50; the view shows every event at the piped width.
"""

from __future__ import annotations

from pathlib import Path

from bench.harness import Figure, Target, scratch
from bench.logs_cli import end_to_end_figure, in_process_figure, render_view, task_files
from bench.sample_data import output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.store import LogReader
from runner.repl.logs_command import LogsRequest

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
    events, runs, process_runs = (200, 2, 2) if quick else (2_000, 15, 7)
    with scratch(NAME) as root:
        project = root / "project"
        project.mkdir(mode=0o700)
        session_id, task_id = build_task(project, events)
        reader = LogReader(project)
        request = LogsRequest(action="show", task_ref=task_id, full=True)
        shown = render_view(reader, request)
        if shown.count("EXECUTOR_OUTPUT") != events or "[MASKED:" not in shown:
            raise RuntimeError(f"the detail view does not show the {events} masked events")
        files = task_files(project, session_id, task_id)
        note = f"{events:,} events, snapshot {sum(p.stat().st_size for p in files) / 1e3:.0f} kB, view {len(shown) / 1e3:.0f} kB"
        return [
            in_process_figure(NAME, "in-process", lambda: render_view(reader, request), files, runs,
                              target=Target(IN_PROCESS_MAX_MS), note=note),
            end_to_end_figure(NAME, "end to end", ["logs", "show", task_id, "--full"], project, process_runs,
                              target=None),
        ]
