"""Atomic durable writes, the journal and snapshot + journal reads, with real files and real fsync."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from runner.logs.models import EventType, LogEvent, TaskLog, TaskStatus, Visibility
from runner.logs.store import safe_files
from runner.logs.store.codec import dumps, event_line, parse_task_log
from runner.logs.store.journal import Journal, load_task, merge_events, read_journal

SESSION = "sess-20250101-001"
TASK = "task-001"


def _event(number: int, text: str = "line") -> LogEvent:
    return LogEvent(event_id=f"evt-{number:04d}", event_type=EventType.EXECUTOR_OUTPUT,
                    timestamp="2025-01-01T00:00:00.000Z", visibility=Visibility.FULL, content={"line": text})


def _log(events: int, status: TaskStatus = TaskStatus.RUNNING) -> TaskLog:
    return TaskLog(session_id=SESSION, task_id=TASK, external_task_id="task-1735689600000", thread_id="thr-001",
                   run_id="run-001", status=status, started_at="2025-01-01T00:00:00.000Z",
                   prompt_summary="p", events=[_event(n) for n in range(1, events + 1)])


class FsyncCounter:
    """Counts real fsync calls, optionally failing them with EIO."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self._real = os.fsync
        monkeypatch.setattr(os, "fsync", self)

    def __call__(self, fd: int) -> None:
        self.calls += 1
        if self.fail:
            raise OSError(errno.EIO, "Input/output error")
        self._real(fd)


def test_durable_write_fsyncs_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A durable atomic write fsyncs the temp file and the folder; a non-durable one fsyncs nothing."""
    counter = FsyncCounter(monkeypatch)
    safe_files.write_atomic(tmp_path / "a.json", b"1", durable=True)
    assert counter.calls == 2
    safe_files.write_atomic(tmp_path / "a.json", b"2", durable=False)
    assert counter.calls == 2


def test_failed_fsync_leaves_old_snapshot_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When fsync fails the error propagates, the old file is intact and the temp file is gone."""
    target = tmp_path / f"{TASK}.json"
    safe_files.write_atomic(target, dumps(_log(2)), durable=True)
    FsyncCounter(monkeypatch, fail=True)
    with pytest.raises(OSError):
        safe_files.write_atomic(target, dumps(_log(5)), durable=True)
    assert len(parse_task_log(target.read_bytes()).events) == 2
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_failed_write_leaves_old_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write error (disk full) mid-snapshot never replaces the old file."""
    target = tmp_path / f"{TASK}.json"
    safe_files.write_atomic(target, dumps(_log(1)), durable=False)

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        safe_files.write_atomic(target, dumps(_log(3)), durable=True)
    monkeypatch.undo()
    assert len(parse_task_log(target.read_bytes()).events) == 1


def test_journal_lines_round_trip(tmp_path: Path) -> None:
    """Appended events read back in order, one orjson line each."""
    journal = Journal(tmp_path / "j.jsonl")
    for n in range(1, 4):
        journal.append(event_line(_event(n)), sync=False)
    journal.close()
    assert [e.event_id for e in read_journal(tmp_path / "j.jsonl")] == ["evt-0001", "evt-0002", "evt-0003"]
    assert (tmp_path / "j.jsonl").read_bytes().count(b"\n") == 3


def test_torn_last_journal_line_is_ignored(tmp_path: Path) -> None:
    """A journal whose last line was cut mid-write yields every complete event and nothing else."""
    path = tmp_path / "j.jsonl"
    path.write_bytes(event_line(_event(1)) + b"\n" + event_line(_event(2)) + b"\n" + event_line(_event(3))[:17])
    assert [e.event_id for e in read_journal(path)] == ["evt-0001", "evt-0002"]


def test_reopened_journal_fences_off_a_torn_tail(tmp_path: Path) -> None:
    """Appending after a torn tail starts a new line, so the new event is not glued to the garbage."""
    path = tmp_path / "j.jsonl"
    path.write_bytes(event_line(_event(1)) + b"\n" + b'{"event_id": "evt-00')
    journal = Journal(path)
    journal.append(event_line(_event(2)), sync=True)
    journal.close()
    assert [e.event_id for e in read_journal(path)] == ["evt-0001", "evt-0002"]


def test_strict_journal_append_fsyncs_each_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sync=True` fsyncs every append; `sync=False` never does."""
    journal = Journal(tmp_path / "j.jsonl")
    journal.open()
    counter = FsyncCounter(monkeypatch)
    for n in range(1, 6):
        journal.append(event_line(_event(n)), sync=True)
    assert counter.calls == 5
    for n in range(6, 9):
        journal.append(event_line(_event(n)), sync=False)
    assert counter.calls == 5
    journal.close()


def test_merge_keeps_snapshot_and_adds_only_new_journal_events() -> None:
    """Events already in the snapshot are not repeated; newer journal events follow in order."""
    merged = merge_events([_event(1), _event(2)], [_event(2), _event(3), _event(3), _event(4)])
    assert [e.event_id for e in merged] == ["evt-0001", "evt-0002", "evt-0003", "evt-0004"]


def test_reader_merges_journal_into_running_task(tmp_path: Path) -> None:
    """A running task reads as its snapshot plus the journal lines written since."""
    snapshot, journal_path = tmp_path / f"{TASK}.json", tmp_path / f"{TASK}.events.jsonl"
    safe_files.write_atomic(snapshot, dumps(_log(2)), durable=False)
    journal = Journal(journal_path)
    for n in (3, 4):
        journal.append(event_line(_event(n)), sync=False)
    journal.close()
    log = load_task(snapshot, journal_path, session_id=SESSION, task_id=TASK)
    assert isinstance(log, TaskLog)
    assert [e.event_id for e in log.events] == ["evt-0001", "evt-0002", "evt-0003", "evt-0004"]


def test_snapshot_replaced_but_journal_not_truncated_dedupes(tmp_path: Path) -> None:
    """A crash between a checkpoint's snapshot replace and its journal truncate loses and repeats nothing."""
    snapshot, journal_path = tmp_path / f"{TASK}.json", tmp_path / f"{TASK}.events.jsonl"
    journal = Journal(journal_path)
    for n in (2, 3):
        journal.append(event_line(_event(n)), sync=False)
    journal.close()
    safe_files.write_atomic(snapshot, dumps(_log(3)), durable=True)  # the checkpoint, journal left full
    log = load_task(snapshot, journal_path, session_id=SESSION, task_id=TASK)
    assert isinstance(log, TaskLog)
    assert [e.event_id for e in log.events] == ["evt-0001", "evt-0002", "evt-0003"]


def test_snapshot_that_does_not_parse_is_a_corrupted_log(tmp_path: Path) -> None:
    """Garbage in a task file reads as CorruptedLog whose reason does not quote the file's content."""
    snapshot = tmp_path / f"{TASK}.json"
    snapshot.write_bytes(b'{"session_id": "sk-secret-looking-content-123456", "task_id": ')
    result = load_task(snapshot, tmp_path / "none.jsonl", session_id=SESSION, task_id=TASK)
    assert not isinstance(result, TaskLog)
    assert result.message == "Log file corrupted"
    assert "sk-secret" not in result.reason


def test_snapshot_of_another_task_is_corrupted(tmp_path: Path) -> None:
    """A file holding a different task than its name says is not trusted."""
    snapshot = tmp_path / "task-002.json"
    safe_files.write_atomic(snapshot, dumps(_log(1)), durable=False)
    result = load_task(snapshot, tmp_path / "none.jsonl", session_id=SESSION, task_id="task-002")
    assert not isinstance(result, TaskLog)
