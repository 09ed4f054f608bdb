"""Four real runners writing to the same project at once, 50 tasks each.

They share the global lock, the global index and the sessions folder: every runner must get its
own session, every task its own log in its own runner's session, and the indexes must agree with
the files. No runner may take another's live tasks for crashed ones.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from runner.logs.models import ErrorCode, TaskStatus
from runner.logs.store import global_index
from runner.logs.store.paths import LogPaths
from tests.helpers.cli import runner_env
from tests.helpers.logs_check import assert_logs_consistent
from tests.reliability.support import PYTHON, figure

RUNNERS = 4
TASKS = 50


def script(runner: int) -> bytes:
    """Tasks that write a file, print, and do nothing, each naming its runner and number."""
    lines = []
    for i in range(1, TASKS + 1):
        lines.append(f"touch r{runner}_{i}.txt" if i % 2 else f"echo runner {runner} task {i}")
    return ("\n".join(lines) + "\n").encode()


def test_four_runners_at_once_keep_sessions_and_indexes_apart(tmp_path: Path) -> None:
    """4 runners x 50 tasks at once: 4 distinct sessions, 200 TaskLogs, indexes consistent, no cross-talk."""
    project = tmp_path / "proj"
    project.mkdir()
    procs = [subprocess.Popen([PYTHON, "-m", "runner", "repl", "--executor", "shell"], cwd=project,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=runner_env()) for _ in range(RUNNERS)]
    outputs = [proc.communicate(script(runner), timeout=180) for runner, proc in enumerate(procs)]
    sessions: dict[int, str] = {}
    for runner, (proc, (out, err)) in enumerate(zip(procs, outputs, strict=True)):
        text = out.decode(errors="replace")
        transcript = f"runner {runner} exit {proc.returncode}\n{text}\n{err.decode(errors='replace')}"
        assert proc.returncode == 0, transcript
        assert text.count("RESULT: COMPLETE") == TASKS and "WARNING" not in text + err.decode(errors="replace"), \
            transcript
        started = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith("No session was active")]
        assert len(started) == 1, transcript
        sessions[runner] = started[0]
    assert len(set(sessions.values())) == RUNNERS, sessions

    logs = assert_logs_consistent(project)
    assert len(logs) == RUNNERS * TASKS
    for runner, session in sessions.items():
        mine = sorted((log for log in logs if log.session_id == session), key=lambda log: log.task_id)
        assert [log.task_id for log in mine] == [f"task-{i:03d}" for i in range(1, TASKS + 1)]
        assert [log.prompt_summary for log in mine] == script(runner).decode().splitlines(), session
        externals = [int(log.external_task_id.split("-")[1]) for log in mine]
        assert externals == sorted(set(externals)), f"{session}: external ids not strictly increasing"
        assert all(log.status is TaskStatus.COMPLETE and log.error_code is not ErrorCode.RUNNER_CRASHED
                   for log in mine)
    stored = global_index.read_global_index(LogPaths(project))  # the snapshot with its journal's rows
    assert stored is not None
    counts = {row.session_id: (row.task_count, row.counts.total, row.counts.complete) for row in stored.sessions}
    assert counts == {s: (TASKS, TASKS, TASKS) for s in sessions.values()}, counts
    figure(f"concurrent runners: {RUNNERS} runners x {TASKS} tasks -> {len(set(sessions.values()))} distinct "
           f"sessions, {len(logs)} TaskLogs, indexes consistent, 0 recovered by mistake")
