"""TaskLogManager lifecycle: registration before anything, ids, threads and runs, events, terminal states."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from runner.errors import NotFoundError, StoreError
from runner.logs import allocation
from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import (
    ErrorCode,
    EventType,
    ExecutorInfo,
    Metrics,
    SessionIndex,
    TaskLog,
    TaskStatus,
    Visibility,
)
from runner.logs.parts import Evidence, RunFacts
from runner.logs.store import LogReader, indexes


@pytest.fixture
def manager(tmp_path: Path) -> TaskLogManager:
    made = TaskLogManager(tmp_path)
    made.open_session(executor="shell", model="m1")
    return made


def _session_dir(manager: TaskLogManager) -> Path:
    assert manager.session_id is not None
    return manager.paths.session_dir(manager.session_id)


def _read(manager: TaskLogManager, task_id: str) -> TaskLog:
    """The task as another process reads it from disk."""
    assert manager.session_id is not None
    log = LogReader(manager.paths.project_root).read_task(manager.session_id, task_id)
    assert isinstance(log, TaskLog)
    return log


def _disk_index(manager: TaskLogManager) -> SessionIndex:
    """The session index as stored: its snapshot merged with its index journal."""
    assert manager.session_id is not None
    index = indexes.read_session_index(manager.paths, manager.session_id)
    assert index is not None
    return index


def test_task_is_saved_queued_before_create_returns(manager: TaskLogManager) -> None:
    """create_task leaves the queued task (normal mode: its journal's state line), a session index row and
    global counts on disk, as a reader sees them."""
    task = manager.create_task("write the README")
    snapshot = _read(manager, "task-001")
    assert (snapshot.status, snapshot.task_id, snapshot.prompt_summary) == (TaskStatus.QUEUED, "task-001",
                                                                              "write the README")
    assert [e.event_type for e in snapshot.events] == [EventType.USER_INPUT]
    assert snapshot.events[0].content == {"prompt": "write the README"}
    assert [(e.task_id, e.status) for e in _disk_index(manager).entries] == [("task-001", TaskStatus.QUEUED)]
    summary = LogReader(manager.paths.project_root).list_sessions()[0]
    assert summary.counts.queued == 1 and summary.task_count == 1
    assert task.external_task_id.startswith("task-") and len(task.external_task_id) >= 18


def test_prompt_summary_is_cut_to_100_chars(manager: TaskLogManager) -> None:
    """A long prompt is kept whole in the input event but summarised to 100 characters."""
    task = manager.create_task("x" * 250)
    assert len(task.prompt_summary) == 100
    assert task.events[0].content["prompt"] == "x" * 250


def test_running_then_complete_with_index_fields(manager: TaskLogManager, tmp_path: Path) -> None:
    """start → running state on disk; finish → terminal snapshot and a full index row."""
    task = manager.create_task("do it")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="claude-code", model="sonnet"),
                       verification_root=str(tmp_path), timeout_ms=5000)
    running = _read(manager, "task-001")
    assert running.status is TaskStatus.RUNNING and running.verification_root == str(tmp_path)
    manager.add_event(task.task_id, EventType.EXECUTOR_START, {"command": "claude -p"})
    log = manager.finish_task(task.task_id, TaskOutcome(
        status=TaskStatus.COMPLETE, evidence=Evidence(files_modified_count=2), executor_summary="done",
        facts=RunFacts(metrics=Metrics(duration_ms=1234, cost_usd=0.5, model="sonnet-4")),
        final_event_content={"summary": "ok"}))
    assert log.status is TaskStatus.COMPLETE and log.ended_at is not None and log.timeout_ms == 5000
    assert [e.event_type for e in log.events] == [EventType.USER_INPUT, EventType.EXECUTOR_START,
                                                  EventType.TASK_COMPLETE]
    row = _disk_index(manager).entries[0]
    assert (row.status, row.event_count, row.first_event_type, row.last_event_type) == (
        TaskStatus.COMPLETE, 3, EventType.USER_INPUT, EventType.TASK_COMPLETE)
    assert (row.files_modified_count, row.duration_ms, row.cost_usd, row.executor, row.model) == (
        2, 1234, 0.5, "claude-code", "sonnet-4")
    assert manager.entries() == _disk_index(manager).entries


def test_failure_carries_reason_code_and_reason_in_final_event(manager: TaskLogManager) -> None:
    """An error outcome is saved with error_reason, error_code, and the reason in its TASK_ERROR event."""
    task = manager.create_task("fail")
    log = manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.ERROR, error_reason="exit 3",
                                                        error_code=ErrorCode.EXECUTOR_FAILED))
    assert log.events[-1].event_type is EventType.TASK_ERROR
    assert log.events[-1].content["reason"] == "exit 3"
    row = manager.entries()[0]
    assert (row.error_reason, row.error_code) == ("exit 3", ErrorCode.EXECUTOR_FAILED)


def test_invalid_outcome_is_saved_as_error_not_dropped(manager: TaskLogManager) -> None:
    """An incomplete outcome without a reason still ends terminal: as error, saying what was wrong, with a WARNING."""
    task = manager.create_task("oops")
    log = manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.INCOMPLETE))
    assert log.status is TaskStatus.ERROR and log.error_reason and "invalid" in log.error_reason
    assert log.error_code is ErrorCode.LOG_WRITE_FAILED
    assert any("invalid outcome" in w for w in manager.warnings)


def test_finished_task_cannot_change(manager: TaskLogManager) -> None:
    """A second finish, or an event after the end, is refused; the saved log stays as it was."""
    task = manager.create_task("once")
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    with pytest.raises(StoreError):
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    assert manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "late"}) is None
    assert len(manager.get_task(task.task_id).events) == 2


def test_event_ids_visibility_and_truncation(tmp_path: Path) -> None:
    """Events are numbered evt-NNNN per task, take the type's default visibility, and are cut with a marker."""
    manager = TaskLogManager(tmp_path, max_event_bytes=64)
    manager.open_session()
    task = manager.create_task("p")
    first = manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "y" * 500, "n": 3})
    second = manager.add_event(task.task_id, EventType.MEDIATION_OUTPUT, {"text": "short"})
    third = manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {}, visibility=Visibility.SUMMARY)
    assert (first, second, third) == ("evt-0002", "evt-0003", "evt-0004")
    events = manager.get_task(task.task_id).events
    assert [e.visibility for e in events[1:]] == [Visibility.FULL, Visibility.SUMMARY, Visibility.SUMMARY]
    assert events[1].content["line"] == "y" * 64 + "[TRUNCATED]" and events[1].content["n"] == 3
    other = manager.create_task("q")
    assert manager.add_event(other.task_id, EventType.EXECUTOR_OUTPUT, {}) == "evt-0002"


def test_threads_and_runs(manager: TaskLogManager) -> None:
    """New lines open threads; answers stay in the thread's run; a retry opens the thread's next run."""
    first = manager.create_task("make a file")
    manager.finish_task(first.task_id, TaskOutcome(status=TaskStatus.INCOMPLETE, error_reason="question",
                                                   error_code=ErrorCode.CLARIFICATION_NEEDED))
    answer = manager.create_task("utils.ts", thread_id=first.thread_id, parent_task_id=first.task_id,
                                 input_event=EventType.USER_RESPONSE)
    other = manager.create_task("unrelated")
    retry = manager.create_task("make a file", thread_id=first.thread_id, parent_task_id=answer.task_id,
                                new_run=True)
    assert (first.thread_id, first.run_id, first.parent_task_id) == ("thr-001", "run-001", None)
    assert (answer.thread_id, answer.run_id, answer.parent_task_id) == ("thr-001", "run-001", "task-001")
    assert answer.events[0].event_type is EventType.USER_RESPONSE
    assert (other.thread_id, other.run_id) == ("thr-002", "run-002")
    assert (retry.thread_id, retry.run_id, retry.parent_task_id) == ("thr-001", "run-003", "task-002")
    implied = manager.create_task("again", parent_task_id=retry.task_id)
    assert (implied.thread_id, implied.run_id) == ("thr-001", "run-003")
    with pytest.raises(NotFoundError):
        manager.create_task("x", thread_id="thr-099")


def test_external_ids_strictly_increase_even_when_the_clock_stands_still(
        manager: TaskLogManager, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a frozen (or backwards) clock, external ids still strictly increase and all resolve."""
    import runner.logs.manager as manager_module

    monkeypatch.setattr(manager_module, "now_ms", lambda: 1_800_000_000_000)
    made = [manager.create_task(f"t{n}") for n in range(5)]
    monkeypatch.setattr(manager_module, "now_ms", lambda: 1_700_000_000_000)
    made.append(manager.create_task("clock went back"))
    externals = [int(t.external_task_id.split("-")[1]) for t in made]
    assert externals == list(range(1_800_000_000_000, 1_800_000_000_006))
    reader = LogReader(manager.paths.project_root)
    assert [reader.resolve_task(manager.session_id or "", t.external_task_id) for t in made] == [
        t.task_id for t in made]


def test_task_numbers_widen_past_999(manager: TaskLogManager) -> None:
    """After task-999 comes task-1000, and both still sort and resolve."""
    from runner.logs.store.session_rows import SessionRows

    rows = SessionRows(manager._ctx, manager.session_id or "")  # noqa: SLF001 - seed the counter cheaply
    rows.refresh()
    rows.max_task = 998
    ids = allocation.allocate_task_ids(rows, thread_id=None, parent_task_id=None, new_run=False,
                                       clock_ms=1_800_000_000_000, last_external_ms=0, taken=lambda _tid: False)
    assert ids.task_id == "task-999"
    rows.max_task = 999
    assert allocation.allocate_task_ids(rows, thread_id=None, parent_task_id=None, new_run=False, clock_ms=1_800_000_000_000,
                                        last_external_ms=0, taken=lambda _tid: False).task_id == "task-1000"


def test_existing_task_file_without_row_is_not_overwritten(manager: TaskLogManager) -> None:
    """A task file left without an index row (writer died in between) is skipped by allocation."""
    tasks = _session_dir(manager) / "tasks"
    (tasks / "task-001.json").write_bytes(b"left over")
    task = manager.create_task("new")
    assert task.task_id == "task-002"
    assert (tasks / "task-001.json").read_bytes() == b"left over"


def test_close_ends_open_tasks_as_error(tmp_path: Path) -> None:
    """close() with a task still running saves it as error (runner stopped) and marks the session ended."""
    manager = TaskLogManager(tmp_path)
    session_id = manager.open_session().session_id
    task = manager.create_task("long job")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "working"})
    manager.close()
    manager.close()  # idempotent
    log = LogReader(tmp_path).read_task(session_id, task.task_id)
    assert isinstance(log, TaskLog)
    assert (log.status, log.error_code) == (TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED)
    assert [e.event_type for e in log.events] == [EventType.USER_INPUT, EventType.EXECUTOR_OUTPUT,
                                                  EventType.TASK_ERROR]
    assert LogReader(tmp_path).read_session_meta(session_id).ended_at is not None


def test_continue_session_keeps_numbering_and_refuses_unknown(tmp_path: Path) -> None:
    """A continued session goes on from its last task, thread and run; an unknown session is NotFoundError."""
    first = TaskLogManager(tmp_path)
    session_id = first.open_session().session_id
    done = first.create_task("a")
    first.finish_task(done.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    first.close()
    second = TaskLogManager(tmp_path)
    with pytest.raises(NotFoundError):
        second.continue_session("sess-19990101-001")
    assert second.continue_session(session_id).session_id == session_id
    nxt = second.create_task("b")
    assert (nxt.task_id, nxt.thread_id, nxt.run_id) == ("task-002", "thr-002", "run-002")
    assert second.get_task("task-001").status is TaskStatus.COMPLETE
    assert [e.task_id for e in second.entries()] == ["task-001", "task-002"]
    second.close()


def test_session_owned_by_a_live_manager_cannot_be_continued(tmp_path: Path) -> None:
    """Two managers never write the same session: continuing one that is open elsewhere is refused."""
    owner = TaskLogManager(tmp_path)
    session_id = owner.open_session().session_id
    with pytest.raises(StoreError) as caught:
        TaskLogManager(tmp_path).continue_session(session_id)
    assert "in use" in caught.value.message
    owner.close()
    other = TaskLogManager(tmp_path)
    other.continue_session(session_id)
    other.close()


def test_session_meta_records_how_it_ran(tmp_path: Path) -> None:
    """session.json holds project root, mode, executor, model, durability, versions and pid."""
    import os

    manager = TaskLogManager(tmp_path)
    session_id = manager.open_session(project_mode="fixed", executor="shell", model="m", interactive=True).session_id
    meta = LogReader(tmp_path).read_session_meta(session_id)
    assert (meta.project_root, meta.project_mode, meta.executor, meta.model) == (str(tmp_path), "fixed", "shell", "m")
    assert (meta.durability, meta.interactive, meta.pid) == ("normal", True, os.getpid())
    assert meta.runner_version and meta.python_version and meta.ended_at is None
    manager.close()


def _mutable_parts(value: object) -> list[object]:
    """Every dict, list and model reachable from `value` (what a copy must not share)."""
    if isinstance(value, BaseModel):
        return [value, *_mutable_parts(value.__dict__)]
    if isinstance(value, dict):
        return [value, *(part for item in value.values() for part in _mutable_parts(item))]
    if isinstance(value, list):
        return [value, *(part for item in value for part in _mutable_parts(item))]
    return []


@pytest.mark.parametrize("prompt", ["fix it", "deploy with sk-ant-api03-" + "a" * 90, "é" * 400])
def test_the_copy_create_task_returns_shares_nothing_mutable(manager: TaskLogManager, prompt: str) -> None:
    """create_task's copy (made without validation) equals the log a validation makes and shares no dict, list
    or model with the registered log; a log of another shape is left to the general copy."""
    log = manager.create_task(prompt)
    registered = manager._tasks[log.task_id].log
    assert log == registered == TaskLog.model_validate_json(registered.model_dump_json())
    assert log.model_dump() == TaskLog.model_validate(registered.model_dump()).model_dump()
    registered_ids = {id(part) for part in _mutable_parts(registered)}
    assert not [part for part in _mutable_parts(log) if id(part) in registered_ids]
    assert allocation.queued_copy(log.model_copy(update={"events": [*log.events, *log.events]})) is None
    assert allocation.queued_copy(log.model_copy(update={"executor": ExecutorInfo(name="shell")})) is None
    odd = log.model_copy(update={"events": [log.events[0].model_copy(update={"content": {"prompt": ["x"]}})]})
    assert allocation.queued_copy(odd) is None


def test_create_task_returns_an_own_copy_equal_to_the_registered_log(manager: TaskLogManager) -> None:
    """The TaskLog create_task returns equals the queued log on disk and in memory; changing it changes neither."""
    log = manager.create_task("fix it", thread_id=None)
    assert manager.session_id is not None
    assert log == manager.get_task(log.task_id) == LogReader(manager.paths.project_root).read_task(
        manager.session_id, log.task_id)
    log.events.clear()
    log.artifacts.files_modified.append("x.py")
    assert len(manager.get_task(log.task_id).events) == 1
    assert manager.get_task(log.task_id).artifacts.files_modified == []
