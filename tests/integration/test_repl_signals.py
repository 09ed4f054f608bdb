"""SIGTERM / SIGINT while a piped REPL runs a task: the task ends as error, its log is saved, exit 1."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import runner_env
from tests.helpers.logs_check import assert_logs_consistent


def wait_for_running_task(project: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(b'"running"' in p.read_bytes() for p in project.glob(".claude/logs/sessions/*/tasks/task-*.json")):
            return
        time.sleep(0.05)
    raise AssertionError("no task reached running")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_while_piped_ends_the_task_and_exits_one(tmp_path: Path, signum: int) -> None:
    """The running `sleep` is stopped, logged terminated_by USER, and the rest of the script is not run."""
    proc = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "shell"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=tmp_path, env=runner_env())
    assert proc.stdin is not None
    proc.stdin.write(b"sleep 30\necho never\n")
    proc.stdin.close()
    wait_for_running_task(tmp_path)
    started = time.monotonic()
    proc.send_signal(signum)
    proc.stdin = None  # already closed: communicate() must not flush it
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, (out, err)
    assert time.monotonic() - started < 10
    assert b"RESULT: ERROR" in out and b"  | never" not in out
    (log,) = assert_logs_consistent(tmp_path)
    assert log.status.value == "error"
    assert log.terminated_by is not None and log.terminated_by.value == "USER"
    assert log.error_code is not None and log.error_code.value == "INTERRUPTED"
