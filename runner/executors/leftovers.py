"""Ending what a task of a dead runner left running, from what its EXECUTOR_START recorded.

A runner killed with SIGKILL cannot end its task: the direct child dies with it
(`PR_SET_PDEATHSIG`), but the rest of the child's process group and anything that left the
group live on. The next start reads the pgid, the child's start time, the boot id and the task
tag from the abandoned task and ends: members of that group started no earlier than the child
(a pgid is not reused while any member lives, and a new leader with that pid would have another
start time), and processes carrying the tag. Nothing from another boot is touched.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import RunnerError
from runner.executors import process_tree
from runner.executors.process_tree import Process
from runner.logs.models import EventType, TaskLog
from runner.logs.store import LogReader

GRACE_S = 1.0
_POLL_S = 0.05


@dataclass(frozen=True)
class RecordedGroup:
    """The identity of a task's child as EXECUTOR_START recorded it."""

    pgid: int
    start_ticks: int
    boot_id: str
    tag: str | None


def recorded_group(content: Mapping[str, Any]) -> RecordedGroup | None:
    """The group an EXECUTOR_START content names, or None when it is incomplete (an older log)."""
    process = content.get("process")
    if not isinstance(process, Mapping):
        return None
    pgid, ticks, boot, tag = (process.get(key) for key in ("pgid", "start_ticks", "boot_id", "tag"))
    if not (isinstance(pgid, int) and pgid > 1 and isinstance(ticks, int) and isinstance(boot, str)):
        return None
    return RecordedGroup(pgid, ticks, boot, tag if isinstance(tag, str) else None)


def survivors(group: RecordedGroup, processes: list[Process]) -> list[Process]:
    """The live processes that belong to the recorded task (empty after a reboot or a pid reuse)."""
    if group.boot_id != process_tree.boot_id():
        return []
    leader = next((p for p in processes if p.pid == group.pgid), None)
    found: dict[int, Process] = {}
    if leader is None or leader.start_ticks == group.start_ticks:
        found.update((p.pid, p) for p in processes
                     if p.pgid == group.pgid and p.start_ticks >= group.start_ticks and not p.zombie)
    if group.tag is not None:
        found.update((p.pid, p) for p in process_tree.tagged(group.tag, processes))
    return list(found.values())


def end_recorded(groups: Iterable[RecordedGroup]) -> list[Process]:
    """SIGTERM every survivor of the recorded groups, SIGKILL what is left after GRACE_S; returns them."""
    processes = process_tree.all_processes()
    victims = [p for group in groups for p in survivors(group, processes)]
    for process in victims:
        process_tree.signal_process(process, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while any(process_tree.alive(p) for p in victims) and time.monotonic() < deadline:
        for process in victims:
            process_tree.reap(process)
        time.sleep(_POLL_S)
    for process in victims:
        if process_tree.alive(process):
            process_tree.signal_process(process, signal.SIGKILL)
        process_tree.reap(process)
    return victims


def groups_of_tasks(project_root: Path, tasks: Iterable[tuple[str, str]],
                    logs_dir: Path | None = None) -> list[RecordedGroup]:
    """The groups the last EXECUTOR_START of each (session, task) recorded (unreadable tasks skipped)."""
    reader = LogReader(project_root, logs_dir=logs_dir)
    groups = []
    for session_id, task_id in tasks:
        try:
            log = reader.read_task(session_id, task_id)
        except (RunnerError, OSError):  # a log recovery could not read is reported by recovery itself
            continue
        if not isinstance(log, TaskLog):
            continue
        starts = [e.content for e in log.events if e.event_type is EventType.EXECUTOR_START]
        group = recorded_group(starts[-1]) if starts else None
        if group is not None:
            groups.append(group)
    return groups


def end_task_leftovers(project_root: Path, tasks: Iterable[tuple[str, str]],
                       logs_dir: Path | None = None) -> list[Process]:
    """End what the given recovered tasks left running; the processes that were ended."""
    groups = groups_of_tasks(project_root, tasks, logs_dir)
    return end_recorded(groups) if groups else []
