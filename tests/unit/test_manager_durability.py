"""Durability modes, write budget, checkpoints, and what happens when the disk fails (fail-closed rules)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runner.errors import LogWriteFatalError
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLog, TaskStatus
from runner.logs.store import LogReader, safe_files
from runner.logs.store.journal import Journal, read_journal
from runner.views.notices import notice_text


class Counters:
    """Counts real fsyncs and atomic writes (durable or not) made through the store."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fsyncs = 0
        self.durable_writes = 0
        self.file_synced_writes = 0  # the file fsynced, not the folder (the rename)
        self.plain_writes = 0
        real_fsync, real_write = os.fsync, safe_files.write_atomic

        def fsync(fd: int) -> None:
            self.fsyncs += 1
            real_fsync(fd)

        def write_atomic(path: Path, data: bytes, *, durable: bool, sync_folder: bool | None = None) -> None:
            if durable and sync_folder is not False:
                self.durable_writes += 1
            elif durable:
                self.file_synced_writes += 1
            else:
                self.plain_writes += 1
            real_write(path, data, durable=durable, sync_folder=sync_folder)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(safe_files, "write_atomic", write_atomic)

    def snapshot(self) -> tuple[int, int]:
        return self.fsyncs, self.durable_writes


def _run_one_task(manager: TaskLogManager, root: Path, events: int = 10,
                  between: Callable[[int], None] | None = None) -> TaskLog:
    task = manager.create_task("benchmark task")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(root))
    for n in range(events):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"line {n}"})
        if between is not None:
            between(n)
    return manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))


def test_strict_mode_fsyncs_every_append_and_stays_within_two_durable_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Strict: each event append is fsynced; create → running → 10 events → terminal costs 2 durable snapshot
    writes (queued, terminal), the running snapshot with its file fsynced (not its folder), and 2 fsynced
    index-journal lines (registration, terminal row): 17 fsyncs."""
    manager = TaskLogManager(tmp_path, durability=Durability.STRICT)
    manager.open_session()
    counters = Counters(monkeypatch)
    seen: list[tuple[int, int]] = []
    _run_one_task(manager, tmp_path, between=lambda _n: seen.append(counters.snapshot()))
    per_event = [b[0] - a[0] for a, b in zip(seen, seen[1:], strict=False)]
    assert per_event == [1] * 9  # one fsync per append, no durable snapshot between
    assert (counters.durable_writes, counters.file_synced_writes, counters.plain_writes) == (2, 1, 0)
    assert counters.fsyncs == 10 + 2 * counters.durable_writes + counters.file_synced_writes + 2 == 17
    manager.close()


def test_a_lost_running_rename_loses_no_event(tmp_path: Path) -> None:
    """Strict: the running snapshot's rename is not fsynced, so a power cut may leave the queued snapshot;
    that snapshot and the journal (kept at running) still hold every event written before and after."""
    manager = TaskLogManager(tmp_path, durability=Durability.STRICT)
    session_id = manager.open_session().session_id
    task = manager.create_task("t")
    snapshot = manager.paths.task_snapshot(session_id, task.task_id)
    queued = snapshot.read_bytes()
    manager.add_event(task.task_id, EventType.EXECUTOR_PROGRESS, {"message": "before running"})
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "after running"})
    expected = [event.event_id for event in manager.get_task(task.task_id).events]
    snapshot.write_bytes(queued)  # the rename the power cut lost
    log = LogReader(tmp_path).read_task(session_id, task.task_id)
    assert isinstance(log, TaskLog) and log.status is TaskStatus.QUEUED
    assert [event.event_id for event in log.events] == expected == ["evt-0001", "evt-0002", "evt-0003"]
    manager.close()


def test_normal_mode_fsyncs_only_at_the_terminal_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Normal: nothing is fsynced while the task runs; the terminal snapshot and its index row are. The queued
    and running states are journal lines, so the terminal snapshot is the task's only atomic write."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session()
    counters = Counters(monkeypatch)
    seen: list[tuple[int, int]] = []
    _run_one_task(manager, tmp_path, between=lambda _n: seen.append(counters.snapshot()))
    assert seen[-1] == (0, 0)
    assert (counters.durable_writes, counters.file_synced_writes, counters.plain_writes) == (1, 0, 0)
    assert counters.fsyncs == 2 + 1  # its file and folder, then the index-journal line of its row
    manager.close()


def test_checkpoint_moves_journal_into_snapshot(tmp_path: Path) -> None:
    """Every N events the snapshot takes the journal's events and the journal is emptied; reads see all."""
    manager = TaskLogManager(tmp_path)
    manager.CHECKPOINT_EVENTS = 4
    session_id = manager.open_session().session_id
    task = manager.create_task("t")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    journal = manager.paths.task_journal(session_id, task.task_id)
    snapshot = manager.paths.task_snapshot(session_id, task.task_id)
    for n in range(6):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": str(n)})
    assert len(read_journal(journal)) == 2
    assert len(TaskLog.model_validate_json(snapshot.read_bytes()).events) == 5
    log = LogReader(tmp_path).read_task(session_id, task.task_id)
    assert isinstance(log, TaskLog) and len(log.events) == 7
    manager.close()


def test_event_append_failure_warns_and_the_task_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EIO on every journal write: 3 tries, a WARNING, None returned, and the event still reaches the final log."""
    warnings: list[str] = []
    manager = TaskLogManager(tmp_path, on_warning=lambda notice: warnings.append(notice_text(notice)))
    session_id = manager.open_session().session_id
    task = manager.create_task("t")
    journal = manager.paths.task_journal(session_id, task.task_id)
    real_write = os.write
    attempts = 0

    def failing_write(fd: int, data: Any) -> int:
        nonlocal attempts
        if os.path.realpath(f"/proc/self/fd/{fd}") == str(journal):
            attempts += 1
            raise OSError(errno.EIO, "Input/output error")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    assert manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "lost?"}) is None
    assert attempts == 3
    assert len(warnings) == 1 and warnings[0].startswith("WARNING: could not append event evt-0002 to task-001")
    monkeypatch.setattr(os, "write", real_write)
    assert manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "after"}) == "evt-0003"
    log = manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    assert [e.content.get("line") for e in log.events[1:3]] == ["lost?", "after"]
    manager.close()


def test_terminal_save_failure_is_fatal_and_leaves_the_old_snapshot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the terminal snapshot cannot be fsynced, LogWriteFatalError is raised and the task still reads as running
    (normal mode: from its journal; no temp file is left behind)."""
    manager = TaskLogManager(tmp_path)
    session_id = manager.open_session().session_id
    task = manager.create_task("t")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    tries = 0

    def broken_fsync(fd: int) -> None:
        nonlocal tries
        tries += 1
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(LogWriteFatalError) as caught:
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    assert task.task_id in caught.value.message and caught.value.hint
    assert tries == 2  # rewritten from memory once, never re-fsynced on the same descriptor
    running = LogReader(tmp_path).read_task(session_id, task.task_id)
    assert isinstance(running, TaskLog) and running.status is TaskStatus.RUNNING
    tasks_dir = manager.paths.tasks_dir(session_id)
    assert sorted(p.name for p in tasks_dir.iterdir()) == ["task-001.events.jsonl"]
    monkeypatch.undo()
    manager.close()  # a last attempt at exit saves the outcome that was decided
    log = LogReader(tmp_path).read_task(session_id, task.task_id)
    assert isinstance(log, TaskLog) and log.status is TaskStatus.COMPLETE


@pytest.mark.parametrize("durability", [Durability.STRICT, Durability.NORMAL])
def test_registration_failure_is_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       durability: Durability) -> None:
    """When the queued state cannot be written (strict: its snapshot; normal: its journal line), create_task
    raises LogWriteFatalError (no unlogged task)."""
    manager = TaskLogManager(tmp_path, durability=durability)
    manager.open_session()

    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if durability is Durability.STRICT:
        monkeypatch.setattr(safe_files, "write_atomic", no_space)
    else:
        monkeypatch.setattr(Journal, "append", no_space)
    with pytest.raises(LogWriteFatalError):
        manager.create_task("t")
    monkeypatch.undo()
    manager.close()


def test_grouped_events_share_one_fsync_and_are_all_in_the_journal(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """In strict mode the output events of one read (added inside `grouped_sync`) are fsynced once,
    together, at its end; each is in the journal, and events outside a group are fsynced one by one."""
    manager = TaskLogManager(tmp_path, durability=Durability.STRICT)
    manager.open_session()
    task = manager.create_task("grouped")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    counters = Counters(monkeypatch)
    with manager.grouped_sync():
        for n in range(40):
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"line {n}"})
        assert counters.fsyncs == 0, "nothing is fsynced before the group ends"
    assert counters.fsyncs == 1
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "alone"})
    assert counters.fsyncs == 2
    journal = manager.paths.task_journal(manager.session_id or "", task.task_id)
    lines = [e.content["line"] for e in read_journal(journal) if e.event_type is EventType.EXECUTOR_OUTPUT]
    assert lines == [f"line {n}" for n in range(40)] + ["alone"]
    manager.close()
