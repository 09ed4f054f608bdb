"""Run `pm-runner` with `os.write`, `os.fsync` and `os.replace` failing on chosen log files.

Usage: `python fault_runner.py repl --executor shell ...` with `PMR_FAULTS` set to a JSON list of
faults, each `{"op": "write"|"fsync"|"replace", "path": REGEX, "errno": "EIO"|"ENOSPC",
"data": REGEX?, "skip": N?, "count": N?}`: the first `skip` matching calls pass, then `count`
of them (all when absent or negative) raise `OSError`. `path` is searched in the absolute path
(for `replace`, the destination); `data`, when given, must also have been written to that file
(for `replace`, the source). A failing write first writes half of its bytes, as a full disk
does. `PMR_FAULT_LOG` receives one JSON line per fault injected and per fsync or replace
under `.claude/logs`, so a test can check the order of durable steps.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

LOGS_MARK = f"{os.sep}.claude{os.sep}logs"

_real_open = os.open
_real_close = os.close
_real_write = os.write
_real_fsync = os.fsync
_real_replace = os.replace
_real_dup = os.dup


@dataclass
class Fault:
    op: str
    path: re.Pattern[str]
    code: int
    data: re.Pattern[str] | None
    skip: int
    count: int
    seen: int = 0
    failed: int = 0

    def fires(self, op: str, path: str, tainted: bool) -> bool:
        """Count a matching call and say whether this one fails."""
        if op != self.op or not self.path.search(path) or (self.data is not None and not tainted):
            return False
        self.seen += 1
        if self.seen <= self.skip or (0 <= self.count <= self.failed):
            return False
        self.failed += 1
        return True


def _load_faults() -> list[Fault]:
    faults = []
    for spec in json.loads(os.environ.get("PMR_FAULTS", "[]")):
        data = spec.get("data")
        faults.append(Fault(op=spec["op"], path=re.compile(spec["path"]), code=getattr(errno, spec["errno"]),
                            data=re.compile(data) if data else None, skip=int(spec.get("skip", 0)),
                            count=int(spec.get("count", -1))))
    return faults


FAULTS = _load_faults()
_fd_paths: dict[int, str] = {}
_tainted: set[str] = set()  # files that received bytes matching some fault's `data`
_log_fd = _real_open(os.environ["PMR_FAULT_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) \
    if os.environ.get("PMR_FAULT_LOG") else None


def _note(record: dict[str, Any]) -> None:
    if _log_fd is not None:
        _real_write(_log_fd, json.dumps(record).encode() + b"\n")


def _absolute(path: Any, dir_fd: int | None = None) -> str:
    """The absolute path a call names; a name relative to `dir_fd` (the store's `openat` style) included."""
    text = os.fsdecode(path)
    if os.path.isabs(text):
        return text
    base = os.getcwd() if dir_fd is None else os.readlink(f"/proc/self/fd/{dir_fd}")
    return os.path.join(base, text)


def _fault_for(op: str, path: str) -> Fault | None:
    if LOGS_MARK not in path:
        return None
    for fault in FAULTS:
        if fault.fires(op, path, path in _tainted):
            return fault
    return None


def _fail(fault: Fault, op: str, path: str) -> OSError:
    _note({"op": op, "path": path, "fault": errno.errorcode[fault.code]})
    return OSError(fault.code, os.strerror(fault.code), path)


def _open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
    fd = _real_open(path, flags, mode, dir_fd=dir_fd)
    _fd_paths[fd] = _absolute(path, dir_fd)
    return fd


def _dup(fd: int) -> int:
    """A duplicate names the same file (the store duplicates the descriptors of pinned folders)."""
    new = _real_dup(fd)
    if fd in _fd_paths:
        _fd_paths[new] = _fd_paths[fd]
    return new


def _close(fd: int) -> None:
    _fd_paths.pop(fd, None)
    _real_close(fd)


def _write(fd: int, data: Any) -> int:
    path = _fd_paths.get(fd, "")
    if LOGS_MARK in path:
        text = bytes(data).decode("latin-1")
        if any(f.data is not None and f.data.search(text) for f in FAULTS):
            _tainted.add(path)
        fault = _fault_for("write", path)
        if fault is not None:
            half = len(data) // 2
            if half:
                _real_write(fd, bytes(data)[:half])  # a full disk takes part of the write first
            raise _fail(fault, "write", path)
    return _real_write(fd, data)


def _fsync(fd: Any) -> None:
    number = fd if isinstance(fd, int) else fd.fileno()
    path = _fd_paths.get(number, "")
    fault = _fault_for("fsync", path)
    if fault is not None:
        raise _fail(fault, "fsync", path)
    _real_fsync(fd)
    if LOGS_MARK in path:
        _note({"op": "fsync", "path": path})


def _replace(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None) -> None:
    source, target = _absolute(src, src_dir_fd), _absolute(dst, dst_dir_fd)
    if LOGS_MARK in target:
        for fault in FAULTS:
            if fault.fires("replace", target, source in _tainted):
                raise _fail(fault, "replace", target)
    _real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
    if LOGS_MARK in target:
        _note({"op": "replace", "src": source, "path": target, "data": source in _tainted})


def install() -> None:
    os.open = _open  # type: ignore[assignment]
    os.close = _close
    os.dup = _dup
    os.write = _write  # type: ignore[assignment]
    os.fsync = _fsync
    os.replace = _replace  # type: ignore[assignment]


if __name__ == "__main__":
    install()
    from runner.cli import main

    sys.exit(main(sys.argv[1:]))
