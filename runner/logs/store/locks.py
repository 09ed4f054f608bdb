"""Inter-process locks: one per session (`sessions/<sid>/.lock`), one global (`logs/.lock`), and the
session owner's lock (`sessions/<sid>/.owner.lock`).

Rules (DESIGN §3): always a finite timeout, lock files 0600, never deleted while they guard
anything, and never taken twice by one thread. The last rule is kept by structure: only the
public entry points of the store and the manager take a lock, helpers that need one are named
`*_locked` and expect the caller to hold it, and the only nesting allowed is session lock, then
global lock (never the other way round).

A lock is a `flock` on a file opened through `safe_files` (never through a link, never a FIFO,
never truncated), so a hostile `.lock` in a cloned repository cannot make locking touch another
file. `flock` works across pid namespaces: a runner in a container sharing the folder holds the
same lock as one on the host.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runner.errors import LockTimeoutError, StoreError
from runner.logs.store import safe_files
from runner.logs.store.paths import LogPaths
from runner.logs.store.safe_files import UnsafeFileError

DEFAULT_LOCK_TIMEOUT_S = 10.0
_FIRST_WAIT_S = 0.001
_LONGEST_WAIT_S = 0.05


@dataclass(frozen=True)
class Locks:
    """The store's two locks for one logs folder, each with its finite timeout and its name in errors.

    Every writer and every index write-back takes its locks through here; the only nesting
    allowed is `session`, then `global_index` (never the other way round).
    """

    paths: LogPaths
    timeout_s: float = DEFAULT_LOCK_TIMEOUT_S

    @contextmanager
    def session(self, session_id: str) -> Iterator[None]:
        """The lock of one session's files (its metadata, index, tasks and raw logs)."""
        with hold(self.paths.session_lock(session_id), timeout_s=self.timeout_s, what=f"session {session_id}"):
            yield

    @contextmanager
    def global_index(self) -> Iterator[None]:
        """The lock of `logs/index.json` and of session-id allocation."""
        with hold(self.paths.global_lock, timeout_s=self.timeout_s, what="the logs index"):
            yield


def _open(lock_path: Path, what: str, *, create: bool) -> int:
    try:
        return safe_files.open_lock(lock_path, create=create)
    except FileNotFoundError:
        raise
    except UnsafeFileError as exc:
        raise StoreError(f"could not lock {what}: {exc.strerror}",
                         hint=f"remove or replace {exc.path} (it may have come with a cloned repository)") from None
    except OSError as exc:  # a folder where the lock file should be, a read-only logs folder
        raise StoreError(f"could not lock {what}: {exc.strerror or exc} ({lock_path})",
                         hint="the lock must be a regular file in a writable folder; "
                              "check the permissions of the logs folder") from exc


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


@contextmanager
def hold(lock_path: Path, *, timeout_s: float, what: str) -> Iterator[None]:
    """Hold the lock at `lock_path` for the `with` body, or raise LockTimeoutError after `timeout_s`.

    A fresh descriptor per acquisition: `flock` locks belong to an open file, so a second
    acquisition of the same file from the same thread times out loudly instead of re-entering.
    """
    if timeout_s < 0:
        raise ValueError("lock timeouts are finite and non-negative")
    fd = _open(lock_path, what, create=True)
    try:
        deadline = time.monotonic() + timeout_s
        wait = _FIRST_WAIT_S
        while not _try_flock(fd):
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockTimeoutError(
                    f"could not lock {what} within {timeout_s:g} s ({lock_path})",
                    hint="another pm-runner may be busy in this project; retry, or stop the other runner")
            time.sleep(min(wait, left))
            wait = min(wait * 2, _LONGEST_WAIT_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def take_if_free(lock_path: Path, *, what: str, create: bool) -> int | None:
    """A descriptor holding the lock at `lock_path`, or None when another process holds it now.

    Without `create`, a missing lock file raises FileNotFoundError (nobody can hold it). The
    caller closes the descriptor to release the lock; the death of the process releases it too.
    """
    fd = _open(lock_path, what, create=create)
    try:
        if _try_flock(fd):
            return fd
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None
