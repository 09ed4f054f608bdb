"""A Linux inotify watch on every scanned folder of a project: did anything write since I last looked?

It lets the "after" of one task serve as the "before" of the next when nothing wrote in between
(no event at all is cheap to prove), and it names the files written during a task, which settles
the rare file whose stat did not change (a same-size rewrite within one timestamp tick). Where
inotify is missing or its limits are reached, `FolderWatch.open` returns None and every "before"
is taken afresh; a queue overflow means "anything may have changed".
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import sys
from dataclasses import dataclass, field

from runner.changes.rules import EXCLUDED_DIR_NAMES, GITIGNORE

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF = 0x400, 0x800
_IN_Q_OVERFLOW, _IN_IGNORED, _IN_ISDIR = 0x4000, 0x8000, 0x40000000
_IN_ONLYDIR, _IN_DONT_FOLLOW, _IN_EXCL_UNLINK = 0x01000000, 0x02000000, 0x04000000
_WRITES = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
           | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF)
_FOLDER_CHANGES = _IN_MOVED_FROM | _IN_MOVED_TO | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF
_HEADER = struct.Struct("iIII")
_READ_SIZE = 256 * 1024
# What the kernel queues last when its queue is full: wd -1, IN_Q_OVERFLOW, no name. No read can
# end with these bytes otherwise (an event's name is NUL-padded: no byte after its first NUL is 0x40).
_OVERFLOW_EVENT = _HEADER.pack(-1, _IN_Q_OVERFLOW, 0, 0)


@dataclass
class Activity:
    """What the watch saw since the last `drain`."""

    paths: set[str] = field(default_factory=set)  # relative paths named by write events
    new_folders: set[str] = field(default_factory=set)
    overflow: bool = False  # events were lost: assume anything changed
    folders_moved: bool = False  # a watched folder moved or went: the watch must be rebuilt

    @property
    def quiet(self) -> bool:
        return not (self.paths or self.new_folders or self.overflow or self.folders_moved)


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


class FolderWatch:
    """The inotify instance of one project; `watch` folders, `drain` to learn what changed."""

    def __init__(self, libc: ctypes.CDLL, fd: int) -> None:
        self._libc = libc
        self._fd = fd
        self._paths: dict[int, str] = {}
        self.folders: set[str] = set()
        self.full = False  # a watch could not be added: the watch no longer covers the tree

    @classmethod
    def open(cls) -> FolderWatch | None:
        """A new watch, or None where inotify is not available."""
        libc = _libc()
        if libc is None:
            return None
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        return cls(libc, fd) if fd >= 0 else None

    def watch(self, relative: str, absolute: str) -> None:
        """Watch one folder (call it before listing the folder, so no write falls in between)."""
        if relative in self.folders or self.full:
            return
        mask = _WRITES | _IN_ONLYDIR | _IN_DONT_FOLLOW | _IN_EXCL_UNLINK
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(absolute), mask)
        if wd < 0:
            if ctypes.get_errno() in (errno.ENOSPC, errno.ENOMEM):
                self.full = True
            return  # a folder that vanished meanwhile: its parent's event says so
        self._paths[wd] = relative
        self.folders.add(relative)

    def drain(self) -> Activity:
        """Every event queued since the last drain, as an Activity. When the queue overflowed (its
        last event says so) the others are not parsed: lost events mean "anything may have changed"
        and the watch is rebuilt, so nothing they name would be used."""
        activity = Activity()
        reads: list[bytes] = []
        while True:
            try:
                data = os.read(self._fd, _READ_SIZE)
            except BlockingIOError:
                break
            except OSError:
                activity.overflow = True
                return activity
            if not data:
                break
            reads.append(data)
        if reads and reads[-1].endswith(_OVERFLOW_EVENT):
            activity.overflow = True
            return activity
        for data in reads:
            self._parse(data, activity)
        return activity

    def _parse(self, data: bytes, activity: Activity) -> None:
        offset = 0
        while offset + _HEADER.size <= len(data):
            wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
            raw_name = data[offset + _HEADER.size:offset + _HEADER.size + length].rstrip(b"\0")
            offset += _HEADER.size + length
            if mask & _IN_Q_OVERFLOW:
                activity.overflow = True
                continue
            folder = self._paths.get(wd)
            if mask & _IN_IGNORED:
                self._forget(wd)
                continue
            if folder is None or not mask & _WRITES:
                continue
            self._note(activity, folder, os.fsdecode(raw_name), mask)

    def _note(self, activity: Activity, folder: str, name: str, mask: int) -> None:
        if mask & (_IN_DELETE_SELF | _IN_MOVE_SELF):
            activity.folders_moved = True
            return
        is_dir = bool(mask & _IN_ISDIR)
        if (name.startswith(".") and name != GITIGNORE) or (is_dir and name in EXCLUDED_DIR_NAMES):
            return  # hidden entries and dependency folders are not project files
        path = f"{folder}/{name}" if folder else name
        if is_dir:
            if mask & _FOLDER_CHANGES:
                activity.folders_moved = True
            elif mask & _IN_CREATE:
                activity.new_folders.add(path)
            return
        activity.paths.add(path)

    def _forget(self, wd: int) -> None:
        relative = self._paths.pop(wd, None)
        if relative is not None:
            self.folders.discard(relative)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            self._paths.clear()
            self.folders.clear()
