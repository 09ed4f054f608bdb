"""Locks: a finite timeout that is a clear error, 0600 lock files that are never deleted, no re-entry."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from runner.errors import LockTimeoutError
from runner.logs.manager import TaskLogManager
from runner.logs.store.locks import hold

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def _hold_in_other_process(lock_path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


def test_lock_held_elsewhere_times_out_with_a_clear_error(tmp_path: Path) -> None:
    """While another process holds a lock, taking it fails with LockTimeoutError naming the lock and a hint."""
    lock_path = tmp_path / ".lock"
    proc = _hold_in_other_process(lock_path)
    try:
        with pytest.raises(LockTimeoutError) as caught, hold(lock_path, timeout_s=0.2, what="the logs index"):
            pass
    finally:
        _release(proc)
    assert "the logs index" in caught.value.message and str(lock_path) in caught.value.message
    assert caught.value.hint
    with hold(lock_path, timeout_s=1, what="the logs index"):
        pass  # free again once the holder is gone


def test_manager_reports_a_busy_session_lock_instead_of_hanging(tmp_path: Path) -> None:
    """create_task on a session whose lock another process holds raises LockTimeoutError after the timeout."""
    manager = TaskLogManager(tmp_path, lock_timeout_s=0.2)
    session_id = manager.open_session().session_id
    proc = _hold_in_other_process(tmp_path / ".claude" / "logs" / "sessions" / session_id / ".lock")
    try:
        with pytest.raises(LockTimeoutError):
            manager.create_task("blocked")
    finally:
        _release(proc)
    assert manager.create_task("free again").task_id == "task-001"
    manager.close()


def test_same_thread_reacquire_is_an_error_not_a_silent_reentry(tmp_path: Path) -> None:
    """Taking a lock this thread already holds times out loudly instead of re-entering."""
    lock_path = tmp_path / ".lock"
    with hold(lock_path, timeout_s=1, what="session x"):
        with pytest.raises(LockTimeoutError), hold(lock_path, timeout_s=0.1, what="session x"):
            pass


def test_lock_files_are_0600_and_survive_release(tmp_path: Path) -> None:
    """A lock file is created 0600 and stays on disk after release (deleting it would break exclusion)."""
    lock_path = tmp_path / ".lock"
    old = os.umask(0)
    try:
        with hold(lock_path, timeout_s=1, what="x"):
            pass
    finally:
        os.umask(old)
    assert lock_path.exists()
    assert stat.S_IMODE(lock_path.stat().st_mode) == 0o600


def test_negative_timeout_is_refused(tmp_path: Path) -> None:
    """An infinite (negative) timeout is never allowed."""
    with pytest.raises(ValueError), hold(tmp_path / ".lock", timeout_s=-1, what="x"):
        pass
