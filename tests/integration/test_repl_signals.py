"""SIGTERM / SIGINT while a piped REPL runs a task: the task ends as error, its log is saved, exit 1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import runner_env
from tests.helpers.logs_check import a_task_is_running, assert_logs_consistent


def start_repl(project: Path, script: bytes) -> subprocess.Popen[bytes]:
    """`pm-runner repl --executor shell` in `project` reading `script` (its stdin already closed)."""
    proc = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "shell"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=project, env=runner_env())
    assert proc.stdin is not None
    proc.stdin.write(script)
    proc.stdin.close()
    proc.stdin = None  # already closed: communicate() must not flush it
    return proc


def wait_for_running_task(project: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if a_task_is_running(project):
            return
        time.sleep(0.05)
    raise AssertionError("no task reached running")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_while_piped_ends_the_task_and_exits_one(tmp_path: Path, signum: int) -> None:
    """The running `sleep` is stopped, logged terminated_by USER, and the rest of the script is not run."""
    proc = start_repl(tmp_path, b"sleep 30\necho never\n")
    wait_for_running_task(tmp_path)
    started = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, (out, err)
    assert time.monotonic() - started < 10
    assert b"RESULT: ERROR" in out and b"  | never" not in out
    (log,) = assert_logs_consistent(tmp_path)
    assert log.status.value == "error"
    assert log.terminated_by is not None and log.terminated_by.value == "USER"
    assert log.error_code is not None and log.error_code.value == "INTERRUPTED"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return data[data.rindex(b")") + 2:].split()[0] not in (b"Z", b"X")


def _reap(pid: int) -> None:
    """Collect a process re-parented to this test process (a child subreaper once a task ran here)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _recorded_child_pid(project: Path, timeout: float = 60) -> int:
    """The pid EXECUTOR_START recorded for the first task, once it is on disk."""
    deadline = time.monotonic() + timeout
    while True:
        data = b"".join(p.read_bytes() for p in project.glob(".claude/logs/sessions/*/tasks/task-001*"))
        found = re.search(rb'"pid": ?(\d+)', data)
        if found is not None:
            return int(found.group(1))
        assert time.monotonic() < deadline, "EXECUTOR_START with the child's pid was never written"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_termination_signals_end_the_task_and_its_setsid_grandchild(tmp_path: Path, signum: int) -> None:
    """SIGTERM, SIGHUP and SIGQUIT mid-task: the group and a setsid grandchild die, the log is terminal, exit 1."""
    pidfile = tmp_path / "grandchild.pid"
    script = (f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' </dev/null >/dev/null 2>&1 & sleep 300\n"
              "echo never\n").encode()
    proc = start_repl(tmp_path, script)
    grandchild = None
    try:
        wait_for_running_task(tmp_path)
        deadline = time.monotonic() + 60
        while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        grandchild = int(pidfile.read_text())
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 1, (out, err)
        assert b"RESULT: ERROR" in out and b"  | never" not in out
        (log,) = assert_logs_consistent(tmp_path)
        assert log.status.value == "error" and log.ended_at is not None
        assert log.terminated_by is not None and log.terminated_by.value == "USER"
        assert log.error_reason == f"Task cancelled: the runner received {signal.Signals(signum).name}" + (
            " (its terminal or session closed)" if signum == signal.SIGHUP else "")
        assert not _alive(grandchild), "the setsid grandchild outlived the task"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=20)
        if grandchild is not None and _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)


def test_sigkill_of_the_runner_leaves_nothing_after_the_next_start(tmp_path: Path) -> None:
    """The direct child dies with the runner (PDEATHSIG); its group and a setsid grandchild are ended
    by the next start, from the pid, pgid and start time the task recorded."""
    member_file, escaped_file = tmp_path / "member.pid", tmp_path / "escaped.pid"
    script = (f"sleep 300 & echo $! > {member_file}; "
              f"setsid sh -c 'echo $$ > {escaped_file}; exec sleep 300' </dev/null >/dev/null 2>&1 & "
              "exec sleep 300\n").encode()
    proc = start_repl(tmp_path, script)
    member = escaped = child = None
    try:
        wait_for_running_task(tmp_path)
        deadline = time.monotonic() + 60
        while not all(f.exists() and f.read_text().strip() for f in (member_file, escaped_file)):
            assert time.monotonic() < deadline, "the task never started its children"
            time.sleep(0.05)
        member, escaped = int(member_file.read_text()), int(escaped_file.read_text())
        child = _recorded_child_pid(tmp_path)
        proc.kill()
        proc.communicate(timeout=20)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the direct child outlived the runner (no PDEATHSIG)"
        assert _alive(member) and _alive(escaped), "nothing else should have ended yet"
        run = subprocess.run([sys.executable, "-m", "runner", "repl", "--executor", "shell"], input=b"true\n",
                             cwd=tmp_path, env=runner_env(), capture_output=True, timeout=120)
        assert run.returncode == 0, run
        assert b"recovered 1 task(s)" in run.stdout + run.stderr
        assert b"ended 2 process(es) left running" in run.stdout + run.stderr, run
        deadline = time.monotonic() + 5
        while (_alive(member) or _alive(escaped)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(member) and not _alive(escaped)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=20)
        for pid in (member, escaped, child):
            if pid is not None and _alive(pid):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
        for pid in (member, escaped, child):
            if pid is not None:
                _reap(pid)
