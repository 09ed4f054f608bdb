"""Finding every process a task started, also those that left its process group, and ending them safely.

A child that calls `setsid`/`setpgid`, or double-forks, leaves the task's process group; the
runner (a child subreaper) still sees it as a descendant, or it carries the task's tag in its
environment. Each process is identified by pid *and* start time (ticks since boot, from
`/proc/<pid>/stat`), and signalled through a pidfd opened and then re-checked, so a reused pid is
never signalled. Linux only: elsewhere nothing is found and only the process group is ended.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TAG_VARIABLE = "PM_RUNNER_TASK_TAG"


@dataclass(frozen=True)
class Process:
    """One process as /proc shows it."""

    pid: int
    ppid: int
    pgid: int
    start_ticks: int
    zombie: bool


def read_process(pid: int) -> Process | None:
    """The process with this pid now, or None when there is none (or no /proc)."""
    try:
        data = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    try:
        fields = data[data.rindex(b")") + 2:].split()
        return Process(pid, int(fields[1]), int(fields[2]), int(fields[19]), fields[0] in (b"Z", b"X"))
    except (ValueError, IndexError):
        return None


def start_ticks(pid: int) -> int | None:
    process = read_process(pid)
    return None if process is None else process.start_ticks


def boot_id() -> str | None:
    """This boot's id: start times are only comparable within one boot."""
    try:
        return (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip() or None
    except OSError:
        return None


def all_processes() -> list[Process]:
    try:
        names = os.listdir(PROC)
    except OSError:
        return []
    found = (read_process(int(name)) for name in names if name.isdigit())
    return [process for process in found if process is not None]


def descendants(root_pid: int, processes: Iterable[Process]) -> list[Process]:
    """Every process whose parent chain leads to `root_pid` (not the root itself)."""
    children: dict[int, list[Process]] = {}
    for process in processes:
        children.setdefault(process.ppid, []).append(process)
    found: list[Process] = []
    stack = [root_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child.pid)
    return found


def carries_tag(pid: int, tag: str) -> bool:
    """True when the process's environment holds `TAG_VARIABLE=tag` (our own user's processes only)."""
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return f"{TAG_VARIABLE}={tag}".encode() in environ.split(b"\0")


def tagged(tag: str, processes: Iterable[Process]) -> list[Process]:
    """Live processes started for the task with this tag, wherever they were re-parented."""
    me = os.getpid()
    return [p for p in processes if p.pid != me and not p.zombie and carries_tag(p.pid, tag)]


def signal_process(process: Process, sig: signal.Signals) -> bool:
    """Send `sig` to exactly this process (same pid and start time); False when it is gone."""
    try:
        handle = os.pidfd_open(process.pid)
    except (OSError, AttributeError):
        return _signal_by_pid(process, sig)
    try:
        if start_ticks(process.pid) != process.start_ticks:
            return False  # the pid now names another process
        signal.pidfd_send_signal(handle, sig)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)


def _signal_by_pid(process: Process, sig: signal.Signals) -> bool:
    if start_ticks(process.pid) != process.start_ticks:
        return False
    try:
        os.kill(process.pid, sig)
    except OSError:
        return False
    return True


def alive(process: Process) -> bool:
    now = read_process(process.pid)
    return now is not None and now.start_ticks == process.start_ticks and not now.zombie


def reap(process: Process) -> None:
    """Collect the exit status of a re-parented process that died (it is our child now)."""
    try:
        os.waitpid(process.pid, os.WNOHANG)
    except ChildProcessError:
        pass
