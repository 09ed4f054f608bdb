"""Invariants every integration run must leave on disk (fail-closed logging, DESIGN §3)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import orjson

from runner.logs.models import GlobalIndex, SessionIndex, SessionMeta, TaskLog
from runner.logs.store import global_index, indexes
from runner.logs.store.journal import load_task, read_journal_parts
from runner.logs.store.paths import LogPaths


def stored_global_index(project: Path) -> GlobalIndex | None:
    """The global index as stored: its snapshot merged with its journal (None when missing or invalid)."""
    return global_index.read_global_index(LogPaths(project))


def stored_session_index(project: Path, session_id: str) -> SessionIndex | None:
    """A session index as stored: its snapshot merged with its journal (None when missing or invalid)."""
    return indexes.read_session_index(LogPaths(project), session_id)


def assert_logs_consistent(project: Path) -> list[TaskLog]:
    """Every JSON file parses and validates; the indexes as stored (snapshot + journal) match the task files.

    The global index lists every session folder that has a `session.json` (a session's row is
    written before its metadata, so it exists unless no session got that far); a folder without
    one holds no task (its creator died while allocating it), and a row without one names such a folder.
    """
    paths = LogPaths(project)
    folders = {p.name for p in paths.sessions_dir.iterdir() if p.is_dir()} if paths.sessions_dir.is_dir() else set()
    with_meta = {name for name in folders if (paths.sessions_dir / name / "session.json").exists()}
    stored = stored_global_index(project)
    assert stored is not None or not with_meta, "the global index is missing or does not validate"
    listed_sessions = {row.session_id for row in stored.sessions} if stored is not None else set()
    assert with_meta <= listed_sessions <= folders, (listed_sessions, with_meta, folders)
    logs: list[TaskLog] = []
    for session_id in sorted(folders):
        folder = paths.session_dir(session_id)
        files = _tasks_on_disk(paths, session_id)
        if session_id not in with_meta:
            assert not files, f"{session_id}: task files without a session.json"
            continue
        SessionMeta.model_validate(orjson.loads((folder / "session.json").read_bytes()))
        index = stored_session_index(project, session_id)
        assert index is not None, f"{session_id}: the session index is missing or does not validate"
        rows = {e.task_id for e in index.entries}
        assert rows == files, f"{session_id}: index rows {sorted(rows)} vs task files {sorted(files)}"
        for entry in index.entries:
            log = load_task(paths.task_snapshot(session_id, entry.task_id), paths.task_journal(session_id, entry.task_id),
                            session_id=session_id, task_id=entry.task_id)
            assert isinstance(log, TaskLog), log
            assert log.status == entry.status, (entry.task_id, log.status, entry.status)
            assert log.external_task_id == entry.external_task_id
            logs.append(log)
    return logs


def _tasks_on_disk(paths: LogPaths, session_id: str) -> set[str]:
    """Tasks with a snapshot file, or (normal mode, live) a journal holding a whole state line."""
    tasks = set()
    for task_id in indexes.task_ids_on_disk(paths, session_id):
        snapshot = paths.task_snapshot(session_id, task_id)
        if snapshot.exists() or read_journal_parts(paths.task_journal(session_id, task_id))[1] is not None:
            tasks.add(task_id)
    return tasks


def a_task_is_running(project: Path) -> bool:
    """Whether a task of the project's logs has reached `running`: in a snapshot (strict) or in a
    journal's state line (normal mode, interactive runs, writes no running snapshot)."""
    tasks = (project / ".claude" / "logs").glob("sessions/*/tasks/task-*.json*")  # snapshots and journals
    for path in tasks:
        try:
            if b'"running"' in path.read_bytes():
                return True
        except OSError:
            continue  # renamed or removed between the listing and the read
    return False


def all_log_bytes(project: Path) -> bytes:
    """Every byte stored under `.claude/logs` (for leak checks)."""
    root = project / ".claude" / "logs"
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def kill_recorded_children(project: Path) -> None:
    """Kill (and reap) the process group of every executor child recorded in the project's logs.

    Tests that SIGKILL a runner leave its child behind; when this test process is a child
    subreaper (an in-process run made it one), the orphans are re-parented here and must be
    reaped too, or later tests find them as leftover children.
    """
    tasks = (project / ".claude" / "logs").glob("sessions/*/tasks/*.json*")  # snapshots and journals
    for path in tasks:
        try:
            events = _events_of(path.read_bytes())
        except (OSError, ValueError):
            continue
        for event in events:
            pid = event.get("content", {}).get("pid") if event.get("event_type") == "EXECUTOR_START" else None
            if isinstance(pid, int) and pid > 1:
                _kill_group(pid)


def _events_of(data: bytes) -> list[dict[str, Any]]:
    """The event objects of a snapshot, or of a journal's lines (events, and the events of its state lines)."""
    events: list[dict[str, Any]] = []
    for line in data.splitlines():
        try:
            document = orjson.loads(line)
        except ValueError:
            continue  # a torn line
        if isinstance(document, dict):
            events.extend(document.get("events", [document]))
    return events


def _kill_group(pgid: int) -> None:
    members = [int(name) for name in os.listdir("/proc") if name.isdigit() and _pgid_of(int(name)) == pgid]
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        return
    for pid in members:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # not ours to reap: its own parent (or init) does it


def _pgid_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[2])
    except (OSError, ValueError, IndexError):
        return None
