"""LogReader: listing, rebuilding missing or corrupted indexes, corrupted task files, id resolution."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from runner.errors import InvalidIdError, NotFoundError
from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import (
    CorruptedLog,
    ErrorCode,
    EventType,
    ExecutorInfo,
    SessionIndex,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
)
from runner.logs.store import LogReader
from runner.logs.store.codec import dumps_session_index
from tests.helpers.cpu_time import best_cpu_time


def _session_with_tasks(root: Path, outcomes: list[TaskStatus]) -> tuple[str, list[TaskLog]]:
    manager = TaskLogManager(root)
    session_id = manager.open_session(executor="shell").session_id
    logs = []
    for n, status in enumerate(outcomes):
        task = manager.create_task(f"task number {n}")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(root))
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"out {n}"})
        failed = status is not TaskStatus.COMPLETE
        logs.append(manager.finish_task(task.task_id, TaskOutcome(
            status=status, error_reason="it failed" if failed else None,
            error_code=ErrorCode.EXECUTOR_FAILED if failed else None)))
    manager.close()
    return session_id, logs


def test_lists_sessions_with_counts(tmp_path: Path) -> None:
    """The global index has one row per session with its counts by status."""
    first, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE, TaskStatus.ERROR])
    second, _ = _session_with_tasks(tmp_path, [TaskStatus.INCOMPLETE])
    reader = LogReader(tmp_path)
    rows = reader.list_sessions()
    assert [r.session_id for r in rows] == [first, second]
    assert (rows[0].task_count, rows[0].counts.complete, rows[0].counts.error) == (2, 1, 1)
    assert rows[1].counts.incomplete == 1
    assert reader.latest_session_id() == second
    assert reader.last_rebuilt is False


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"updated_at": "yesterday", "sessions": 3}'])
def test_corrupted_global_index_is_rebuilt_and_rewritten(tmp_path: Path, damage: bytes) -> None:
    """A global index that is empty, torn or invalid is rebuilt from the session folders and saved."""
    session_id, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE, TaskStatus.ERROR])
    index_path = tmp_path / ".claude" / "logs" / "index.json"
    index_path.write_bytes(damage)
    reader = LogReader(tmp_path)
    rows = reader.list_sessions()
    assert reader.last_rebuilt is True
    assert [(r.session_id, r.task_count, r.counts.error) for r in rows] == [(session_id, 2, 1)]
    assert orjson.loads(index_path.read_bytes())["sessions"][0]["session_id"] == session_id
    reader.list_sessions()
    assert reader.last_rebuilt is False


def test_latest_session_reads_the_ids_as_stored_and_rebuilds_an_index_without_valid_ids(tmp_path: Path) -> None:
    """The latest session comes from the global index's ids as stored; a row without a valid id sends
    the index through the models, which rebuild it from the session folders."""
    _session_with_tasks(tmp_path, [TaskStatus.COMPLETE])
    second, _ = _session_with_tasks(tmp_path, [TaskStatus.ERROR])
    reader = LogReader(tmp_path)
    assert reader.latest_session_id() == second and reader.last_rebuilt is False
    index_path = tmp_path / ".claude" / "logs" / "index.json"
    index_path.write_bytes(orjson.dumps({"updated_at": "2025-01-12T11:31:00.000Z",
                                         "sessions": [{"session_id": "../../elsewhere"}]}))
    assert reader.latest_session_id() == second and reader.last_rebuilt is True
    assert [row["session_id"] for row in orjson.loads(index_path.read_bytes())["sessions"]][-1] == second


def test_global_index_missing_a_session_is_rebuilt(tmp_path: Path) -> None:
    """A session folder with no row in the global index (a stale index) triggers a rebuild."""
    first, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE])
    index_path = tmp_path / ".claude" / "logs" / "index.json"
    stale = index_path.read_bytes()
    second, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE])
    index_path.write_bytes(stale)
    assert [r.session_id for r in LogReader(tmp_path).list_sessions()] == [first, second]


@pytest.mark.parametrize("damage", [None, b"", b"[1, 2", b'{"session_id": "sess-20250101-001"}'])
def test_corrupted_session_index_is_rebuilt_from_task_files(tmp_path: Path, damage: bytes | None) -> None:
    """A missing or broken session index is rebuilt from the task files, rows equal to the originals."""
    session_id, logs = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE, TaskStatus.ERROR, TaskStatus.INCOMPLETE])
    reader = LogReader(tmp_path)
    original = reader.read_session_index(session_id).entries
    index_path = tmp_path / ".claude" / "logs" / "sessions" / session_id / "index.json"
    if damage is None:
        index_path.unlink()
    else:
        index_path.write_bytes(damage)
    rebuilt = reader.read_session_index(session_id)
    assert reader.last_rebuilt is True
    assert [e.model_dump() for e in rebuilt.entries] == [e.model_dump() for e in original]
    assert SessionIndex.model_validate_json(index_path.read_bytes()).entries == rebuilt.entries


def test_corrupted_task_file_reads_as_corrupted_and_the_rest_still_lists(tmp_path: Path) -> None:
    """One broken task file yields CorruptedLog; other tasks read fine; a rebuilt index marks it error."""
    session_id, logs = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE, TaskStatus.COMPLETE])
    tasks = tmp_path / ".claude" / "logs" / "sessions" / session_id / "tasks"
    (tasks / "task-001.json").write_bytes(b'{"session_id": "sess-')
    reader = LogReader(tmp_path)
    broken = reader.read_task(session_id, "task-001")
    assert isinstance(broken, CorruptedLog) and broken.message == "Log file corrupted"
    assert isinstance(reader.read_task(session_id, "task-002"), TaskLog)
    assert [e.task_id for e in reader.read_session_index(session_id).entries] == ["task-001", "task-002"]
    (tasks.parent / "index.json").unlink()
    rows = reader.read_session_index(session_id).entries
    assert [(e.task_id, e.status) for e in rows] == [("task-001", TaskStatus.ERROR), ("task-002", TaskStatus.COMPLETE)]
    assert rows[0].error_reason is not None and "corrupted" in rows[0].error_reason
    assert reader.list_sessions()[0].task_count == 2


def test_resolve_task_accepts_internal_external_and_bare_numbers(tmp_path: Path) -> None:
    """`task-NNN`, `NNN` and `task-<epoch-ms>` resolve to the same internal id; unknown and malformed do not."""
    session_id, logs = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE, TaskStatus.COMPLETE])
    reader = LogReader(tmp_path)
    for log in logs:
        assert reader.resolve_task(session_id, log.task_id) == log.task_id
        assert reader.resolve_task(session_id, log.external_task_id) == log.task_id
    assert reader.resolve_task(session_id, "2") == "task-002"
    with pytest.raises(NotFoundError) as caught:
        reader.resolve_task(session_id, "task-009")
    assert caught.value.hint
    with pytest.raises(NotFoundError):
        reader.resolve_task(session_id, "task-1111111111111")
    with pytest.raises(InvalidIdError):
        reader.resolve_task(session_id, "task-001/../../")


def test_unknown_session_and_task_are_not_found(tmp_path: Path) -> None:
    """Reading a session or task that does not exist is NotFoundError with a hint."""
    session_id, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE])
    reader = LogReader(tmp_path)
    assert reader.session_exists(session_id) and not reader.session_exists("sess-19990101-001")
    with pytest.raises(NotFoundError):
        reader.read_session_index("sess-19990101-001")
    with pytest.raises(NotFoundError):
        reader.read_task(session_id, "task-050")
    assert reader.read_session_meta(session_id).executor == "shell"


def _big_index(session_id: str, rows: int) -> SessionIndex:
    entries = [
        TaskLogEntry(task_id=f"task-{n:03d}", external_task_id=f"task-{1735689600000 + n}", thread_id=f"thr-{n:03d}",
                     run_id=f"run-{n:03d}", status=TaskStatus.COMPLETE, started_at="2025-01-01T00:00:00.000Z",
                     ended_at="2025-01-01T00:00:09.000Z", updated_at="2025-01-01T00:00:09.000Z",
                     prompt_summary="add a test for the parser and fix the failing edge case " * 1,
                     executor="claude-code", model="sonnet", files_modified_count=2, duration_ms=9000,
                     cost_usd=0.02, event_count=12, first_event_type=EventType.USER_INPUT,
                     last_event_type=EventType.TASK_COMPLETE)
        for n in range(1, rows + 1)
    ]
    return SessionIndex(session_id=session_id, updated_at="2025-01-01T00:00:09.000Z", entries=entries)


def test_listing_10k_rows_costs_a_small_multiple_of_parsing_json(tmp_path: Path) -> None:
    """Reading a 10,000-row session index stays within 10x a bare orjson parse of it, and a re-read is cached."""
    session_id, _ = _session_with_tasks(tmp_path, [TaskStatus.COMPLETE])
    path = tmp_path / ".claude" / "logs" / "sessions" / session_id / "index.json"
    data = dumps_session_index(_big_index(session_id, 10_000))
    path.write_bytes(data)
    reader = LogReader(tmp_path)
    bare = best_cpu_time(lambda: orjson.loads(data))

    def cold() -> None:
        path.write_bytes(data)  # a new mtime defeats the parse cache
        assert len(reader.read_session_index(session_id).entries) == 10_000

    cold_read = best_cpu_time(cold)
    warm_read = best_cpu_time(lambda: reader.read_session_index(session_id))
    assert cold_read < 10 * bare, (cold_read, bare)
    assert warm_read < cold_read / 5, (warm_read, cold_read)
