"""A free-space reserve for the logs: a task's own output never starves its final save (issue 9 item 5).

Raw executor output and output events are the bulk of what a task writes, and the only part a
log can do without. While the filesystem holding the logs has less free space than the reserve,
they are not written (counted instead, and an `EVENTS_DROPPED` event says so), so the terminal
snapshot and the index rows still fit. Everything else (status, evidence, the terminal event)
is always written.

The reserve is `RESERVE_FLOOR` plus twice what the open tasks' logs take (a snapshot is
rewritten through a temp file while the old one and the journal still exist) plus the session
index (rewritten the same way). Free space is asked of the kernel (`fstatvfs`) at most once per
`CHECK_EVERY` bytes written, so the cost per event is a subtraction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runner.logs.limits import format_size
from runner.logs.models import EventType, LogEvent, Visibility
from runner.logs.store import safe_files

RESERVE_FLOOR = 256 * 1024
# A raw-log write is one read of a child's pipe (64 KiB of output and its prefixes), so a check per
# 64 KiB was a check per write; the budget never exceeds half the spare room, so it stays safe.
CHECK_EVERY = 1024 * 1024
# What a log can do without: the executor's output (the raw log keeps the rest of it, space permitting).
OPTIONAL_EVENTS = frozenset({EventType.EXECUTOR_OUTPUT, EventType.EXECUTOR_PROGRESS})


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the filesystem holding `folder`; None when unknown."""
    try:
        with safe_files.folder_fd(folder) as fd:
            st = os.fstatvfs(fd)
    except (OSError, ValueError):
        return None
    return st.f_bavail * st.f_frsize


class SpaceGuard:
    """Says whether optional bytes (raw output, output events) may still be written without eating the reserve."""

    def __init__(self, folder: Path, reserve: Callable[[], int]) -> None:
        self._folder = folder
        self._reserve = reserve
        self._lock = threading.Lock()  # stdout and stderr readers share one guard
        self._budget = 0  # bytes that may still be written before the next free-space check

    def allows(self, size: int) -> bool:
        """True when `size` more optional bytes leave the reserve intact (the kernel is asked now and then)."""
        with self._lock:
            if size <= self._budget:
                self._budget -= size
                return True
            free = free_bytes(self._folder)
            if free is None:
                self._budget = CHECK_EVERY  # cannot tell: do not block output on a stat that failed
                return True
            spare = free - self._reserve() - size
            if spare < 0:
                self._budget = 0
                return False
            self._budget = min(CHECK_EVERY, spare // 2)
            return True


def dropped_for_space_event(event_id: str, now: str, *, events: int, raw_bytes: int) -> LogEvent:
    """The `EVENTS_DROPPED` marker of a task that ran while the disk was nearly full (summary visibility)."""
    content: dict[str, Any] = {
        "message": f"{events} output events and {format_size(raw_bytes)} of raw output were not recorded: "
                   "the disk holding the logs was nearly full",
        "dropped": events, "raw_bytes_dropped": raw_bytes, "reason": "disk nearly full", "dropped_at": now,
    }
    return LogEvent(event_id=event_id, event_type=EventType.EVENTS_DROPPED, timestamp=now,
                    visibility=Visibility.SUMMARY, content=content)
