"""Durable file primitives: 0600 files, atomic snapshot replacement, folder fsync.

A rename is atomic but only durable once its folder is fsynced, and after a
failed fsync the data may be gone even if a later fsync succeeds: a failed
write is therefore reported (or redone from memory by the caller), never retried
on the same descriptor and assumed to have worked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from runner.logs.store.paths import PRIVATE_FILE_MODE

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data`; `os.write` may write fewer bytes than asked."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_private(path: Path, flags: int) -> int:
    """Open (creating if needed) a file whose mode is exactly 0600, whatever the umask."""
    fd = os.open(path, flags | os.O_CREAT | _O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def open_append(path: Path) -> int:
    """An append-only descriptor on a 0600 file (journals and raw logs)."""
    return open_private(path, os.O_WRONLY | os.O_APPEND)


def fsync_dir(folder: Path) -> None:
    """Make renames and new entries in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | _O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A hidden sibling name no other writer uses: `.name.<pid>.<random>.tmp`."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def write_atomic(path: Path, data: bytes, *, durable: bool) -> None:
    """Replace `path` with `data` so a reader sees the old or the new file, never a mix.

    Temp file in the same folder, write, (fsync), `os.replace`, (fsync the folder).
    On any error the temp file is removed and the error propagates; the caller
    decides whether to rewrite from memory or to report the failure.
    """
    tmp = temp_name(path)
    fd = open_private(tmp, os.O_WRONLY | os.O_EXCL)
    try:
        try:
            write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def _discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files a killed writer left in `folder`; returns how many went."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if is_temp_name(name):
            _discard(folder / name)
            removed += 1
    return removed
