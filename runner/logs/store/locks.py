"""Inter-process locks: one per session (`sessions/<sid>/.lock`), one global (`logs/.lock`).

Rules (DESIGN §3): always a finite timeout, lock files 0600, never deleted, and
never taken twice by one thread. The last rule is kept by structure: only the
public entry points of the store and the manager take a lock, helpers that need
one are named `*_locked` and expect the caller to hold it, and the only nesting
allowed is session lock, then global lock (never the other way round).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runner.errors import LockTimeoutError, StoreError
from runner.logs.store.paths import PRIVATE_FILE_MODE, LogPaths

DEFAULT_LOCK_TIMEOUT_S = 10.0


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


@contextmanager
def hold(lock_path: Path, *, timeout_s: float, what: str) -> Iterator[None]:
    """Hold the lock at `lock_path` for the `with` body, or raise LockTimeoutError after `timeout_s`.

    A fresh FileLock per acquisition: a second acquisition of the same file from
    the same thread therefore times out loudly instead of silently re-entering.
    """
    if timeout_s < 0:
        raise ValueError("lock timeouts are finite and non-negative")
    # Imported here: filelock pulls in asyncio, and a start on a project without logs takes no lock.
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), timeout=timeout_s, mode=PRIVATE_FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise LockTimeoutError(
            f"could not lock {what} within {timeout_s:g} s ({lock_path})",
            hint="another pm-runner may be busy in this project; retry, or stop the other runner",
        ) from None
    except OSError as exc:  # a folder where the lock file should be, a read-only logs folder
        raise StoreError(f"could not lock {what}: {exc.strerror or exc} ({lock_path})",
                         hint="the lock must be a regular file in a writable folder; "
                              "check the permissions of the logs folder") from exc
    try:
        yield
    finally:
        lock.release()
