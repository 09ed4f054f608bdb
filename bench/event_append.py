"""`event_append`: `TaskLogManager.add_event` per event, strict and normal, against bare appends of the same bytes.

Each run appends a batch of realistic output events (masking on, checkpoints included) to a
fresh running task; the floor then appends the very journal lines those events became to a
fresh file in the same folder: `os.write` + `os.fsync` per line (strict), `os.write` (normal).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.harness import Figure, Target, figure, floor_append, scratch
from bench.sample_data import output_lines
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.store import codec

NAME = "event_append"
STRICT_MAX_RATIO = 1.3
NORMAL_MIN_RATE = 50_000


def _append_run(manager: TaskLogManager, lines: list[str], *, fsync: bool) -> tuple[float, float]:
    """(seconds per event through the manager, seconds per event for the bare floor) for one batch."""
    task = manager.create_task("bench: stream output")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"),
                       verification_root=str(manager.paths.project_root))
    first = len(manager.get_task(task.task_id).events)
    started = time.perf_counter()
    for line in lines:
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
    per_event = (time.perf_counter() - started) / len(lines)
    events = manager.get_task(task.task_id).events[first:]
    if len(events) != len(lines):
        raise RuntimeError(f"{len(lines)} events appended but {len(events)} recorded")
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    journal_bytes = [codec.event_line(event) + b"\n" for event in events]
    assert manager.session_id is not None
    floor = floor_append(manager.paths.tasks_dir(manager.session_id), journal_bytes, fsync=fsync)
    return per_event, floor


def _mode(root: Path, mode: Durability, events: int, runs: int) -> list[Figure]:
    project = root / mode.value
    project.mkdir(mode=0o700)
    manager = TaskLogManager(project, durability=mode)
    manager.open_session(executor="shell")
    strict = mode is Durability.STRICT
    try:
        _append_run(manager, output_lines(min(events, 50), seed=99), fsync=strict)  # warm-up
        pairs = [_append_run(manager, output_lines(events, seed=run), fsync=strict) for run in range(runs)]
    finally:
        manager.close()
    micros = [seconds * 1e6 for seconds, _ in pairs]
    floor_micros = [floor * 1e6 for _, floor in pairs]
    floor_label = "bare os.write + os.fsync per line" if strict else "bare os.write per line"
    note = f"{events} realistic output events per run, masking on, checkpoints every 256 events included"
    per_event_target = Target(STRICT_MAX_RATIO, of="ratio") if strict else None
    rate_target = None if strict else Target(NORMAL_MIN_RATE, at_most=False)
    return [
        figure(NAME, f"{mode.value}: time per event", "µs/event", micros, floor_micros, floor_label,
               target=per_event_target, note=note),
        figure(NAME, f"{mode.value}: events per second", "events/s", [1e6 / m for m in micros],
               [1e6 / f for f in floor_micros], floor_label, target=rate_target, higher_is_better=True),
    ]


def run(quick: bool) -> list[Figure]:
    runs = 2 if quick else 5
    with scratch(NAME) as root:
        return [*_mode(root, Durability.STRICT, 30 if quick else 200, runs),
                *_mode(root, Durability.NORMAL, 200 if quick else 1000, runs)]
