"""A session index of 10,000 tasks, written one row change at a time, reads back exactly; old sessions still read."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLogEntry, TaskStatus
from runner.logs.store import LogReader, global_index, index_journal, indexes, session_rows
from runner.logs.view_limit import DEFAULT_LIMIT
from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent

TASKS = 10_000
V1_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "logs_v1"
V1_ENDED, V1_CRASHED = "sess-20261127-001", "sess-20261127-002"


def _row(number: int, status: TaskStatus) -> TaskLogEntry:
    terminal = status.is_terminal
    return TaskLogEntry(
        task_id=f"task-{number:03d}", external_task_id=f"task-{1_800_000_000_000 + number}",
        thread_id=f"thr-{(number + 1) // 2:03d}", run_id=f"run-{(number + 1) // 2:03d}", status=status,
        started_at="2026-01-12T10:00:00.000Z", updated_at="2026-01-12T10:00:01.000Z",
        ended_at="2026-01-12T10:00:02.000Z" if terminal else None, prompt_summary=f"task number {number}",
        executor="shell", files_modified_count=number % 3, duration_ms=2000 if terminal else None,
        error_reason="it failed" if status is TaskStatus.ERROR else None, event_count=12,
        first_event_type=EventType.USER_INPUT,
        last_event_type=EventType.TASK_COMPLETE if terminal else EventType.EXECUTOR_OUTPUT)


def test_reads_at_10000_tasks_return_exactly_the_rows_written(tmp_path: Path) -> None:
    """30,000 row changes (queued, running, terminal per task) through the writer, with its compactions in
    between, read back as exactly the 10,000 final rows: in-process, after the cache is dropped, and by the CLI."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    rows = manager._rows  # noqa: SLF001 - the store's own writer, without 10,000 task files
    assert rows is not None
    final: list[TaskLogEntry] = []
    compactions = 0
    with manager._ctx.locks.session(session_id):  # noqa: SLF001
        for number in range(1, TASKS + 1):
            end = (TaskStatus.COMPLETE, TaskStatus.ERROR, TaskStatus.INCOMPLETE)[number % 3]
            for status in (TaskStatus.QUEUED, TaskStatus.RUNNING, end):
                generation = rows._generation  # noqa: SLF001
                rows.record_locked(_row(number, status), sync=False)
                compactions += rows._generation != generation  # noqa: SLF001
            final.append(_row(number, end))
    assert compactions >= 5  # the journal was folded into new snapshots along the way
    expected = [orjson.loads(indexes.entry_bytes(entry)) for entry in final]
    reader = LogReader(tmp_path)
    assert reader.read_session_rows(session_id) == expected
    index_journal._cache.clear()  # noqa: SLF001 - read the files again, not the cache
    assert reader.read_session_rows(session_id) == expected
    assert reader.read_session_index(session_id).entries == final and not reader.last_rebuilt
    (summary,) = reader.list_sessions()
    assert (summary.task_count, summary.counts.complete, summary.counts.error) == (TASKS, 3333, 3334)
    tail = reader.read_session_tail(session_id, 50)  # the end of the snapshot, and the journal since
    assert tail is not None and tail.rows == expected[-50:] and tail.total == TASKS
    assert (tail.counts["complete"], tail.counts["incomplete"], tail.counts["error"]) == (3333, 3333, 3334)
    listed = orjson.loads(run_pm(["logs", "list", "--all", "--json"], cwd=tmp_path, timeout=120).stdout)
    assert [row["task_id"] for row in listed["tasks"]] == [entry.task_id for entry in final]
    assert [row["status"] for row in listed["tasks"]] == [entry.status.value for entry in final]
    assert listed["omitted"] == 0 and listed["counts"]["total"] == TASKS
    newest = orjson.loads(run_pm(["logs", "list", "--json"], cwd=tmp_path, timeout=120).stdout)
    assert newest["tasks"] == listed["tasks"][-DEFAULT_LIMIT:]
    assert newest["counts"] == listed["counts"] and newest["omitted"] == TASKS - DEFAULT_LIMIT
    manager.close()


def test_a_manager_session_reads_back_row_for_row_across_compactions(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks through the whole manager lifecycle, compacting every 8 row changes: the files say what memory says."""
    monkeypatch.setattr(session_rows, "COMPACT_MIN_LINES", 8)
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    previous = None
    for number in range(60):
        task = manager.create_task(f"task {number}", thread_id=previous if number % 3 else None)
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": str(number)})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
        previous = task.thread_id
    in_memory = manager.entries()
    index_journal._cache.clear()  # noqa: SLF001
    assert LogReader(tmp_path).read_session_index(session_id).entries == in_memory
    assert len(list(manager.paths.session_dir(session_id).glob("index.*.jsonl"))) == 1  # old journals removed
    manager.close()
    assert len(assert_logs_consistent(tmp_path)) == 60


def _copy_v1(tmp_path: Path) -> Path:
    shutil.copytree(V1_FIXTURE / ".claude", tmp_path / ".claude")
    return tmp_path


def test_a_session_written_before_index_journals_is_read_as_it_is(tmp_path: Path) -> None:
    """The pre-journal layout (whole index files, global rows without `ended_at`) lists, counts and shows."""
    project = _copy_v1(tmp_path)
    reader = LogReader(project)
    rows = {row.session_id: row for row in reader.list_sessions()}
    assert (rows[V1_ENDED].task_count, rows[V1_ENDED].counts.complete, rows[V1_ENDED].counts.error) == (2, 1, 1)
    assert rows[V1_ENDED].ended_at is not None  # taken from its session.json, and written back once
    assert rows[V1_CRASHED].counts.running == 1 and rows[V1_CRASHED].ended_at is None
    stored = global_index.read_global_index(reader.paths)
    assert stored is not None and {r.session_id: r.ended_at for r in stored.sessions}[V1_ENDED] is not None
    entries = reader.read_session_index(V1_ENDED).entries
    assert [(e.task_id, e.status) for e in entries] == [("task-001", TaskStatus.COMPLETE),
                                                        ("task-002", TaskStatus.ERROR)]
    assert reader.read_session_rows(V1_ENDED)[1]["error_reason"] == "Executor exited with code 1"
    shown = run_pm(["logs", "list", "--session", V1_ENDED], cwd=project).stdout
    assert "task-001" in shown and "COMPLETE" in shown and "2 tasks: 1 complete, 1 error" in shown


def test_a_session_written_before_index_journals_is_recovered_and_continued(tmp_path: Path) -> None:
    """Recovery closes the old session's running task; continuing the other one migrates its index once."""
    project = _copy_v1(tmp_path)
    manager = TaskLogManager(project, durability=Durability.STRICT)
    opened = manager.open_session(executor="shell")
    assert opened.recovered == [f"{V1_CRASHED}/task-001"]
    manager.close()
    manager.continue_session(V1_ENDED)
    task = manager.create_task("a task in an old session")
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    snapshot = orjson.loads((project / ".claude/logs/sessions" / V1_ENDED / "index.json").read_bytes())
    assert snapshot["journal"] >= 1  # written in the journal layout from the first change on
    entries = LogReader(project).read_session_index(V1_ENDED).entries
    assert [(e.task_id, e.status) for e in entries] == [("task-001", TaskStatus.COMPLETE),
                                                        ("task-002", TaskStatus.ERROR),
                                                        ("task-003", TaskStatus.COMPLETE)]
    crashed = LogReader(project).read_session_index(V1_CRASHED).entries
    assert [(e.task_id, e.status) for e in crashed] == [("task-001", TaskStatus.ERROR)]
    assert len(assert_logs_consistent(project)) == 4
