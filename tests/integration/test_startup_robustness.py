"""Start-up is robust (issue 9 item 12): closed standard streams, stray session folders, non-ASCII digits.

Each case runs the real CLI in a child process and must end with one ERROR line (or a normal
start), never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env


def _run_with_closed(fd: int, args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run `pm-runner ARGS` with file descriptor `fd` (0 or 1) closed, as `<&-` or `>&-` does."""
    return subprocess.run([sys.executable, "-m", "runner", *args], cwd=cwd, env=runner_env(), timeout=60,
                          stdin=None if fd == 0 else subprocess.DEVNULL,
                          stdout=None if fd == 1 else subprocess.PIPE, stderr=subprocess.PIPE,
                          preexec_fn=lambda: os.close(fd))  # noqa: PLW1509 - the child closes its own fd


@pytest.mark.parametrize(("fd", "args", "said"), [
    (0, ["repl", "--executor", "shell"], "ERROR: standard input is closed"),
    (0, [], "ERROR: standard input is closed"),
    (1, ["repl", "--executor", "shell"], "ERROR: standard output is closed"),
    (1, ["logs", "list"], "ERROR: standard output is closed"),
])
def test_a_closed_standard_stream_is_one_error_line(tmp_path: Path, fd: int, args: list[str], said: str) -> None:
    """`<&-` or `>&-` gives exactly one ERROR line on stderr and exit 1, no traceback."""
    proc = _run_with_closed(fd, args, tmp_path)
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 1, err
    assert err.splitlines() == [err.splitlines()[0]] and err.startswith(said), err
    assert "Traceback" not in err


def test_logs_commands_work_with_stdin_closed(tmp_path: Path) -> None:
    """Commands that do not read stdin run normally when it is closed."""
    run_pm(["repl", "--executor", "shell"], stdin="echo hi\n", cwd=tmp_path)
    proc = _run_with_closed(0, ["logs", "list"], tmp_path)
    assert proc.returncode == 0 and b"task-001" in proc.stdout, proc.stderr


def test_a_stray_last_numbered_session_folder_does_not_block_start_up(tmp_path: Path) -> None:
    """With `sess-<today>-999999999` on disk (and non-ids beside it), the REPL still starts a session and runs."""
    day = time.strftime("%Y%m%d", time.gmtime())
    sessions = tmp_path / ".claude" / "logs" / "sessions"
    for name in (f"sess-{day}-999999999", f"sess-{day}-1000000000", f"sess-{day}-00١", "not-a-session"):
        (sessions / name).mkdir(parents=True)
    run = run_pm(["repl", "--executor", "shell"], stdin="echo still-works\n", cwd=tmp_path)
    assert "RESULT: COMPLETE" in run.stdout and f"sess-{day}-001" in run.stdout, run.transcript()


@pytest.mark.parametrize("ref", ["١", "٠٠١", "task-٠٠١", "\uff11"])
def test_non_ascii_digits_never_name_a_task(tmp_path: Path, ref: str) -> None:
    """`logs show ١` is an invalid id (exit 1), not task-001."""
    run_pm(["repl", "--executor", "shell"], stdin="echo hi\n", cwd=tmp_path)
    run = run_pm(["logs", "show", ref], cwd=tmp_path, expect=1)
    assert "ERROR: invalid task id" in run.stderr and "task-001" not in run.stdout, run.transcript()
