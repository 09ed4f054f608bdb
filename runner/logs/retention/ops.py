"""The three things retention does to the files, each re-checked under the session's lock.

Remove a whole session, remove one task (its file, its index row and its raw
logs together), or trim an oversized task's events. Every step first checks,
with the lock held, that the session is not in use and the task is finished;
what it may not touch raises `Kept` and stays. Each done action is appended to
`logs/retention.jsonl`, the runner's own record of what retention deleted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from runner.ids import counter_of
from runner.logs.models import GlobalIndex, SessionIndex, TaskLog
from runner.logs.retention.report import Removal, RemovalKind
from runner.logs.retention.trim import trim_task_log
from runner.logs.retention.usage import folder_bytes, scan_session
from runner.logs.store import codec, global_index, indexes, safe_files
from runner.logs.store.journal import load_task
from runner.logs.store.locks import Locks
from runner.logs.store.paths import LOCK_NAME, LogPaths
from runner.logs.store.sessions import claimed, owner_alive
from runner.timestamps import now_iso

RETENTION_LOG = "retention.jsonl"


class Kept(Exception):
    """A planned removal refused on re-check: the session is in use, or a task is not finished."""


def in_use(paths: LogPaths, session_id: str, active: str | None) -> str | None:
    """Why the session must not be touched at all (None when it may be)."""
    if session_id == active:
        return "it is the active session"
    if owner_alive(paths, session_id):
        meta = indexes.read_session_meta(paths, session_id)
        return f"a runner (pid {meta.pid}) is using it" if meta is not None else "a runner is using it"
    return None


def session_rows(paths: LogPaths, session_id: str) -> SessionIndex:
    """The session index, rebuilt in memory from the task files when it is missing or broken."""
    return indexes.read_session_index(paths, session_id) or indexes.rebuild_session_index(
        paths, session_id, now_iso())


class Remover:
    """Performs removals for one trigger (`start`, `clear`, `disk_full`) and records each one."""

    def __init__(self, paths: LogPaths, *, trigger: str, active: str | None, lock_timeout_s: float) -> None:
        self.paths = paths
        self.trigger = trigger
        self.active = active
        self.locks = Locks(paths, lock_timeout_s)

    @contextmanager
    def _claim(self, session_id: str) -> Iterator[None]:
        """Hold the session's owner lock for the body, or raise Kept: it is active or a runner owns it."""
        if session_id == self.active:
            raise Kept("it is the active session")
        with claimed(self.paths, session_id) as free:
            if not free:
                meta = indexes.read_session_meta(self.paths, session_id)
                raise Kept(f"a runner (pid {meta.pid}) is using it" if meta else "a runner is using it")
            yield

    # -- whole sessions ------------------------------------------------------------------

    def remove_session(self, plan: Removal) -> Removal:
        """Delete a session: its metadata and index, its global row, its tasks and raw logs."""
        sid, paths = plan.session_id, self.paths
        folder = paths.session_dir(sid)
        with self.locks.session(sid), self._claim(sid):
            index = session_rows(paths, sid)
            unfinished = [e.task_id for e in index.entries if not e.status.is_terminal]
            if unfinished:
                raise Kept(f"{', '.join(unfinished[:3])} not finished")
            size = scan_session(paths, sid).total
            with self.locks.global_index():
                # Metadata and index first: whatever is left after a crash still rebuilds consistently.
                for name in ("session.json", "index.json"):
                    safe_files.unlink(folder / name)
                _drop_global_row_locked(paths, sid)
            # Links inside are removed as links; nothing they point at is touched.
            safe_files.remove_entry(paths.raw_dir(sid))
            for name in safe_files.list_names(folder):
                if name != LOCK_NAME:
                    safe_files.remove_entry(folder / name)
        # The lock file goes last, once released; a runner that was waiting on it finds no session.
        safe_files.unlink(folder / LOCK_NAME)
        safe_files.remove_folder(folder)
        _fsync_quietly(paths.sessions_dir)
        done = Removal(RemovalKind.SESSION, sid, None, size, plan.reason, count=len(index.entries))
        self.record(done)
        return done

    def remove_orphan_raw(self, session_id: str, reason: str) -> Removal:
        """Delete `raw/<sid>/` left behind by a session that no longer exists."""
        size = folder_bytes(self.paths.raw_dir(session_id))
        safe_files.remove_entry(self.paths.raw_dir(session_id))
        done = Removal(RemovalKind.RAW, session_id, None, size, reason)
        self.record(done)
        return done

    # -- single tasks --------------------------------------------------------------------

    def remove_task(self, plan: Removal) -> Removal:
        """Delete a finished task: its index row first (durably), then its files and raw logs."""
        sid, paths = plan.session_id, self.paths
        assert plan.task_id is not None
        tid = plan.task_id
        with self.locks.session(sid), self._claim(sid):
            index = session_rows(paths, sid)
            self._check_removable_task(index, tid)
            files = [paths.task_snapshot(sid, tid), paths.task_journal(sid, tid), *_raw_logs(paths, sid, tid)]
            size = sum(_file_size(path) for path in files)
            entries = [e for e in index.entries if e.task_id != tid]
            self._write_index_locked(SessionIndex(session_id=sid, updated_at=index.updated_at, entries=entries))
            for path in files:
                safe_files.unlink(path)
            _fsync_quietly(paths.tasks_dir(sid))
        done = Removal(RemovalKind.TASK, sid, tid, size, plan.reason)
        self.record(done)
        return done

    def _check_removable_task(self, index: SessionIndex, task_id: str) -> None:
        row = next((e for e in index.entries if e.task_id == task_id), None)
        if row is not None and not row.status.is_terminal:
            raise Kept(f"{task_id} is {row.status}")
        on_disk = indexes.task_ids_on_disk(self.paths, index.session_id)
        newest = max([counter_of(e.task_id) for e in index.entries] + [counter_of(t) for t in on_disk], default=0)
        if counter_of(task_id) >= newest:
            raise Kept(f"{task_id} is the newest task of its session (its number must not be reused)")
        if row is None:
            log = self._load(index.session_id, task_id)
            if isinstance(log, TaskLog) and not log.status.is_terminal:
                raise Kept(f"{task_id} is {log.status}")

    def _load(self, session_id: str, task_id: str) -> object:
        try:
            return load_task(self.paths.task_snapshot(session_id, task_id),
                             self.paths.task_journal(session_id, task_id),
                             session_id=session_id, task_id=task_id)
        except FileNotFoundError:
            raise Kept(f"{task_id} is already gone") from None

    # -- trimming ------------------------------------------------------------------------

    def trim_task(self, plan: Removal, *, max_bytes: int, max_event_bytes: int) -> Removal:
        """Rewrite an oversized finished task without its oldest middle events (atomically, durably)."""
        sid, paths = plan.session_id, self.paths
        assert plan.task_id is not None
        tid = plan.task_id
        with self.locks.session(sid), self._claim(sid):
            log = self._load(sid, tid)
            if not isinstance(log, TaskLog) or not log.status.is_terminal:
                raise Kept(f"{tid} is not a finished, readable task")
            result = trim_task_log(log, max_bytes=max_bytes, max_event_bytes=max_event_bytes, now=now_iso())
            if result is None:
                raise Kept(f"{tid} already fits")
            safe_files.write_atomic(paths.task_snapshot(sid, tid), codec.dumps(result.log), durable=True)
            # Its events are in the snapshot now; dropped ones must not come back.
            safe_files.truncate(paths.task_journal(sid, tid))
            for event_id in result.dropped_ids:
                safe_files.unlink(paths.raw_dir(sid) / f"{tid}_{event_id}.log")
            index = session_rows(paths, sid)
            row = indexes.entry_from_log(result.log)
            entries = [row if e.task_id == tid else e for e in index.entries]
            self._write_index_locked(SessionIndex(session_id=sid, updated_at=index.updated_at, entries=entries))
        freed = max(0, result.bytes_before - result.bytes_after)
        done = Removal(RemovalKind.EVENTS, sid, tid, freed, plan.reason, count=result.newly_dropped)
        self.record(done)
        return done

    def _write_index_locked(self, index: SessionIndex) -> None:
        """Session index, then its global row; `updated_at` is kept so retention never makes a session look new."""
        indexes.write_session_index_locked(self.paths, index, durable_write=True)
        meta = indexes.read_session_meta(self.paths, index.session_id)
        with self.locks.global_index():
            global_index.put_global_row_locked(self.paths, global_index.session_summary(index.session_id, meta, index),
                                          now_iso(), durable_write=True)

    # -- the runner's own record ---------------------------------------------------------

    def record(self, removal: Removal) -> None:
        """Append one JSON line to `logs/retention.jsonl` (0600, fsynced); best effort."""
        line = orjson.dumps({
            "time": now_iso(), "trigger": self.trigger, "action": f"remove_{removal.kind.value}",
            "session_id": removal.session_id, "task_id": removal.task_id, "bytes": removal.bytes,
            "count": removal.count, "reason": removal.reason,
        })
        try:
            fd = safe_files.open_append(self.paths.logs_dir / RETENTION_LOG)
            try:
                safe_files.write_all(fd, line + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass  # the WARNING on screen still says what went


def _raw_logs(paths: LogPaths, session_id: str, task_id: str) -> list[Path]:
    folder = paths.raw_dir(session_id)
    try:
        names = safe_files.list_names(folder)
    except OSError:
        return []
    return [folder / name for name in names if name.startswith(f"{task_id}_")]


def _file_size(path: Path) -> int:
    try:
        st = safe_files.lstat(path)
    except OSError:
        return 0
    return st.st_size if st is not None else 0


def _drop_global_row_locked(paths: LogPaths, session_id: str) -> None:
    """Remove a session's row; on a full disk the index (a cache) is deleted instead and rebuilt on read."""
    current = global_index.read_global_index(paths)
    if current is None:
        return  # rebuilt from the folders on the next read, without this session
    rows = [row for row in current.sessions if row.session_id != session_id]
    try:
        global_index.write_global_index_locked(paths, GlobalIndex(updated_at=now_iso(), sessions=rows),
                                               durable_write=True)
    except OSError:
        safe_files.unlink(paths.global_index)


def _fsync_quietly(folder: Path) -> None:
    try:
        safe_files.fsync_folder(folder)
    except OSError:
        pass
