"""`list_10k`: `pm-runner logs list --json` on a session of 10,000 tasks, in-process and end to end.

In-process is measured cold (the index file's mtime is bumped before each run, so the
reader's parse cache misses as it would in a fresh command) and warm (the index has not
changed since the last read: what a second `/logs` in the REPL costs).
"""

from __future__ import annotations

import orjson

from bench.big_logs import build_session
from bench.harness import Figure, Target, scratch
from bench.logs_cli import end_to_end_figure, in_process_figure, render_view, touch
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader
from runner.logs.store.paths import LogPaths

NAME = "list_10k"
IN_PROCESS_MAX_MS = 30
END_TO_END_MAX_MS = 300


def run(quick: bool) -> list[Figure]:
    tasks, runs, process_runs = (500, 3, 2) if quick else (10_000, 15, 7)
    with scratch(NAME) as root:
        project = root / "project"
        project.mkdir(mode=0o700)
        session_id = build_session(project, tasks)
        index = LogPaths(project).session_index(session_id)
        reader = LogReader(project)
        request = LogsRequest(action="list", json=True)
        listed = orjson.loads(render_view(reader, request))
        if len(listed["tasks"]) != tasks:
            raise RuntimeError(f"listed {len(listed['tasks'])} tasks, built {tasks}")

        def cold() -> str:
            touch(index)
            return render_view(reader, request)

        size = f"{tasks:,} tasks, index {index.stat().st_size / 1e6:.1f} MB"
        return [
            in_process_figure(NAME, "in-process, cold", cold, index, runs,
                              target=Target(IN_PROCESS_MAX_MS), note=size),
            in_process_figure(NAME, "in-process, index unchanged", lambda: render_view(reader, request),
                              index, runs, target=None, note="parse cache hit (a repeated /logs)"),
            end_to_end_figure(NAME, "end to end", ["logs", "list", "--json"], project, index, process_runs,
                              target=Target(END_TO_END_MAX_MS)),
        ]
