"""The free-space reserve in the manager, on the real filesystem: a reserve larger than the free space
keeps output out of the log (counted, with a marker) while the task's own events and final save go on."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.logs import space
from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLog, TaskStatus
from runner.logs.store import LogReader


def test_output_past_the_reserve_is_counted_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With less free space than the reserve, output events and raw output are dropped and an EVENTS_DROPPED
    event (before the terminal event) says how many; the other events and the final save are kept."""
    free = space.free_bytes(tmp_path)
    assert free is not None
    monkeypatch.setattr(space, "CHECK_EVERY", 0)  # ask the kernel on every write
    manager = TaskLogManager(tmp_path)
    manager.open_session()
    task = manager.create_task("flood")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    assert manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "fits"}) is not None
    raw = manager.open_raw_log(task.task_id, "evt-0003")
    raw.write("first line fits\n")
    monkeypatch.setattr("runner.logs.manager.RESERVE_FLOOR", free * 4)  # the disk is now "nearly full"
    dropped = [manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"line {n}"}) for n in range(5)]
    raw.write("this line is not kept\n")
    raw.close()
    kept = manager.add_event(task.task_id, EventType.EVIDENCE_MISSING, {"files_missing": []})
    log = manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    assert dropped == [None] * 5 and kept is not None
    types = [event.event_type for event in log.events]
    assert types[-2:] == [EventType.EVENTS_DROPPED, EventType.TASK_COMPLETE]
    marker = log.events[-2].content
    assert marker["dropped"] == 5 and marker["raw_bytes_dropped"] == len("this line is not kept\n")
    assert [e.event_id for e in log.events] == [f"evt-{n:04d}" for n in range(1, len(log.events) + 1)]
    saved = LogReader(tmp_path).read_task(log.session_id, log.task_id)
    assert isinstance(saved, TaskLog) and saved.events[-2].event_type is EventType.EVENTS_DROPPED
    text = raw.path.read_text()
    assert text.startswith("first line fits\n") and "not kept: the disk holding the logs was nearly full" in text
    assert any("nearly full" in warning for warning in manager.warnings)
