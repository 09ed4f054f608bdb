"""Layout, id checks and file modes of the log store (DESIGN §3)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runner.errors import InvalidIdError, LogsNotWritableError, StoreError
from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.store import LogReader
from runner.logs.store.paths import LogPaths, ensure_private_dir
from runner.logs.store.safe_files import write_atomic

BAD_SESSION_IDS = ["../x", "a/b", "sess-20250101-001/..", "sess-20250101-001/../..", "", ".", "..",
                   "sess-2025-001", "/etc/passwd", "sess-20250101-001\x00", "sess-٢٠٢٥٠١٠١-٠٠١",
                   "sess-20250101-00\uff11"]
BAD_TASK_IDS = ["../x", "a/b", "task-001/../../", "task-001/..", "task-1", "task-abc", "..", "task-001.json",
                "task-٠٠١", "task-00\u0967"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("bad", BAD_SESSION_IDS)
def test_bad_session_ids_never_become_paths(tmp_path: Path, bad: str) -> None:
    """Every path helper refuses a session id that is not `sess-YYYYMMDD-NNN`."""
    paths = LogPaths(tmp_path)
    for make in (paths.session_dir, paths.session_index, paths.session_meta, paths.tasks_dir, paths.raw_dir):
        with pytest.raises(InvalidIdError):
            make(bad)


@pytest.mark.parametrize("bad", BAD_TASK_IDS)
def test_bad_task_ids_never_become_paths(tmp_path: Path, bad: str) -> None:
    """Task snapshot, journal and raw-log paths refuse a malformed task id."""
    paths = LogPaths(tmp_path)
    with pytest.raises(InvalidIdError):
        paths.task_snapshot("sess-20250101-001", bad)
    with pytest.raises(InvalidIdError):
        paths.task_journal("sess-20250101-001", bad)
    with pytest.raises(InvalidIdError):
        paths.raw_log("sess-20250101-001", bad, "evt-0001")


@pytest.mark.parametrize("bad", ["../x", "a/b", "evt-1", "evt-0001/../../x", "evt-٠٠٠١"])
def test_bad_event_ids_never_become_raw_log_paths(tmp_path: Path, bad: str) -> None:
    """A raw log path refuses an event id that is not `evt-NNNN`."""
    with pytest.raises(InvalidIdError):
        LogPaths(tmp_path).raw_log("sess-20250101-001", "task-001", bad)


def test_reader_and_manager_refuse_bad_ids(tmp_path: Path) -> None:
    """The public read and write APIs raise InvalidIdError for traversal attempts, creating nothing outside."""
    manager = TaskLogManager(tmp_path)
    manager.open_session()
    reader = LogReader(tmp_path)
    with pytest.raises(InvalidIdError):
        reader.read_task("../x", "task-001")
    with pytest.raises(InvalidIdError):
        reader.read_task(manager.session_id or "", "task-001/../../")
    with pytest.raises(InvalidIdError):
        reader.resolve_task(manager.session_id or "", "a/b")
    with pytest.raises(InvalidIdError):
        reader.session_exists("sess-20250101-001/..")
    with pytest.raises(InvalidIdError):
        manager.continue_session("../x")
    with pytest.raises(InvalidIdError):
        manager.add_event("task-001/../../", EventType.EXECUTOR_OUTPUT, {})
    task = manager.create_task("hello")
    with pytest.raises(InvalidIdError):
        manager.open_raw_log(task.task_id, "../../evil")
    manager.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".claude"]


def test_every_folder_is_0700_and_every_file_0600(tmp_path: Path) -> None:
    """A full task lifecycle leaves only 0700 folders and 0600 files (lock files included), whatever the umask."""
    old = os.umask(0o002)  # a permissive umask must not widen anything
    try:
        manager = TaskLogManager(tmp_path)
        manager.open_session()
        task = manager.create_task("write a file")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
        event_id = manager.add_event(task.task_id, EventType.EXECUTOR_START, {"command": "true"})
        assert event_id is not None
        raw = manager.open_raw_log(task.task_id, event_id)
        raw.write("output line\n")
        raw.close()
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
        manager.close()
    finally:
        os.umask(old)
    root = tmp_path / ".claude"
    seen_lock = False
    for path in [root, *root.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert _mode(path) == expected, f"{path} is {oct(_mode(path))}"
        seen_lock = seen_lock or path.name == ".lock"
    assert seen_lock


def test_ensure_private_dir_sets_0700_on_each_created_parent(tmp_path: Path) -> None:
    """Each missing folder of a chain is made 0700, not only the last one (os.makedirs would do that)."""
    target = tmp_path / ".claude" / "a" / "b"
    ensure_private_dir(target)
    assert [_mode(p) for p in (tmp_path / ".claude", tmp_path / ".claude" / "a", target)] == [0o700] * 3


def test_file_where_the_logs_folder_should_be_is_a_clear_error(tmp_path: Path) -> None:
    """A file named `.claude` makes opening a session fail with a StoreError naming it and a hint."""
    (tmp_path / ".claude").write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        TaskLogManager(tmp_path).open_session()
    assert ".claude" in caught.value.message and "is a file" in caught.value.message
    assert caught.value.hint


def test_missing_project_root_is_not_created(tmp_path: Path) -> None:
    """A project root that does not exist is an error, never silently created."""
    with pytest.raises(StoreError):
        TaskLogManager(tmp_path / "nowhere").open_session()
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_project_names_the_owner_and_the_missing_permission(tmp_path: Path) -> None:
    """A project folder without write permission gives LogsNotWritableError naming its owner and mode."""
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(LogsNotWritableError) as caught:
            TaskLogManager(tmp_path).open_session()
    finally:
        tmp_path.chmod(0o700)
    assert f"the folder {tmp_path} belongs to" in caught.value.message
    assert "(dr-x------)" in caught.value.message and "no write (w) permission" in caught.value.message


def test_atomic_write_makes_0600_files(tmp_path: Path) -> None:
    """A snapshot written atomically is 0600 and leaves no temp file behind."""
    target = tmp_path / "x.json"
    write_atomic(target, b"{}", durable=True)
    write_atomic(target, b'{"a": 1}', durable=False)
    assert _mode(target) == 0o600
    assert target.read_bytes() == b'{"a": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_reads_create_nothing(tmp_path: Path) -> None:
    """Reading a project without logs raises NotFoundError and leaves the project untouched."""
    from runner.errors import NotFoundError

    reader = LogReader(tmp_path)
    with pytest.raises(NotFoundError) as caught:
        reader.list_sessions()
    assert "no logs in" in caught.value.message and caught.value.hint
    with pytest.raises(NotFoundError):
        reader.latest_session_id()
    with pytest.raises(NotFoundError):
        reader.read_session_index("sess-20250101-001")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ref", ["١", "٠٠١", "task-٠٠١", "\uff11", "\u06f1"])
def test_task_references_take_ascii_digits_only(tmp_path: Path, ref: str) -> None:
    """`/logs ١` (an Arabic-Indic one) is an invalid id, never task-001: ids take ASCII digits only."""
    manager = TaskLogManager(tmp_path)
    session_id = manager.open_session().session_id
    manager.create_task("first")
    with pytest.raises(InvalidIdError):
        LogReader(tmp_path).resolve_task(session_id, ref)
    assert LogReader(tmp_path).resolve_task(session_id, "1") == "task-001"
    manager.close()


def test_a_stray_last_numbered_session_folder_never_blocks_new_sessions(tmp_path: Path) -> None:
    """With `sess-<today>-999999999` on disk, new sessions take the lowest free number instead of overflowing."""
    from runner.logs.store.sessions import utc_day
    from runner.timestamps import now_ms

    sessions_dir = tmp_path / ".claude" / "logs" / "sessions"
    sessions_dir.mkdir(parents=True)
    day = utc_day(now_ms())
    (sessions_dir / f"sess-{day}-999999999").mkdir()
    (sessions_dir / f"sess-{day}-1000000000").mkdir()  # not a valid id: ignored
    (sessions_dir / f"sess-{day}-00١").mkdir()  # not ASCII: ignored
    opened = []
    for _ in range(2):
        manager = TaskLogManager(tmp_path)
        opened.append(manager.open_session().session_id)
        manager.close()
    assert opened == [f"sess-{day}-001", f"sess-{day}-002"]


def test_the_kept_task_paths_never_skip_the_id_check(tmp_path: Path) -> None:
    """The last task's snapshot and journal paths are kept, yet every bad id is refused (a fresh LogPaths, and
    right after a valid task was asked for), and tasks asked for in turn each get their own paths."""
    session = "sess-20250101-001"
    for warm in (False, True):
        paths = LogPaths(tmp_path)
        if warm:
            paths.task_journal(session, "task-001")
        for bad in [*BAD_TASK_IDS, ""]:
            with pytest.raises(InvalidIdError):
                paths.task_snapshot(session, bad)
            with pytest.raises(InvalidIdError):
                paths.task_journal(session, bad)
        with pytest.raises(InvalidIdError):
            paths.task_snapshot("", "")
    paths = LogPaths(tmp_path)
    tasks = tmp_path / ".claude" / "logs" / "sessions" / session / "tasks"
    for task in ("task-001", "task-002", "task-001", "task-001"):
        assert paths.task_snapshot(session, task) == tasks / f"{task}.json"
        assert paths.task_journal(session, task) == tasks / f"{task}.events.jsonl"
    assert paths.task_snapshot(session, "task-001") is paths.task_snapshot(session, "task-001")
