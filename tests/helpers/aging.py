"""Make a session look old, through the store's own index writers (for retention and clear tests)."""

from __future__ import annotations

from pathlib import Path

from runner.logs.store import global_index, indexes
from runner.logs.store.locks import hold
from runner.logs.store.paths import LogPaths
from runner.timestamps import iso_from_epoch_ms, now_ms

DAY_MS = 86_400_000


def age_session(root: Path, session_id: str, days: float) -> None:
    """Set the session's last update (`updated_at` of its index and global row) `days` in the past."""
    paths = LogPaths(root)
    when = iso_from_epoch_ms(now_ms() - int(days * DAY_MS))
    with hold(paths.session_lock(session_id), timeout_s=5, what=f"session {session_id}"):
        index = indexes.read_session_index(paths, session_id)
        assert index is not None, f"{session_id} has no readable index"
        aged = index.model_copy(update={"updated_at": when})
        indexes.write_session_index_locked(paths, aged, durable_write=True)
        meta = indexes.read_session_meta(paths, session_id)
        with hold(paths.global_lock, timeout_s=5, what="the logs index"):
            global_index.put_global_row_locked(paths, global_index.session_summary(session_id, meta, aged), when,
                                               durable_write=True)


def age_tasks(root: Path, session_id: str, task_ids: set[str], days: float) -> None:
    """Set the given tasks' times (index rows) and the session's start `days` in the past; its last update stays."""
    paths = LogPaths(root)
    when = iso_from_epoch_ms(now_ms() - int(days * DAY_MS))
    times = {"started_at": when, "ended_at": when, "updated_at": when}
    with hold(paths.session_lock(session_id), timeout_s=5, what=f"session {session_id}"):
        index = indexes.read_session_index(paths, session_id)
        assert index is not None, f"{session_id} has no readable index"
        entries = [e.model_copy(update=times) if e.task_id in task_ids else e for e in index.entries]
        aged = index.model_copy(update={"entries": entries})
        indexes.write_session_index_locked(paths, aged, durable_write=True)
        meta = indexes.read_session_meta(paths, session_id)
        row = global_index.session_summary(session_id, meta, aged).model_copy(update={"started_at": when})
        with hold(paths.global_lock, timeout_s=5, what="the logs index"):
            global_index.put_global_row_locked(paths, row, aged.updated_at, durable_write=True)
