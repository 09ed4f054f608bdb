"""The interactive REPL in a real pseudo-terminal: prompt, a task, Ctrl-C, history, Ctrl-D."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers.cli import runner_env
from tests.helpers.logs_check import a_task_is_running, assert_logs_consistent

PROMPT = "pm-runner>"


def spawn_repl(project: Path, *extra: str) -> pexpect.spawn:
    env = runner_env({"TERM": "xterm", "LINES": "30", "COLUMNS": "120", "PROMPT_TOOLKIT_NO_CPR": "1"})
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-m", "runner", "repl", "--executor", "shell", *extra],
                         cwd=str(project), env=env, dimensions=(30, 120), encoding="utf-8",
                         codec_errors="replace", timeout=20)


def expect(child: pexpect.spawn, pattern: str, timeout: float = 20) -> None:
    """Wait for `pattern`; on failure show everything the terminal printed."""
    try:
        child.expect(pattern, timeout=timeout)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        pytest.fail(f"did not see {pattern!r}: {type(exc).__name__}\n--- transcript:\n{child.before!r}")


@pytest.fixture
def child(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = spawn_repl(tmp_path)
    yield proc
    if proc.isalive():
        proc.terminate(force=True)


def test_prompt_task_cancel_history_and_ctrl_d(child: pexpect.spawn, tmp_path: Path) -> None:
    """A person runs a task, cancels a sleep with Ctrl-C, recalls history with ↑, and leaves with Ctrl-D."""
    expect(child, PROMPT)
    child.sendline("echo hello-from-pty")
    expect(child, "RESULT: COMPLETE")
    expect(child, PROMPT)

    child.sendline("sleep 30")
    time.sleep(1.5)
    started = time.monotonic()
    child.sendintr()
    expect(child, "RESULT: ERROR", timeout=10)
    assert time.monotonic() - started < 8
    expect(child, PROMPT)

    child.send("\x1b[A\x1b[A")  # ↑ ↑ : back past `sleep 30` to the echo
    expect(child, "echo hello-from-pty")
    child.send("\r")
    expect(child, "RESULT: COMPLETE")
    expect(child, PROMPT)

    child.sendcontrol("d")
    child.expect(pexpect.EOF, timeout=10)
    child.close()
    assert child.exitstatus == 0, child.before

    logs = sorted(assert_logs_consistent(tmp_path), key=lambda log: log.task_id)
    assert [log.status.value for log in logs] == ["complete", "error", "complete"]
    cancelled = logs[1]
    assert cancelled.terminated_by is not None and cancelled.terminated_by.value == "USER"


def test_ctrl_c_at_the_prompt_clears_the_line(child: pexpect.spawn, tmp_path: Path) -> None:
    """Ctrl-C with a half-typed line clears it and keeps the REPL running; /exit leaves with 0."""
    expect(child, PROMPT)
    child.send("echo never-run")
    child.sendintr()
    expect(child, PROMPT)
    child.sendline("/exit")
    child.expect(pexpect.EOF, timeout=10)
    child.close()
    assert child.exitstatus == 0
    assert not list((tmp_path / ".claude").rglob("task-*.json")) if (tmp_path / ".claude").exists() else True


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_termination_signal_at_the_prompt_ends_the_interactive_run(child: pexpect.spawn, signum: int) -> None:
    """Closing the terminal (SIGHUP) or SIGTERM while the prompt waits ends the runner with exit 1, no traceback."""
    expect(child, PROMPT)
    child.kill(signum)
    child.expect(pexpect.EOF, timeout=15)
    child.close()
    assert child.exitstatus == 1, (child.exitstatus, child.signalstatus, child.before)
    assert "Traceback" not in (child.before or "")


def test_sighup_while_a_task_runs_saves_it_and_ends_the_interactive_run(child: pexpect.spawn, tmp_path: Path) -> None:
    """SIGHUP mid-task in a terminal: the task is ended and saved as error naming SIGHUP, and the runner exits 1."""
    expect(child, PROMPT)
    child.sendline("sleep 300")
    deadline = time.monotonic() + 15
    while not a_task_is_running(tmp_path):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.kill(signal.SIGHUP)
    child.expect(pexpect.EOF, timeout=20)
    child.close()
    assert child.exitstatus == 1, (child.exitstatus, child.signalstatus)
    (log,) = assert_logs_consistent(tmp_path)
    assert log.status.value == "error"
    assert log.error_reason == "Task cancelled: the runner received SIGHUP (its terminal or session closed)"
