"""Crash recovery decisions: whose tasks are closed, how, and what is left alone (in-process cases).

The real kill-the-writer scenarios are in tests/integration/test_store_crash.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from runner.logs.manager import TaskLogManager
from runner.logs.models import ErrorCode, EventType, ExecutorInfo, TaskLog, TaskStatus, TerminatedBy
from runner.logs.store import LogReader, sessions


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _abandon(manager: TaskLogManager, pid: int) -> str:
    """Make the manager's session look left by a runner `pid` that died: its owner lock is let go, as death does."""
    session_id = manager.session_id
    assert session_id is not None
    meta_path = manager.paths.session_meta(session_id)
    meta = orjson.loads(meta_path.read_bytes())
    meta["pid"] = pid
    meta_path.write_bytes(orjson.dumps(meta))
    sessions.release_ownership(manager.paths, session_id)
    return session_id


HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def hold_owner_lock(path: Path) -> subprocess.Popen[str]:
    """Another process holding a session's owner lock, as a live runner does (until its stdin closes)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _running_task(manager: TaskLogManager, root: Path, events: int) -> str:
    task = manager.create_task("long job")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(root))
    for n in range(events):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"step {n}"})
    return task.task_id


def test_tasks_of_a_dead_owner_are_closed_as_crashed(tmp_path: Path) -> None:
    """Queued and running tasks of a dead runner become error/RUNNER_CRASHED, journal events kept."""
    dead = TaskLogManager(tmp_path)
    dead.open_session()
    running = _running_task(dead, tmp_path, events=3)
    queued = dead.create_task("never started").task_id
    session_id = _abandon(dead, _dead_pid())
    recovered = TaskLogManager(tmp_path).recover_project()
    assert recovered == [(session_id, running), (session_id, queued)]
    reader = LogReader(tmp_path)
    log = reader.read_task(session_id, running)
    assert isinstance(log, TaskLog)
    assert (log.status, log.error_code, log.terminated_by) == (TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED,
                                                               TerminatedBy.REPL_FAIL_CLOSED)
    assert log.error_reason == "runner stopped before the task finished"
    assert [e.event_type for e in log.events] == [EventType.USER_INPUT] + [EventType.EXECUTOR_OUTPUT] * 3 + [
        EventType.RECOVERY_COMPLETE, EventType.TASK_ERROR]
    assert [e.event_id for e in log.events][-2:] == ["evt-0005", "evt-0006"]
    rows = reader.read_session_index(session_id).entries
    assert [(e.status, e.error_code) for e in rows] == [(TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED)] * 2
    assert reader.list_sessions()[0].counts.error == 2
    assert reader.read_session_meta(session_id).ended_at is not None
    assert TaskLogManager(tmp_path).recover_project() == []  # done once, not again


def test_open_session_reports_recovered_tasks(tmp_path: Path) -> None:
    """open_session runs recovery first and returns the recovered ids."""
    dead = TaskLogManager(tmp_path)
    dead.open_session()
    task_id = _running_task(dead, tmp_path, events=1)
    session_id = _abandon(dead, _dead_pid())
    opened = TaskLogManager(tmp_path).open_session()
    assert opened.recovered == [f"{session_id}/{task_id}"]
    assert opened.session_id != session_id


def test_live_runner_tasks_are_left_alone(tmp_path: Path) -> None:
    """A session whose owner is alive (here: another manager of this process) is never recovered."""
    live = TaskLogManager(tmp_path)
    session_id = live.open_session().session_id
    task_id = _running_task(live, tmp_path, events=1)
    assert TaskLogManager(tmp_path).recover_project() == []
    log = LogReader(tmp_path).read_task(session_id, task_id)
    assert isinstance(log, TaskLog) and log.status is TaskStatus.RUNNING
    live.close()


def test_a_session_whose_owner_lock_is_held_is_left_alone_whatever_its_pid(tmp_path: Path) -> None:
    """A runner holding the owner lock is alive even when session.json names a dead pid (another pid namespace)."""
    live = TaskLogManager(tmp_path)
    session_id = live.open_session().session_id
    task_id = _running_task(live, tmp_path, events=1)
    _abandon(live, _dead_pid())  # the pid a container runner records means nothing on the host
    holder = hold_owner_lock(live.paths.session_owner_lock(session_id))
    try:
        assert TaskLogManager(tmp_path).recover_project() == []
        log = LogReader(tmp_path).read_task(session_id, task_id)
        assert isinstance(log, TaskLog) and log.status is TaskStatus.RUNNING
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert TaskLogManager(tmp_path).recover_project() == [(session_id, task_id)]  # its lock is free now


def test_own_pid_from_an_earlier_process_counts_as_dead(tmp_path: Path) -> None:
    """A session recorded under our pid that this process never opened was left by an earlier process."""
    import os

    earlier = TaskLogManager(tmp_path)
    earlier.open_session()
    task_id = _running_task(earlier, tmp_path, events=0)
    session_id = _abandon(earlier, os.getpid())
    assert TaskLogManager(tmp_path).recover_project() == [(session_id, task_id)]


def test_a_live_recorded_pid_does_not_keep_a_session_alive(tmp_path: Path) -> None:
    """Only the owner lock proves an owner alive: a running process under the recorded pid does not (pid reuse)."""
    dead = TaskLogManager(tmp_path)
    dead.open_session()
    task_id = _running_task(dead, tmp_path, events=0)
    session_id = _abandon(dead, 1)  # pid 1 is alive; make the session look taken long before it started
    meta_path = dead.paths.session_meta(session_id)
    meta = orjson.loads(meta_path.read_bytes())
    meta["updated_at"] = meta["started_at"] = "1971-01-01T00:00:00.000Z"
    meta_path.write_bytes(orjson.dumps(meta))
    assert TaskLogManager(tmp_path).recover_project() == [(session_id, task_id)]


def test_unparseable_task_file_is_left_and_indexed_as_corrupted(tmp_path: Path) -> None:
    """Recovery leaves a task file that does not parse as it is and marks its row error/corrupted."""
    dead = TaskLogManager(tmp_path)
    dead.open_session()
    task_id = _running_task(dead, tmp_path, events=1)
    other = _running_task(dead, tmp_path, events=1)
    session_id = _abandon(dead, _dead_pid())
    snapshot = dead.paths.task_snapshot(session_id, task_id)
    snapshot.write_bytes(b"\x00garbage")
    assert TaskLogManager(tmp_path).recover_project() == [(session_id, other)]
    assert snapshot.read_bytes() == b"\x00garbage"
    rows = LogReader(tmp_path).read_session_index(session_id).entries
    assert rows[0].status is TaskStatus.ERROR and rows[0].error_reason is not None
    assert "corrupted" in rows[0].error_reason
    assert rows[1].error_code is ErrorCode.RUNNER_CRASHED


def test_task_file_without_index_row_is_recovered(tmp_path: Path) -> None:
    """A queued snapshot whose index row was never written (death in between) is found and closed."""
    dead = TaskLogManager(tmp_path)
    dead.open_session()
    task_id = _running_task(dead, tmp_path, events=0)
    session_id = _abandon(dead, _dead_pid())
    index_path = dead.paths.session_index(session_id)
    index = orjson.loads(index_path.read_bytes())
    index["entries"] = []
    index_path.write_bytes(orjson.dumps(index))
    assert TaskLogManager(tmp_path).recover_project() == [(session_id, task_id)]
    assert [e.task_id for e in LogReader(tmp_path).read_session_index(session_id).entries] == [task_id]
