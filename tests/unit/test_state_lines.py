"""Normal mode's queued and running states as journal state lines: what is on disk, what readers see.

A live task of normal mode has no snapshot file until its first checkpoint or its terminal state
(spec/durability.md): its journal's state line stands for it. Readers, recovery and rebuilds take
it; a session written before state lines (snapshot files only) reads as it did.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import ErrorCode, EventType, ExecutorInfo, TaskLog, TaskStatus
from runner.logs.store import LogReader, codec, indexes, sessions
from runner.logs.store.journal import read_journal_parts
from runner.logs.stored_task import StoredTask


def _manager(root: Path, durability: Durability = Durability.NORMAL) -> TaskLogManager:
    manager = TaskLogManager(root, durability=durability)
    manager.open_session(executor="claude-code")
    return manager


def _started(manager: TaskLogManager, root: Path, events: int = 2) -> str:
    task = manager.create_task("fix the parser")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="claude-code", model="sonnet"),
                       verification_root=str(root), timeout_ms=9000)
    for n in range(events):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": f"step {n}"})
    return task.task_id


def _task_files(manager: TaskLogManager) -> list[str]:
    assert manager.session_id is not None
    return sorted(p.name for p in manager.paths.tasks_dir(manager.session_id).iterdir())


def _abandon(manager: TaskLogManager) -> str:
    """The session as a runner that died left it: a dead pid, its owner lock let go."""
    session_id = manager.session_id
    assert session_id is not None
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    meta_path = manager.paths.session_meta(session_id)
    meta = orjson.loads(meta_path.read_bytes())
    meta["pid"] = dead.pid
    meta_path.write_bytes(orjson.dumps(meta))
    sessions.release_ownership(manager.paths, session_id)
    return session_id


def test_a_live_normal_task_is_its_journal_and_reads_as_running(tmp_path: Path) -> None:
    """Normal mode: create and start write no snapshot file; a reader sees the task running with its executor,
    verification root, timeout, start time and every event, in the validated read and the detail view's read."""
    manager = _manager(tmp_path)
    task_id = _started(manager, tmp_path)
    assert _task_files(manager) == [f"{task_id}.events.jsonl"]
    expected = manager.get_task(task_id)
    reader = LogReader(tmp_path)
    assert manager.session_id is not None
    for log in (reader.read_task(manager.session_id, task_id), reader.read_task_for_view(manager.session_id, task_id)):
        header = log.header if isinstance(log, StoredTask) else log
        assert isinstance(header, TaskLog)
        assert (header.status, header.executor, header.verification_root, header.timeout_ms, header.started_at) == (
            TaskStatus.RUNNING, expected.executor, str(tmp_path), 9000, expected.started_at)
    log = reader.read_task(manager.session_id, task_id)
    assert isinstance(log, TaskLog) and log.model_dump() == expected.model_dump()
    manager.close()


def test_strict_mode_keeps_its_snapshot_files(tmp_path: Path) -> None:
    """Strict mode still writes the queued and running snapshots (durable registration); no state line."""
    manager = _manager(tmp_path, Durability.STRICT)
    task_id = _started(manager, tmp_path)
    assert _task_files(manager) == [f"{task_id}.events.jsonl", f"{task_id}.json"]
    assert manager.session_id is not None
    _, state = read_journal_parts(manager.paths.task_journal(manager.session_id, task_id))
    assert state is None
    manager.close()


def test_a_checkpoint_before_start_is_overtaken_by_the_running_line(tmp_path: Path) -> None:
    """A queued snapshot written by a checkpoint, then a running state line: the reader sees the running state
    and every event once."""
    manager = _manager(tmp_path)
    manager.CHECKPOINT_EVENTS = 3
    task = manager.create_task("t")
    for n in range(4):
        manager.add_event(task.task_id, EventType.EXECUTOR_PROGRESS, {"message": f"before start {n}"})
    assert len(_task_files(manager)) == 2  # the checkpoint wrote the (queued) snapshot
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "after"})
    assert manager.session_id is not None
    log = LogReader(tmp_path).read_task(manager.session_id, task.task_id)
    assert isinstance(log, TaskLog) and log.status is TaskStatus.RUNNING and log.executor is not None
    assert [e.event_id for e in log.events] == [e.event_id for e in manager.get_task(task.task_id).events]
    assert len(log.events) == 6
    manager.close()


def test_a_stale_running_line_never_hides_the_terminal_snapshot(tmp_path: Path) -> None:
    """If the journal's truncation after the terminal snapshot is lost (a crash), its running line is older than
    the snapshot: the reader sees the terminal state."""
    manager = _manager(tmp_path)
    task_id = _started(manager, tmp_path)
    assert manager.session_id is not None
    journal = manager.paths.task_journal(manager.session_id, task_id)
    lines = journal.read_bytes()
    manager.finish_task(task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    journal.write_bytes(lines)  # the truncation the crash lost
    log = LogReader(tmp_path).read_task(manager.session_id, task_id)
    assert isinstance(log, TaskLog) and log.status is TaskStatus.COMPLETE
    assert [e.event_type for e in log.events][-1] is EventType.TASK_COMPLETE and len(log.events) == 4
    manager.close()


def test_recovery_closes_a_task_that_is_only_its_journal(tmp_path: Path) -> None:
    """A dead runner's normal-mode task (no snapshot file) is closed as crashed with its start, executor and
    events; a second one whose index row was never written is found by its journal alone."""
    dead = _manager(tmp_path)
    running = _started(dead, tmp_path, events=3)
    session_id = _abandon(dead)
    orphan = "task-002"
    queued = dead.get_task(running).model_copy(update={"task_id": orphan, "status": TaskStatus.QUEUED,
                                                        "events": dead.get_task(running).events[:1]})
    dead.paths.task_journal(session_id, orphan).write_bytes(codec.dumps_task_log(queued) + b"\n")
    recovered = TaskLogManager(tmp_path).recover_project()
    assert recovered == [(session_id, running), (session_id, orphan)]
    reader = LogReader(tmp_path)
    log = reader.read_task(session_id, running)
    assert isinstance(log, TaskLog) and (log.status, log.error_code) == (TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED)
    assert log.executor is not None and log.executor.name == "claude-code" and log.verification_root == str(tmp_path)
    assert [e.event_type for e in log.events] == [EventType.USER_INPUT] + [EventType.EXECUTOR_OUTPUT] * 3 + [
        EventType.RECOVERY_COMPLETE, EventType.TASK_ERROR]
    assert [row.task_id for row in reader.read_session_index(session_id).entries] == [running, orphan]


def test_a_journal_without_a_whole_state_line_is_no_task_and_its_number_stays_taken(tmp_path: Path) -> None:
    """A runner killed while writing the first line leaves a torn journal: readers and rebuilds skip it, and the
    next task does not reuse its number."""
    manager = _manager(tmp_path)
    first = manager.create_task("one").task_id
    assert manager.session_id is not None
    torn = manager.paths.task_journal(manager.session_id, "task-002")
    torn.write_bytes(codec.dumps_task_log(manager.get_task(first))[:40])
    rebuilt = indexes.rebuild_session_index(manager.paths, manager.session_id, "2026-01-01T00:00:00.000Z")
    assert [entry.task_id for entry in rebuilt.entries] == [first]
    assert manager.create_task("two").task_id == "task-003"
    manager.close()


@pytest.mark.parametrize("events", [0, 3])
def test_a_session_written_before_state_lines_reads_as_before(tmp_path: Path, events: int) -> None:
    """A live task as the previous code left it in normal mode (running snapshot file, journal of event lines
    only) reads the same: snapshot fields, its events and the journal's after them."""
    manager = _manager(tmp_path)
    task_id = _started(manager, tmp_path, events=events)
    assert manager.session_id is not None
    live = manager.get_task(task_id)
    snapshot_path = manager.paths.task_snapshot(manager.session_id, task_id)
    journal_path = manager.paths.task_journal(manager.session_id, task_id)
    old_snapshot = live.model_copy(update={"events": live.events[:1]})
    snapshot_path.write_bytes(codec.dumps(old_snapshot))
    journal_path.write_bytes(b"".join(codec.event_line(e) + b"\n" for e in live.events[1:]))
    os.chmod(snapshot_path, 0o600)
    log = LogReader(tmp_path).read_task(manager.session_id, task_id)
    assert isinstance(log, TaskLog) and log.model_dump() == live.model_dump()
    manager.close()
