"""Kept lock descriptors (locks.KeptLocks): as exclusive as a fresh descriptor per acquisition, never stale."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from runner.errors import LockTimeoutError
from runner.logs.manager import TaskLogManager
from runner.logs.store.locks import KeptLocks, hold
from tests.unit.test_store_locks import _hold_in_other_process, _release


def _open_lock_fds(lock_path: Path) -> int:
    """How many descriptors of this process are open on `lock_path`."""
    found = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            found += os.readlink(f"/proc/self/fd/{name}") == str(lock_path)
        except OSError:
            continue
    return found


def _session_lock(root: Path, session_id: str) -> Path:
    return root / ".claude" / "logs" / "sessions" / session_id / ".lock"


def test_a_kept_descriptor_is_one_open_file_across_acquisitions(tmp_path: Path) -> None:
    """The manager keeps one descriptor of its session lock while it owns the session, and closes it on close()."""
    manager = TaskLogManager(tmp_path)
    session_id = manager.open_session().session_id
    lock_path = _session_lock(tmp_path, session_id)
    for _ in range(3):
        manager.create_task("a task")
    assert _open_lock_fds(lock_path) == 1
    manager.close()
    assert _open_lock_fds(lock_path) == 0


def test_a_kept_lock_is_still_not_reentered(tmp_path: Path) -> None:
    """Taking a kept lock this thread already holds times out loudly instead of re-entering."""
    lock_path = tmp_path / ".lock"
    kept = KeptLocks()
    kept.keep(lock_path)
    with hold(lock_path, timeout_s=1, what="session x", kept=kept):
        with pytest.raises(LockTimeoutError), hold(lock_path, timeout_s=0.1, what="session x", kept=kept):
            pass
    with hold(lock_path, timeout_s=1, what="session x", kept=kept):
        pass  # given back: usable again
    kept.close()


def test_a_kept_lock_held_by_another_thread_excludes_this_one(tmp_path: Path) -> None:
    """While one thread holds the kept lock, another thread of the same process waits for it (a fresh descriptor)."""
    lock_path = tmp_path / ".lock"
    kept = KeptLocks()
    kept.keep(lock_path)
    entered, leave = threading.Event(), threading.Event()

    def holder() -> None:
        with hold(lock_path, timeout_s=1, what="x", kept=kept):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert entered.wait(10)
        with pytest.raises(LockTimeoutError), hold(lock_path, timeout_s=0.1, what="x", kept=kept):
            pass
    finally:
        leave.set()
        thread.join(10)
    kept.close()


def test_a_removed_lock_file_is_not_locked_through_the_kept_descriptor(tmp_path: Path) -> None:
    """A session lock file removed and made anew while the manager keeps the old one: the manager locks the new
    file, so another process holding the new file's lock still makes create_task time out."""
    manager = TaskLogManager(tmp_path, lock_timeout_s=0.2)
    session_id = manager.open_session().session_id
    manager.create_task("keeps the descriptor")
    lock_path = _session_lock(tmp_path, session_id)
    lock_path.unlink()
    proc = _hold_in_other_process(lock_path)  # creates the new file and holds it
    try:
        with pytest.raises(LockTimeoutError):
            manager.create_task("blocked")
    finally:
        _release(proc)
    assert manager.create_task("free again").task_id == "task-002"
    assert _open_lock_fds(lock_path) == 1  # the new file is kept from now on
    manager.close()


def test_a_forked_child_does_not_use_its_parents_kept_descriptor(tmp_path: Path) -> None:
    """A forked child shares its parent's open files: holding the lock through the parent's kept descriptor
    would let the parent take it too. The child takes a fresh descriptor, so the parent waits for it."""
    lock_path = tmp_path / ".lock"
    kept = KeptLocks()
    kept.keep(lock_path)
    with hold(lock_path, timeout_s=1, what="x", kept=kept):
        pass  # the descriptor is kept now, and free
    ready_r, ready_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child holds the lock until the parent has tried
        try:
            with hold(lock_path, timeout_s=1, what="x", kept=kept):
                os.write(ready_w, b"x")
                os.read(done_r, 1)
        finally:
            os._exit(0)
    try:
        assert os.read(ready_r, 1) == b"x"
        with pytest.raises(LockTimeoutError), hold(lock_path, timeout_s=0.2, what="x", kept=kept):
            pass
    finally:
        os.write(done_w, b"x")
        os.waitpid(pid, 0)
        for fd in (ready_r, ready_w, done_r, done_w):
            os.close(fd)
    kept.close()
