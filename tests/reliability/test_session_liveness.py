"""Liveness is proven by the session's owner lock, not by a pid (issue 9 item 4).

A runner in a container that shares the project folder records a pid that means nothing on the
host (or names another process there). Here a real runner keeps its session open while its
`session.json` names a dead pid, as the host would see it; a second runner's start-up (crash
recovery, retention) and `logs clear --force` must leave that live session alone, and the live
runner must go on saving its tasks.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import orjson

from runner.logs.models import TaskStatus
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent, kill_recorded_children
from tests.reliability.support import PYTHON, figure


def _dead_pid() -> int:
    proc = subprocess.Popen([PYTHON, "-c", "pass"])
    proc.wait()
    return proc.pid


def _wait_for(predicate, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _session_of(project: Path) -> Path | None:
    """The project's only session folder (None until there is exactly one)."""
    try:
        folders = list((project / ".claude" / "logs" / "sessions").iterdir())
    except FileNotFoundError:
        return None
    return folders[0] if len(folders) == 1 else None


def _task_status(session: Path | None, task_id: str) -> str | None:
    if session is None:
        return None
    try:
        return str(orjson.loads((session / "tasks" / f"{task_id}.json").read_bytes())["status"])
    except (OSError, ValueError):
        return None


def _live_runner(tmp_path: Path) -> tuple[Path, subprocess.Popen[bytes]]:
    """A fresh project and a runner reading its lines from a pipe, as a script feeds it."""
    project = tmp_path / "proj"
    project.mkdir()
    live = subprocess.Popen([PYTHON, "-m", "runner", "repl", "--executor", "shell"], cwd=project,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=runner_env())
    return project, live


def test_a_live_runner_whose_pid_the_host_cannot_see_is_never_recovered_or_cleared(tmp_path: Path) -> None:
    """Host start-up and `logs clear --force` leave a live session alone although its recorded pid is dead."""
    project, live = _live_runner(tmp_path)
    assert live.stdin is not None
    try:
        live.stdin.write(b"echo one\n")
        live.stdin.flush()
        _wait_for(lambda: _task_status(_session_of(project), "task-001") == "complete", "the live runner's first task")
        session = _session_of(project)
        assert session is not None
        meta = orjson.loads((session / "session.json").read_bytes())
        meta["pid"] = _dead_pid()  # what a runner in another pid namespace looks like from here
        (session / "session.json").write_bytes(orjson.dumps(meta))

        host = run_pm(["repl", "--executor", "shell"], stdin="echo host\n", cwd=project)
        assert "recovered" not in host.stdout + host.stderr, host.transcript()
        cleared = run_pm(["logs", "clear", "--force"], cwd=project)
        assert f"Kept {session.name}: a runner (pid {meta['pid']}) is using it" in cleared.stdout, cleared.transcript()
        assert session.is_dir() and orjson.loads((session / "session.json").read_bytes()).get("ended_at") is None

        live.stdin.write(b"sleep 2\n")
        live.stdin.flush()
        _wait_for(lambda: _task_status(session, "task-002") == "running", "the live runner's second task")
        during = run_pm(["repl", "--executor", "shell"], stdin="echo during\n", cwd=project)
        assert "recovered" not in during.stdout + during.stderr, during.transcript()
        out, err = live.communicate(timeout=60)  # closes its stdin: the runner exits at EOF
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()
    transcript = out.decode(errors="replace") + err.decode(errors="replace")
    assert live.returncode == 0, transcript
    assert transcript.count("RESULT: COMPLETE") == 2, transcript
    logs = [log for log in assert_logs_consistent(project) if log.session_id == session.name]
    assert [log.status for log in logs] == [TaskStatus.COMPLETE, TaskStatus.COMPLETE]
    figure("liveness by lock: a live runner recorded under a dead pid kept its session through a host start-up, "
           "a clear --force and a start-up during its running task")


def test_the_owner_lock_is_released_when_the_runner_is_killed(tmp_path: Path) -> None:
    """A runner killed with SIGKILL leaves its session to the next start's recovery (the kernel drops the lock)."""
    project, live = _live_runner(tmp_path)
    assert live.stdin is not None
    try:
        live.stdin.write(b"sleep 30\n")
        live.stdin.flush()
        _wait_for(lambda: _task_status(_session_of(project), "task-001") == "running", "the running task")
    finally:
        live.kill()
        live.communicate(timeout=30)
        kill_recorded_children(project)
    session = _session_of(project)
    assert session is not None
    after = run_pm(["repl", "--executor", "shell"], stdin="echo next\n", cwd=project)
    assert f"{session.name}/task-001" in after.stderr and "recovered 1 task" in after.stderr, after.transcript()
    assert _task_status(session, "task-001") == "error"
