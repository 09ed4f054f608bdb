"""Invariants every integration run must leave on disk (fail-closed logging, DESIGN §3)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import orjson

from runner.logs.models import GlobalIndex, SessionIndex, TaskLog


def assert_logs_consistent(project: Path) -> list[TaskLog]:
    """Every JSON file parses and validates; index rows and task files match one to one."""
    logs_dir = project / ".claude" / "logs"
    global_index = GlobalIndex.model_validate(orjson.loads((logs_dir / "index.json").read_bytes()))
    listed_sessions = {row.session_id for row in global_index.sessions}
    on_disk_sessions = {p.name for p in (logs_dir / "sessions").iterdir() if p.is_dir()}
    assert listed_sessions == on_disk_sessions, (listed_sessions, on_disk_sessions)
    logs: list[TaskLog] = []
    for session_id in sorted(on_disk_sessions):
        folder = logs_dir / "sessions" / session_id
        index = SessionIndex.model_validate(orjson.loads((folder / "index.json").read_bytes()))
        files = {p.name[: -len(".json")] for p in (folder / "tasks").glob("task-*.json")}
        rows = {e.task_id for e in index.entries}
        assert rows == files, f"{session_id}: index rows {sorted(rows)} vs task files {sorted(files)}"
        for entry in index.entries:
            log = TaskLog.model_validate(orjson.loads((folder / "tasks" / f"{entry.task_id}.json").read_bytes()))
            assert log.status == entry.status, (entry.task_id, log.status, entry.status)
            assert log.external_task_id == entry.external_task_id
            logs.append(log)
    return logs


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
    for path in (project / ".claude" / "logs").glob("sessions/*/tasks/*.json"):
        try:
            log = orjson.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        for event in log.get("events", []):
            pid = event.get("content", {}).get("pid") if event.get("event_type") == "EXECUTOR_START" else None
            if isinstance(pid, int) and pid > 1:
                _kill_group(pid)


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
