"""Retention and size limits on real logs written by TaskLogManager (DESIGN §10, seed 003 §8, §10.3)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import orjson
import pytest

from runner.errors import LogWriteFatalError
from runner.logs.limits import LoggingLimits
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLog, TaskStatus
from runner.logs.retention import (
    apply_retention_at_start,
    clear_logs,
    free_space,
    plan_retention,
    usage,
)
from runner.logs.retention.trim import KEEP_FIRST, KEEP_LAST, trim_task_log
from runner.logs.store import global_index, indexes
from runner.logs.store.journal import Journal
from runner.logs.store.paths import LogPaths
from runner.logs.store.sessions import release_ownership
from runner.logs.task_state import TaskState
from runner.views.notices import notice_text
from tests.helpers.aging import age_session, age_tasks
from tests.helpers.logs_check import assert_logs_consistent

BIG = LoggingLimits()  # the defaults: nothing in these small tests comes near them


def run_tasks(manager: TaskLogManager, count: int, *, events: int = 20, chars: int = 300,
              raw: bool = True) -> list[str]:
    """Run `count` finished tasks in the manager's open session, each with `events` output events."""
    root = str(manager.paths.project_root)
    ids = []
    for number in range(count):
        log = manager.create_task(f"task number {number}")
        manager.start_task(log.task_id, executor=ExecutorInfo(name="shell"), verification_root=root)
        start = manager.add_event(log.task_id, EventType.EXECUTOR_START, {"command": "echo"})
        if raw and start is not None:
            output = manager.open_raw_log(log.task_id, start)
            output.write("raw output line\n" * 50)
            output.close()
        for event in range(events):
            manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": f"{event} " + "y" * chars})
        manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
        ids.append(log.task_id)
    return ids


def make_session(root: Path, tasks: int = 2, **kwargs: int) -> str:
    """A closed (ended) session with `tasks` finished tasks; returns its id."""
    manager = TaskLogManager(root, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    run_tasks(manager, tasks, **kwargs)  # type: ignore[arg-type]
    manager.close()
    return session_id


def files_under(root: Path) -> dict[str, int]:
    """Every log file (but the size cache) and its size."""
    logs = root / ".claude" / "logs"
    return {str(p.relative_to(logs)): p.stat().st_size for p in logs.rglob("*")
            if p.is_file() and p.name != usage.USAGE_CACHE}


def retention_records(root: Path) -> list[dict[str, object]]:
    path = root / ".claude" / "logs" / "retention.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def read_log(root: Path, session_id: str, task_id: str) -> TaskLog:
    path = root / ".claude" / "logs" / "sessions" / session_id / "tasks" / f"{task_id}.json"
    return TaskLog.model_validate_json(path.read_bytes())


# -- retention period ------------------------------------------------------------------------


def test_a_session_past_the_retention_period_is_removed_and_named(tmp_path: Path) -> None:
    """A session not updated for 31 days goes with its tasks and raw logs; the WARNING names it."""
    old = make_session(tmp_path)
    recent = make_session(tmp_path)
    age_session(tmp_path, old, 31)
    warnings = [notice_text(n) for n in apply_retention_at_start(tmp_path, BIG)]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"WARNING: retention removed session {old} (31 days old")
    assert "2 tasks" in warnings[0]
    logs = tmp_path / ".claude" / "logs"
    assert not (logs / "sessions" / old).exists() and not (logs / "raw" / old).exists()
    assert (logs / "raw" / recent).is_dir()
    assert {log.session_id for log in assert_logs_consistent(tmp_path)} == {recent}
    [record] = retention_records(tmp_path)
    assert record["action"] == "remove_session" and record["session_id"] == old
    assert record["trigger"] == "start" and isinstance(record["bytes"], int) and record["bytes"] > 0


def test_tasks_past_the_retention_period_go_from_a_session_that_stays(tmp_path: Path) -> None:
    """Seed 003 §8.3 is per task: old finished tasks of a recent session go, each named; the newest stays."""
    session = make_session(tmp_path, tasks=4)
    age_tasks(tmp_path, session, {"task-001", "task-002", "task-004"}, 45)
    warnings = [notice_text(n) for n in apply_retention_at_start(tmp_path, BIG)]
    assert [w.split(" (")[0] for w in warnings] == [
        f"WARNING: retention removed task task-001 of session {session}",
        f"WARNING: retention removed task task-002 of session {session}",
    ]
    assert all("45 days old" in w for w in warnings)
    logs = assert_logs_consistent(tmp_path)
    assert sorted(log.task_id for log in logs) == ["task-003", "task-004"]  # task-004 is the newest
    assert [r["task_id"] for r in retention_records(tmp_path)] == ["task-001", "task-002"]


def test_at_start_each_removal_is_announced_before_it_is_done(tmp_path: Path) -> None:
    """With a notify callback the WARNING reaches it while the files are still there, then they go."""
    session = make_session(tmp_path, tasks=3)
    age_tasks(tmp_path, session, {"task-001"}, 45)
    snapshot = LogPaths(tmp_path).task_snapshot(session, "task-001")
    seen: list[tuple[str, bool]] = []
    rest = apply_retention_at_start(tmp_path, BIG, notify=lambda n: seen.append((notice_text(n), snapshot.exists())))
    assert rest == []
    [(text, present)] = seen
    assert text.startswith(f"WARNING: retention is removing task task-001 of session {session} (45 days old")
    assert present and not snapshot.exists()


def test_a_dry_run_plan_lists_what_would_go_and_deletes_nothing(tmp_path: Path) -> None:
    """plan_retention names the old session but leaves every file and writes no retention record."""
    old = make_session(tmp_path)
    make_session(tmp_path)
    age_session(tmp_path, old, 40)
    before = files_under(tmp_path)
    report = plan_retention(tmp_path, BIG, active_session=None)
    assert [(r.kind.value, r.session_id) for r in report.removals] == [("session", old)]
    assert report.sessions == 1 and report.tasks == 2 and report.bytes > 0
    assert files_under(tmp_path) == before
    assert not (tmp_path / ".claude" / "logs" / "retention.jsonl").exists()


def test_retention_days_zero_keeps_sessions_forever(tmp_path: Path) -> None:
    """`retention_days: 0` turns age-based removal off."""
    old = make_session(tmp_path)
    make_session(tmp_path)
    age_session(tmp_path, old, 400)
    assert apply_retention_at_start(tmp_path, LoggingLimits(retention_days=0)) == []
    assert (tmp_path / ".claude" / "logs" / "sessions" / old).is_dir()


# -- one task over its limit -----------------------------------------------------------------


def test_an_oversized_task_keeps_its_first_and_terminal_events_and_gets_a_marker(tmp_path: Path) -> None:
    """Oldest middle events go; the first and last five stay; EVENTS_DROPPED says how many went."""
    session = make_session(tmp_path, tasks=1, events=300, chars=300)
    original = read_log(tmp_path, session, "task-001")
    limits = LoggingLimits(max_task_log_size_mb=0.05)
    warnings = [notice_text(n) for n in apply_retention_at_start(tmp_path, limits)]
    trimmed = read_log(tmp_path, session, "task-001")
    path = tmp_path / ".claude" / "logs" / "sessions" / session / "tasks" / "task-001.json"
    assert path.stat().st_size <= 0.05 * 1024 * 1024
    ids = [e.event_id for e in trimmed.events]
    assert ids[:KEEP_FIRST] == [e.event_id for e in original.events[:KEEP_FIRST]]
    assert ids[-KEEP_LAST:] == [e.event_id for e in original.events[-KEEP_LAST:]]
    assert trimmed.events[0].event_type is EventType.USER_INPUT
    assert trimmed.events[-1].event_type is EventType.TASK_COMPLETE
    marker = trimmed.events[KEEP_FIRST]
    assert marker.event_type is EventType.EVENTS_DROPPED and marker.visibility.value == "summary"
    dropped = marker.content["dropped"]
    assert len(trimmed.events) - 1 + dropped == len(original.events)
    kept_middle = [e.event_id for e in trimmed.events[KEEP_FIRST + 1 : -KEEP_LAST]]
    assert kept_middle == [e.event_id for e in original.events[-KEEP_LAST - len(kept_middle) : -KEEP_LAST]]
    [warning] = warnings
    assert warning.startswith(f"WARNING: retention dropped {dropped} events from task-001 of session {session} "
                              "(log over the 0.05 MB task limit, ")
    assert warning.endswith(" KB freed); an EVENTS_DROPPED event marks the gap")
    assert len(assert_logs_consistent(tmp_path)) == 1
    index = indexes.read_session_index(LogPaths(tmp_path), session)
    assert index is not None and index.entries[0].event_count == len(trimmed.events)
    assert index.updated_at == global_index.read_global_index(LogPaths(tmp_path)).sessions[0].updated_at  # type: ignore[union-attr]


def test_trimming_twice_keeps_one_marker_with_the_total(tmp_path: Path) -> None:
    """A second trim folds the earlier marker into one that counts every dropped event."""
    session = make_session(tmp_path, tasks=1, events=200, chars=300)
    original = read_log(tmp_path, session, "task-001")
    first = trim_task_log(original, max_bytes=40_000, max_event_bytes=1024 * 1024, now="2026-01-01T00:00:00.000Z")
    assert first is not None
    second = trim_task_log(first.log, max_bytes=20_000, max_event_bytes=1024 * 1024, now="2026-01-01T00:00:00.000Z")
    assert second is not None
    markers = [e for e in second.log.events if e.event_type is EventType.EVENTS_DROPPED]
    assert len(markers) == 1
    assert markers[0].content["dropped"] == len(original.events) - (len(second.log.events) - 1)
    assert markers[0].content["first_dropped"] == original.events[KEEP_FIRST].event_id
    assert trim_task_log(second.log, max_bytes=20_000, max_event_bytes=1024 * 1024, now="x") is None


def test_an_event_over_the_event_limit_is_cut_while_trimming(tmp_path: Path) -> None:
    """An old event larger than max_event_size_mb is cut with [TRUNCATED] when its task is rewritten."""
    manager = TaskLogManager(tmp_path, max_event_bytes=200_000)
    session = manager.open_session(executor="shell").session_id
    log = manager.create_task("one big event")
    manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": "z" * 150_000})
    manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    apply_retention_at_start(tmp_path, LoggingLimits(max_task_log_size_mb=0.1, max_event_size_mb=0.05))
    text = read_log(tmp_path, session, "task-001").events[1].content["text"]
    assert text.endswith("[TRUNCATED]") and len(text) <= 0.05 * 1024 * 1024 + len("[TRUNCATED]")


# -- one session over its limit --------------------------------------------------------------


def test_a_session_over_its_limit_loses_its_oldest_tasks_but_never_the_newest(tmp_path: Path) -> None:
    """Oldest finished tasks go with their index rows and raw logs until the session fits; the newest stays."""
    session = make_session(tmp_path, tasks=6, events=60, chars=400)
    limits = LoggingLimits(max_session_log_size_mb=0.1)
    report = plan_retention(tmp_path, limits, active_session=None)
    planned = [r.task_id for r in report.removals]
    assert planned and planned == sorted(planned) and "task-006" not in planned and planned[0] == "task-001"
    warnings = [notice_text(n) for n in apply_retention_at_start(tmp_path, limits)]
    assert [w.split()[4] for w in warnings] == planned
    assert all(f"of session {session} (session over its 0.1 MB limit" in w for w in warnings)
    left = {log.task_id for log in assert_logs_consistent(tmp_path)}
    assert left == {f"task-00{n}" for n in range(len(planned) + 1, 7)}
    raw = {p.name.split("_")[0] for p in (tmp_path / ".claude" / "logs" / "raw" / session).iterdir()}
    assert raw == left
    measured = usage.scan_session(LogPaths(tmp_path), session)
    assert measured.total <= 0.1 * 1024 * 1024
    assert [r["task_id"] for r in retention_records(tmp_path)] == planned


def test_a_session_made_of_one_huge_task_keeps_it(tmp_path: Path) -> None:
    """The newest task of a session is never removed for the session limit (its number must not come back)."""
    session = make_session(tmp_path, tasks=1, events=200, chars=400)
    limits = LoggingLimits(max_session_log_size_mb=0.01)
    assert plan_retention(tmp_path, limits, active_session=None).removals == []
    assert apply_retention_at_start(tmp_path, limits) == []
    assert (tmp_path / ".claude" / "logs" / "sessions" / session / "tasks" / "task-001.json").exists()


# -- the whole folder over its limit ---------------------------------------------------------


def test_the_folder_limit_removes_oldest_sessions_but_never_the_active_or_newest(tmp_path: Path) -> None:
    """Oldest sessions go first; the active session (oldest here) and the newest one stay."""
    active = TaskLogManager(tmp_path)
    active_id = active.open_session(executor="shell").session_id
    run_tasks(active, 2)
    middle = [make_session(tmp_path, tasks=2) for _ in range(3)]
    newest = make_session(tmp_path, tasks=2)
    sizes = usage.measure_sessions(LogPaths(tmp_path), [active_id, *middle, newest])
    # Room for about three sessions: two of the middle ones must go.
    limit_mb = (sizes[active_id].total + sizes[newest].total + sizes[middle[2]].total + 20_000) / 1024 / 1024
    notices = apply_retention_at_start(tmp_path, LoggingLimits(max_total_log_size_mb=limit_mb),
                                       active_session=active_id)
    warnings = [notice_text(n) for n in notices]
    assert [w.split()[4] for w in warnings] == middle[:2]
    assert all("logs folder over its" in w for w in warnings)
    left = {p.name for p in (tmp_path / ".claude" / "logs" / "sessions").iterdir()}
    assert left == {active_id, middle[2], newest}
    active.close()
    assert_logs_consistent(tmp_path)


def test_a_running_task_and_its_live_session_are_never_touched(tmp_path: Path) -> None:
    """Whatever the limits, a session whose runner is alive keeps every file, its running task included."""
    manager = TaskLogManager(tmp_path)
    session = manager.open_session(executor="shell").session_id
    run_tasks(manager, 2, events=100)
    running = manager.create_task("still running")
    manager.start_task(running.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    for n in range(100):
        manager.add_event(running.task_id, EventType.EXECUTOR_OUTPUT, {"text": f"{n} " + "r" * 300})
    make_session(tmp_path)
    age_session(tmp_path, session, 90)
    before = {k: v for k, v in files_under(tmp_path).items() if session in k}
    tiny = LoggingLimits(retention_days=1, max_task_log_size_mb=0.01, max_session_log_size_mb=0.01,
                         max_total_log_size_mb=0.01)
    report = plan_retention(tmp_path, tiny, active_session=None)  # not named active: its live pid protects it
    assert all(r.session_id != session for r in report.removals)
    assert any(session in line and "kept" in line for line in report.kept)
    apply_retention_at_start(tmp_path, tiny)
    assert {k: v for k, v in files_under(tmp_path).items() if session in k} == before
    manager.finish_task(running.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()


def test_an_abandoned_session_with_an_unfinished_task_is_not_removed_whole(tmp_path: Path) -> None:
    """A dead runner's session still holding a running task is kept until recovery closes that task."""
    make_session(tmp_path)
    manager = TaskLogManager(tmp_path)
    session = manager.open_session(executor="shell").session_id
    log = manager.create_task("left running")
    manager.start_task(log.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    release_ownership(manager.paths, session)  # the runner "dies": its owner lock is let go
    age_session(tmp_path, session, 90)
    report = plan_retention(tmp_path, BIG, active_session=None)
    assert report.removals == [] and any("unfinished" in line for line in report.kept)
    assert (tmp_path / ".claude" / "logs" / "sessions" / session / "tasks" / "task-001.events.jsonl").exists()
    manager.close()  # closes the task as error, as the next runner's recovery would


# -- clearing --------------------------------------------------------------------------------


def test_clear_removes_every_session_but_the_active_one(tmp_path: Path) -> None:
    """clear_logs deletes all other sessions and says why the active one stayed."""
    old = [make_session(tmp_path) for _ in range(2)]
    active = TaskLogManager(tmp_path)
    active_id = active.open_session(executor="shell").session_id
    run_tasks(active, 1)
    report = clear_logs(tmp_path, older_than_ms=None, dry_run=False, active_session=active_id)
    assert sorted(r.session_id for r in report.removals) == old and report.tasks == 4
    assert report.kept == [f"{active_id}: it is the active session"]
    assert [p.name for p in (tmp_path / ".claude" / "logs" / "sessions").iterdir()] == [active_id]
    active.close()
    assert_logs_consistent(tmp_path)
    assert {r["trigger"] for r in retention_records(tmp_path)} == {"clear"}


def test_retention_files_are_private(tmp_path: Path) -> None:
    """retention.jsonl and the size cache are created 0600."""
    old = make_session(tmp_path)
    make_session(tmp_path)
    age_session(tmp_path, old, 31)
    apply_retention_at_start(tmp_path, BIG)
    for name in ("retention.jsonl", usage.USAGE_CACHE):
        mode = stat.S_IMODE(os.stat(tmp_path / ".claude" / "logs" / name).st_mode)
        assert mode == 0o600, (name, oct(mode))


# -- start-up cost ---------------------------------------------------------------------------


def test_start_with_no_logs_creates_nothing(tmp_path: Path) -> None:
    """On a project without logs, retention returns at once and leaves no folder behind."""
    assert apply_retention_at_start(tmp_path, BIG) == []
    assert not (tmp_path / ".claude").exists()


def test_a_start_with_nothing_to_do_reads_indexes_not_task_files(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Once sizes are cached, an unchanged session is not rescanned: start-up stats one index per session."""
    for _ in range(3):
        make_session(tmp_path)
    assert apply_retention_at_start(tmp_path, BIG) == []  # fills the cache
    scanned: list[str] = []
    real = usage.scan_session
    monkeypatch.setattr(usage, "scan_session", lambda paths, sid: scanned.append(sid) or real(paths, sid))
    assert apply_retention_at_start(tmp_path, BIG) == []
    assert scanned == []
    make_session(tmp_path)
    apply_retention_at_start(tmp_path, BIG)
    assert len(scanned) == 1  # only the new session


# -- a full disk -----------------------------------------------------------------------------


def test_free_space_removes_the_oldest_finished_sessions_but_not_the_newest(tmp_path: Path) -> None:
    """For ENOSPC, the oldest ended sessions go first until room for two full task logs is free."""
    sessions = [make_session(tmp_path, tasks=2, events=40) for _ in range(4)]
    limits = LoggingLimits(max_task_log_size_mb=0.02)
    report = free_space(tmp_path, limits, active_session=None)
    gone = [r.session_id for r in report.removals if r.kind.value == "session"]
    assert gone and gone == sessions[: len(gone)] and sessions[-1] not in gone
    assert report.bytes >= 2 * 0.02 * 1024 * 1024
    assert {r["trigger"] for r in retention_records(tmp_path)} == {"disk_full"}


def _enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_the_manager_asks_once_to_free_space_and_retries_the_append(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """An append failing with ENOSPC calls on_disk_full once, then succeeds without a WARNING."""
    calls: list[int] = []
    manager = TaskLogManager(tmp_path, on_disk_full=lambda: calls.append(1) or True)
    manager.open_session(executor="shell")
    log = manager.create_task("disk fills up")
    real_append = Journal.append
    failures = iter(range(3))  # TaskState tries three times before giving up

    def failing_append(self: Journal, line: bytes, *, sync: bool) -> None:
        if next(failures, None) is not None:
            raise _enospc()
        real_append(self, line, sync=sync)

    monkeypatch.setattr(Journal, "append", failing_append)
    assert manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": "x"}) is not None
    assert calls == [1] and manager.warnings == []
    manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    assert len(read_log(tmp_path, log.session_id, log.task_id).events) == 3


def test_when_freeing_space_does_not_help_the_manager_warns(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """If the hook frees nothing, the failed append is reported as a WARNING and the hook is not called again."""
    calls: list[int] = []
    manager = TaskLogManager(tmp_path, on_disk_full=lambda: calls.append(1) or False)
    manager.open_session(executor="shell")
    log = manager.create_task("disk stays full")

    def always_full(self: Journal, line: bytes, *, sync: bool) -> None:
        raise _enospc()

    monkeypatch.setattr(Journal, "append", always_full)
    monkeypatch.setattr(TaskState, "checkpoint", lambda self, durable_write: (_ for _ in ()).throw(_enospc()))
    assert manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": "x"}) is None
    assert manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": "y"}) is None
    assert calls == [1]
    assert any("could not append event" in w and "No space left" in w for w in manager.warnings)
    monkeypatch.undo()
    manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()


def test_a_terminal_save_hitting_enospc_is_retried_after_freeing_space(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """finish_task survives one ENOSPC on the terminal snapshot when the hook frees room."""
    calls: list[int] = []
    manager = TaskLogManager(tmp_path, on_disk_full=lambda: calls.append(1) or True)
    manager.open_session(executor="shell")
    log = manager.create_task("final save")
    real_save = TaskState.save_terminal
    attempts: list[int] = []

    def save_once_full(self: TaskState, final: TaskLog) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise LogWriteFatalError("disk full") from _enospc()
        real_save(self, final)

    monkeypatch.setattr(TaskState, "save_terminal", save_once_full)
    finished = manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    assert finished.status is TaskStatus.COMPLETE and calls == [1] and len(attempts) == 2
    manager.close()
    assert_logs_consistent(tmp_path)
