"""`detail_10mb`: `pm-runner logs show ID --full` of a ~10 MB TaskLog, in-process and end to end.

The task is written through `TaskLogManager` (masking, checkpoints and all) as 4,000-character
output lines, the longest one event holds; the view renders every event as text at the piped width.
"""

from __future__ import annotations

from bench.big_logs import build_large_task
from bench.harness import Figure, Target, scratch
from bench.logs_cli import detail_figures

NAME = "detail_10mb"
MAX_MS = 300


def _problem(shown: str) -> str | None:
    return None if "[MASKED:" in shown and "TASK_COMPLETE" in shown else "no masked secret or no terminal event"


def run(quick: bool) -> list[Figure]:
    size, runs = (1_000_000, (2, 2)) if quick else (10_000_000, (5, 5))
    with scratch(NAME) as root:
        project = root / "project"
        project.mkdir(mode=0o700)
        session_id, task_id = build_large_task(project, size)
        return detail_figures(NAME, project, session_id, task_id, runs, check=_problem,
                              in_target=Target(MAX_MS), e2e_target=Target(MAX_MS))
