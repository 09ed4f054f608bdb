"""A runner process that SIGKILLs itself just before its K-th step on an index file.

Usage: `python index_kill_child.py PROJECT` with `PMR_KILL_AT=K` (0: never) and `PMR_STEP_LOG=FILE`
(each step taken is appended there, one line: `op path`). A step is any `os.open` that may create
or write, `os.write`, `os.fsync`, `os.replace` or `os.unlink` on an index file — a snapshot
(`index.json`), its temp files, a journal (`index.N.jsonl`) — of the global or a session index,
and every `os.fsync` of a folder holding one. The workload is strict: two sessions of tasks that
go create → running → terminal, with index compaction made frequent so every kind of step occurs.
After each manager call returns it prints `ok SESSION TASK STATUS` (the call's rows are on disk).
"""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

_INDEX = re.compile(r"/\.claude/logs/(sessions/[^/]+/)?\.?index\.[^/]*$")
_FOLDER = re.compile(r"/\.claude/logs(/sessions/[^/]+)?$")
_real_open, _real_close, _real_write = os.open, os.close, os.write
_real_fsync, _real_replace, _real_unlink = os.fsync, os.replace, os.unlink
_KILL_AT = int(os.environ.get("PMR_KILL_AT", "0"))
_log = _real_open(os.environ["PMR_STEP_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
_fd_paths: dict[int, str] = {}
_steps = 0


def _absolute(path: Any, dir_fd: int | None) -> str:
    text = os.fsdecode(path)
    if os.path.isabs(text):
        return text
    base = os.getcwd() if dir_fd is None else os.readlink(f"/proc/self/fd/{dir_fd}")
    return os.path.join(base, text)


def _step(op: str, path: str) -> None:
    """Count a step on an index file; die just before the chosen one."""
    global _steps
    if not (_INDEX.search(path) or (op == "fsync" and _FOLDER.search(path))):
        return
    _steps += 1
    if _steps == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
    _real_write(_log, f"{op} {path}\n".encode())


def _open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
    absolute = _absolute(path, dir_fd)
    if flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
        _step("open", absolute)
    fd = _real_open(path, flags, mode, dir_fd=dir_fd)
    _fd_paths[fd] = absolute
    return fd


def _close(fd: int) -> None:
    _fd_paths.pop(fd, None)
    _real_close(fd)


def _write(fd: int, data: Any) -> int:
    _step("write", _fd_paths.get(fd, ""))
    return _real_write(fd, data)


def _fsync(fd: Any) -> None:
    _step("fsync", _fd_paths.get(fd if isinstance(fd, int) else fd.fileno(), ""))
    _real_fsync(fd)


def _replace(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None) -> None:
    _step("replace", _absolute(dst, dst_dir_fd))
    _real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)


def _unlink(path: Any, *, dir_fd: int | None = None) -> None:
    _step("unlink", _absolute(path, dir_fd))
    _real_unlink(path, dir_fd=dir_fd)


def workload(project: Path) -> None:
    from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
    from runner.logs.models import ErrorCode, ExecutorInfo, TaskStatus
    from runner.logs.store import global_index, session_rows

    session_rows.COMPACT_MIN_LINES = 4  # a session index compacts every 4 row changes
    global_index.COMPACT_MIN_LINES = 2  # the global one every 2 session changes
    manager = TaskLogManager(project, durability=Durability.STRICT)
    for tasks in (3, 4):
        session = manager.open_session(executor="shell").session_id
        for number in range(tasks):
            task = manager.create_task(f"task {number}")
            print("ok", session, task.task_id, "queued", flush=True)
            manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(project))
            print("ok", session, task.task_id, "running", flush=True)
            status = TaskStatus.COMPLETE if number % 2 else TaskStatus.INCOMPLETE
            reason = None if number % 2 else "nothing was verified"
            done = manager.finish_task(task.task_id, TaskOutcome(status=status, error_reason=reason,
                                                                 error_code=None if reason is None else ErrorCode.EVIDENCE_MISSING))
            print("ok", session, task.task_id, done.status.value, flush=True)
    manager.close()


if __name__ == "__main__":
    os.open = _open  # type: ignore[assignment]
    os.close = _close
    os.write = _write  # type: ignore[assignment]
    os.fsync = _fsync
    os.replace = _replace  # type: ignore[assignment]
    os.unlink = _unlink  # type: ignore[assignment]
    workload(Path(sys.argv[1]))
