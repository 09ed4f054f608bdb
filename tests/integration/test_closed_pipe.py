"""A reader that closes its end of stdout (`| head -1`) costs nothing: no traceback, no lost or failed task."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.cli import run_pm, runner_env


def run_into_closed_pipe(args: list[str], *, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """`pm-runner ARGS` whose stdout is a pipe nobody reads any more (its read end closed before the start)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "runner", *args], cwd=cwd, env=runner_env(), input=stdin,
                              stdout=write_end, stderr=subprocess.PIPE, timeout=120, check=False)
    finally:
        os.close(write_end)


def test_logs_list_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`pm-runner logs list | head -1` after the reader left: no traceback, nothing on stderr."""
    run_pm(["repl", "--executor", "shell"], stdin="echo one\necho two\n", cwd=tmp_path)
    for argv in (["logs", "list"], ["logs", "tree"], ["logs", "show", "task-001", "--full"], ["logs", "sessions"]):
        done = run_into_closed_pipe(argv, cwd=tmp_path)
        assert done.stderr == b"", (argv, done.stderr.decode())
        assert done.returncode in (0, 1), argv


def test_a_task_running_when_the_reader_leaves_ends_as_it_really_ends(tmp_path: Path) -> None:
    """The line being run completes and is logged COMPLETE; the next line is not run; stderr says why."""
    script = b"for i in $(seq 1 20); do echo line$i; done; echo done > a.txt\necho second > b.txt\n"
    done = run_into_closed_pipe(["repl", "--executor", "shell"], cwd=tmp_path, stdin=script)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr
    assert "standard output was closed by its reader; stopped after the line" in stderr
    listed = json.loads(run_pm(["logs", "list", "--json"], cwd=tmp_path).stdout)
    tasks = [(t["task_id"], t["status"], t["error_reason"]) for t in listed["tasks"]]
    assert tasks == [("task-001", "complete", None)], (tasks, stderr)
    assert done.returncode == 0, stderr
    assert (tmp_path / "a.txt").read_text() == "done\n" and not (tmp_path / "b.txt").exists()
