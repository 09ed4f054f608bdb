"""This test process's own children, read from /proc.

The runner makes the test process a child subreaper the first time it supervises a task
in-process, so from then on any process orphaned by a later test (a runner killed with -9, a
browser's helpers) is re-parented to pytest itself. Left alone, such orphans would be blamed on
whichever later test checks that it leaves no child behind.
"""

from __future__ import annotations

import os
import signal
import time


def _stat_fields(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def live_children() -> list[int]:
    """Pids whose parent is this process, zombies included (empty where /proc is missing)."""
    me = os.getpid()
    found = []
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        fields = _stat_fields(name) if name.isdigit() else None
        if fields is not None and int(fields[1]) == me:
            found.append(int(name))
    return found


def zombie_children() -> list[int]:
    """The children that have ended and wait to be reaped."""
    return [pid for pid in live_children() if (_stat_fields(str(pid)) or ["?"])[0] == "Z"]


def reap(pids: set[int] | list[int], kill: bool) -> None:
    """Collect the exit status of each pid, first ending it with SIGKILL when `kill` is set."""
    for pid in pids:
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def reap_new_children(before: set[int], settle_s: float = 0.2) -> None:
    """End and reap every child that appeared since `before` was taken (orphans re-parented here)."""
    time.sleep(settle_s)
    reap(set(live_children()) - before, kill=True)
