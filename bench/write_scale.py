"""`write_scale`: cost per task as the session grows — 10,000 tasks × 10 events, strict and normal.

Every task is timed from `create_task` to `finish_task` returning (bench/workload.py). While the
session grows, after every few tasks and outside their timing, the floors are measured in the
same tasks folder: an atomic durable write (temp file, write, fsync, rename, folder fsync) of a
payload the size of the last task's final snapshot, and a write + fsync of one journal line. The
figures compare the first and the last 1,000 tasks with the floors measured while they ran:
flat cost means the last 1,000 cost what the first 1,000 did.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from bench import datasets
from bench.harness import Figure, Target, atomic_durable_write, figure, floor_append, scratch, timed
from bench.workload import EVENTS_PER_TASK, write_session
from runner.logs.manager import Durability
from runner.logs.models import TaskLog
from runner.logs.store import LogReader

NAME = "write_scale"
MAX_FLOORS = {Durability.STRICT: 6.0, Durability.NORMAL: 2.0}
MAX_GROWTH = 1.25
FLOOR_WRITES = 4  # floor samples taken at each measuring point


@dataclass
class _Floors:
    """Floor samples (seconds) and the task number they were taken after."""

    every: int
    atomic: list[tuple[int, float]] = field(default_factory=list)
    append: list[tuple[int, float]] = field(default_factory=list)

    def measure(self, done: int, last: TaskLog, folder: Path) -> None:
        if done % self.every:
            return
        data = last.model_dump_json().encode()
        target = folder / ".bench-floor.json"
        for _ in range(FLOOR_WRITES):
            self.atomic.append((done, timed(lambda: atomic_durable_write(target, data))))
        target.unlink(missing_ok=True)
        line = last.events[-1].model_dump_json().encode() + b"\n"
        self.append.append((done, floor_append(folder, [line] * FLOOR_WRITES, fsync=True)))

    @staticmethod
    def within(samples: list[tuple[int, float]], first: int, last: int) -> list[float]:
        return [seconds for done, seconds in samples if first <= done <= last]


def _write(root: Path, mode: Durability, tasks: int, every: int) -> tuple[Path, str, list[float], _Floors]:
    """Write the session (the strict one into the data sets, for `read_scale`); returns its timings and floors."""
    name = datasets.session_name(tasks)
    keep = mode is Durability.STRICT and datasets.data_root() is not None
    project = datasets.fresh_project(name) if keep else None
    if project is None:
        project = root / mode.value
        project.mkdir(mode=0o700)
    floors = _Floors(every)
    folder: list[Path] = []

    def between(done: int, last: TaskLog) -> None:
        if not folder:
            folder.append(LogReader(project).paths.tasks_dir(last.session_id))
        floors.measure(done, last, folder[0])

    session_id, seconds = write_session(project, tasks, mode, between)
    if keep:
        datasets.save(name, session_id, tasks)
    return project, session_id, seconds, floors


def _check(project: Path, session_id: str, tasks: int) -> None:
    """The session reads back with exactly the rows written, every one terminal."""
    entries = LogReader(project).read_session_index(session_id).entries
    numbers = [int(entry.task_id.split("-")[1]) for entry in entries]
    if numbers != list(range(1, tasks + 1)) or not all(entry.status.is_terminal for entry in entries):
        raise RuntimeError(f"{session_id}: read back {len(entries)} rows, wrote {tasks} terminal tasks")


def _mode(root: Path, mode: Durability, tasks: int, block: int, every: int) -> list[Figure]:
    project, session_id, seconds, floors = _write(root, mode, tasks, every)
    _check(project, session_id, tasks)
    first, last = seconds[:block], seconds[-block:]
    first_floor = floors.within(floors.atomic, 1, block)
    last_floor = floors.within(floors.atomic, tasks - block + 1, tasks)
    append_ms = statistics.median(s for _, s in floors.append) * 1000
    label = "one atomic durable write (temp + write + fsync + rename + folder fsync) of the final snapshot"
    note = (f"{tasks:,} tasks × {EVENTS_PER_TASK} events, {sum(seconds):.0f} s in all; per task: create, start, "
            f"{EVENTS_PER_TASK} output events, finish; write + fsync of one journal line: {append_ms:.3g} ms")
    target = Target(MAX_FLOORS[mode], of="ratio")
    growth = statistics.median(last) / statistics.median(first)
    floor_drift = statistics.median(last_floor) / statistics.median(first_floor)
    return [
        figure(NAME, f"{mode.value}: ms/task, first {block:,}", "ms/task", [s * 1000 for s in first],
               [s * 1000 for s in first_floor], label, target=target, note=note),
        figure(NAME, f"{mode.value}: ms/task, last {block:,}", "ms/task", [s * 1000 for s in last],
               [s * 1000 for s in last_floor], label, target=target),
        figure(NAME, f"{mode.value}: last {block:,} / first {block:,}", "×", [growth], [floor_drift],
               "the same ratio for the floor (how much the disk itself drifted)", target=Target(MAX_GROWTH),
               note="median ms/task of the last block over the first; runs = 1 session"),
    ]


def run(quick: bool) -> list[Figure]:
    tasks, block, every = (30, 10, 10) if quick else (10_000, 1_000, 50)
    with scratch(NAME) as root:
        return [*_mode(root, Durability.STRICT, tasks, block, every),
                *_mode(root, Durability.NORMAL, tasks, block, every)]
