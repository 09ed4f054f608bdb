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
import threading
import time
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
    kept: KeptLocks | None = None  # descriptors a session's writer keeps between acquisitions

    def session(self, session_id: str) -> Held:
        """The lock of one session's files (its metadata, index, tasks and raw logs)."""
        return hold(self.paths.session_lock(session_id), timeout_s=self.timeout_s, what=f"session {session_id}",
                    kept=self.kept)

    def global_index(self) -> Held:
        """The lock of `logs/index.json` and of session-id allocation."""
        return hold(self.paths.global_lock, timeout_s=self.timeout_s, what="the logs index")


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


def hold(lock_path: Path, *, timeout_s: float, what: str, kept: KeptLocks | None = None) -> Held:
    """Hold the lock at `lock_path` for the `with` body, or raise LockTimeoutError after `timeout_s`.

    A fresh descriptor per acquisition, unless `kept` keeps one for `lock_path` and no one in this
    process is using it: `flock` locks belong to an open file, so a second acquisition of the same
    file from the same thread (or while another thread of ours holds it) takes a fresh descriptor
    and times out loudly instead of re-entering.
    """
    if timeout_s < 0:
        raise ValueError("lock timeouts are finite and non-negative")
    return Held(lock_path, timeout_s, what, kept)


class Held:
    """One acquisition of a lock file, as a `with` block (a class: a generator-based context manager
    cost as much as the `flock` calls it wraps, three times per task)."""

    __slots__ = ("_fd", "_kept", "_lock_path", "_reserved", "_timeout_s", "_what")

    def __init__(self, lock_path: Path, timeout_s: float, what: str, kept: KeptLocks | None) -> None:
        self._lock_path, self._timeout_s, self._what, self._kept = lock_path, timeout_s, what, kept
        self._reserved: _Kept | None = None
        self._fd = -1

    def __enter__(self) -> None:
        kept = self._kept
        reserved = kept.reserve(self._lock_path, self._what) if kept is not None else None
        if reserved is not None:
            assert kept is not None
            try:
                _wait_for(reserved.fd, self._lock_path, self._timeout_s, self._what)
                if os.fstat(reserved.fd).st_nlink > 0:
                    self._fd, self._reserved = reserved.fd, reserved
                    return
                # Its file was removed since it was opened: lock the one at the path now.
                reserved.unusable = True
                fcntl.flock(reserved.fd, fcntl.LOCK_UN)
            finally:
                if self._reserved is None:
                    kept.give_back(reserved)
        fd = _open(self._lock_path, self._what, create=True)
        try:
            _wait_for(fd, self._lock_path, self._timeout_s, self._what)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def __exit__(self, *_: object) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            reserved, self._reserved = self._reserved, None
            if reserved is None:
                os.close(self._fd)
            elif self._kept is not None:
                self._kept.give_back(reserved)


def _wait_for(fd: int, lock_path: Path, timeout_s: float, what: str) -> None:
    """`flock` `fd`, retrying with growing waits until `timeout_s` has passed (then LockTimeoutError)."""
    if _try_flock(fd):
        return
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


@dataclass
class _Kept:
    fd: int
    in_use: bool = False
    unusable: bool = False  # its file was removed: closed when given back, opened anew next time


_forks = 0  # how many forks this process descends from (counted in each child: getpid() is a system call)


def _count_fork() -> None:
    global _forks
    _forks += 1


os.register_at_fork(after_in_child=_count_fork)


class KeptLocks:
    """Lock files whose descriptors one owner keeps open between acquisitions.

    A session's writer takes its session lock three times per task; each fresh acquisition walks to
    the folder, looks at the file, opens it and closes it again. The writer names the lock files to
    keep (`keep`); `hold` then uses the kept descriptor when nobody in this process is using it
    (else a fresh one, as without `kept`), checks after locking that the file was not removed
    (its link count; then it locks the file now at the path), and never uses it in a forked
    child (a child shares its parent's open files, and so its locks).
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._wanted: set[Path] = set()
        self._open: dict[Path, _Kept] = {}
        self._forks = _forks  # a descendant by fork has more: it never uses this parent's descriptors

    def keep(self, lock_path: Path) -> None:
        """Keep `lock_path`'s descriptor from its next acquisition on (until `close`)."""
        with self._mutex:
            self._wanted.add(lock_path)

    def reserve(self, lock_path: Path, what: str) -> _Kept | None:
        """The kept descriptor of `lock_path` for the caller alone, opened if need be; None when
        `lock_path` is not kept, its descriptor is in use, or this is a forked child."""
        if lock_path not in self._wanted or _forks != self._forks:
            return None
        with self._mutex:
            entry = self._open.get(lock_path)
            if entry is not None:
                if entry.in_use:
                    return None
                entry.in_use = True
                return entry
        entry = _Kept(_open(lock_path, what, create=True), in_use=True)
        with self._mutex:
            if lock_path in self._wanted and lock_path not in self._open:
                self._open[lock_path] = entry
                return entry
        os.close(entry.fd)  # closed or kept by another thread meanwhile: use a fresh one this time
        return None

    def give_back(self, entry: _Kept) -> None:
        with self._mutex:
            entry.in_use = False
            if not entry.unusable:
                return
            for path, known in list(self._open.items()):
                if known is entry:
                    del self._open[path]
        os.close(entry.fd)

    def close(self) -> None:
        """Close every kept descriptor not in use (one in use is closed when given back) and keep none."""
        with self._mutex:
            self._wanted.clear()
            entries, self._open = list(self._open.values()), {}
            for entry in entries:
                entry.unusable = True
            idle = [entry for entry in entries if not entry.in_use]
        if _forks == self._forks:  # a forked child closes nothing of its parent's
            for entry in idle:
                os.close(entry.fd)


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
