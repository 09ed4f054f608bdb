"""`detail_10mb`: `pm-runner logs show ID --full` of a ~10 MB TaskLog, in-process and end to end.

The task is written through `TaskLogManager` (masking, checkpoints and all) as 4,000-character
output lines, the longest one event holds; the view renders every event as text at the piped width.
"""

from __future__ import annotations

from bench.big_logs import build_large_task
from bench.harness import Figure, Target, scratch
from bench.logs_cli import end_to_end_figure, in_process_figure, render_view, task_files
from runner.logs.store import LogReader
from runner.logs.query import LogsRequest

NAME = "detail_10mb"
MAX_MS = 300


def run(quick: bool) -> list[Figure]:
    size, runs, process_runs = (1_000_000, 2, 2) if quick else (10_000_000, 5, 5)
    with scratch(NAME) as root:
        project = root / "project"
        project.mkdir(mode=0o700)
        session_id, task_id = build_large_task(project, size)
        reader = LogReader(project)
        request = LogsRequest(action="show", task_ref=task_id, full=True)
        shown = render_view(reader, request)
        if "[MASKED:" not in shown or "TASK_COMPLETE" not in shown:
            raise RuntimeError("the detail view lacks masked secrets or the terminal event")
        files = task_files(project, session_id, task_id)
        note = f"snapshot {sum(p.stat().st_size for p in files) / 1e6:.1f} MB, view {len(shown) / 1e6:.1f} MB of text"
        return [
            in_process_figure(NAME, "in-process", lambda: render_view(reader, request), files, runs,
                              target=Target(MAX_MS), note=note),
            end_to_end_figure(NAME, "end to end", ["logs", "show", task_id, "--full"], project, process_runs,
                              target=Target(MAX_MS)),
        ]
