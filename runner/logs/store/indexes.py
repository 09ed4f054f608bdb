"""Session and global indexes: rows from task logs, reads with a parse cache, rebuilds, writes.

An index is a cache of the task files: when it is missing or does not parse it
is rebuilt from them. Writers hold the lock named on each `*_locked` function.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

from runner.ids import IdKind, counter_of, is_valid
from runner.logs.models import (
    CorruptedLog,
    ErrorCode,
    GlobalIndex,
    SessionIndex,
    SessionMeta,
    SessionSummary,
    StatusCounts,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
)
from runner.logs.store import codec, safe_files
from runner.logs.store.journal import load_task
from runner.logs.store.paths import LogPaths, task_id_of_snapshot
from runner.logs.store.safe_files import Limit
from runner.timestamps import epoch_ms_of, iso_from_epoch_ms

FileIdentity = tuple[int, int, int, int]
_CACHE_SIZE = 16
# Parsed session indexes keyed by path and file identity: every write is an atomic
# replace (a new inode), so an unchanged identity means unchanged content.
_parsed: dict[str, tuple[FileIdentity, SessionIndex]] = {}


def identity_of(path: Path) -> FileIdentity | None:
    """(device, inode, size, mtime) of the entry itself (a link is not followed); None when unusable."""
    try:
        st = safe_files.lstat(path)
    except (OSError, ValueError):
        return None
    if st is None or not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def entry_from_log(log: TaskLog) -> TaskLogEntry:
    """The session-index row of a task (what `/tasks` and `/logs` list)."""
    metrics = log.metrics
    duration = metrics.duration_ms if metrics and metrics.duration_ms is not None else None
    if duration is None and log.ended_at is not None:
        duration = max(0, epoch_ms_of(log.ended_at) - epoch_ms_of(log.started_at))
    model = (metrics.model if metrics and metrics.model else None) or (log.executor.model if log.executor else None)
    return TaskLogEntry(
        task_id=log.task_id, external_task_id=log.external_task_id, thread_id=log.thread_id,
        run_id=log.run_id, parent_task_id=log.parent_task_id, subtask_index=log.subtask_index, status=log.status,
        started_at=log.started_at, ended_at=log.ended_at, updated_at=log.updated_at,
        prompt_summary=log.prompt_summary, runner_decision=log.runner_decision,
        executor=log.executor.name if log.executor else None, model=model,
        files_modified_count=log.files_modified_count, error_reason=log.error_reason,
        error_code=log.error_code, executor_blocked=log.executor_blocked,
        blocked_reason=log.blocked_reason, duration_ms=duration,
        cost_usd=metrics.cost_usd if metrics else None, input_tokens=metrics.input_tokens if metrics else None,
        output_tokens=metrics.output_tokens if metrics else None, event_count=len(log.events),
        first_event_type=log.events[0].event_type, last_event_type=log.events[-1].event_type,
        test_mode=log.test_mode,
    )


def corrupted_entry(broken: CorruptedLog, previous: TaskLogEntry | None, fallback_time: str) -> TaskLogEntry:
    """The row of a task whose file does not parse: error, saying so, keeping what the old row knew."""
    base = previous.model_dump() if previous is not None else {
        # Well-formed placeholders no real task has (counters start at 001, epochs are recent).
        "task_id": broken.task_id, "external_task_id": "task-0000000000000", "thread_id": "thr-000",
        "run_id": "run-000", "started_at": fallback_time,
    }
    base.update(status=TaskStatus.ERROR, error_code=ErrorCode.LOG_WRITE_FAILED,
                error_reason=f"{broken.message}: {broken.reason}")
    return TaskLogEntry.model_validate(base)


def counts_of(entries: Iterable[TaskLogEntry]) -> StatusCounts:
    counts = StatusCounts()
    for entry in entries:
        setattr(counts, entry.status.value, getattr(counts, entry.status.value) + 1)
    return counts


def session_summary(session_id: str, meta: SessionMeta | None, index: SessionIndex) -> SessionSummary:
    """The global-index row of a session."""
    started = meta.started_at if meta else (index.entries[0].started_at if index.entries else index.updated_at)
    return SessionSummary(
        session_id=session_id, started_at=started, updated_at=index.updated_at,
        project_root=meta.project_root if meta else None, executor=meta.executor if meta else None,
        task_count=len(index.entries), counts=counts_of(index.entries),
    )


def session_sort_key(session_id: str) -> tuple[str, int]:
    """Chronological order that survives the counter widening past 999."""
    return (session_id[5:13], counter_of(session_id))


def session_ids_on_disk(paths: LogPaths) -> list[str]:
    """Real session folders whose names are valid ids, oldest first.

    Strays are ignored, and so is anything in a session's place that is not a real folder (a
    link is never followed, whatever it points at).
    """
    try:
        entries = safe_files.list_entries(paths.sessions_dir)
    except OSError:
        return []
    valid = [name for name, st in entries if stat.S_ISDIR(st.st_mode) and is_valid(IdKind.SESSION, name)]
    return sorted(valid, key=session_sort_key)


def task_ids_on_disk(paths: LogPaths, session_id: str) -> list[str]:
    """Task ids of the snapshots in a session's real `tasks/` folder, in task order."""
    try:
        names = safe_files.list_names(paths.tasks_dir(session_id))
    except OSError:
        return []
    found = [tid for tid in map(task_id_of_snapshot, names) if tid is not None]
    return sorted(found, key=counter_of)


def read_session_meta(paths: LogPaths, session_id: str) -> SessionMeta | None:
    """The session's metadata, or None when it is missing or does not parse."""
    try:
        return codec.parse_session_meta(safe_files.read_bytes(paths.session_meta(session_id), limit=Limit.SMALL))
    except (OSError, ValueError):
        return None


def read_session_index(paths: LogPaths, session_id: str) -> SessionIndex | None:
    """The session index, or None when it is missing or does not parse (parse cached by file identity)."""
    path = paths.session_index(session_id)
    ident = identity_of(path)
    if ident is None:
        return None
    cached = _parsed.get(str(path))
    if cached is not None and cached[0] == ident:
        return cached[1]
    try:
        index = codec.parse_session_index(safe_files.read_bytes(path, limit=Limit.INDEX))
    except (OSError, ValueError):
        return None
    if index.session_id != session_id:
        return None
    _remember(path, ident, index)
    return index


def _remember(path: Path, ident: FileIdentity | None, index: SessionIndex) -> None:
    if ident is None:
        return
    if len(_parsed) >= _CACHE_SIZE:
        _parsed.pop(next(iter(_parsed)))
    _parsed[str(path)] = (ident, index)


def rebuild_session_index(paths: LogPaths, session_id: str, now: str,
                          previous: SessionIndex | None = None) -> SessionIndex:
    """A session index made from the task files themselves (snapshot + journal of each task)."""
    old_rows = {e.task_id: e for e in previous.entries} if previous else {}
    entries: list[TaskLogEntry] = []
    for task_id in task_ids_on_disk(paths, session_id):
        snapshot = paths.task_snapshot(session_id, task_id)
        try:
            log = load_task(snapshot, paths.task_journal(session_id, task_id),
                            session_id=session_id, task_id=task_id)
        except FileNotFoundError:
            continue  # removed while we were listing
        if isinstance(log, TaskLog):
            entries.append(entry_from_log(log))
        else:
            entries.append(corrupted_entry(log, old_rows.get(task_id), _mtime_iso(snapshot, now)))
    return SessionIndex(session_id=session_id, updated_at=now, entries=entries)


def _mtime_iso(path: Path, fallback: str) -> str:
    try:
        st = safe_files.lstat(path)
    except OSError:
        return fallback
    return fallback if st is None else iso_from_epoch_ms(st.st_mtime_ns // 1_000_000)


def write_session_index_locked(paths: LogPaths, index: SessionIndex, *, durable_write: bool) -> FileIdentity | None:
    """Atomically replace the session index (caller holds the session lock); returns the new identity."""
    path = paths.session_index(index.session_id)
    safe_files.write_atomic(path, codec.dumps_session_index(index), durable=durable_write)
    ident = identity_of(path)
    _remember(path, ident, index)
    return ident


def read_global_index(paths: LogPaths) -> GlobalIndex | None:
    try:
        return codec.parse_global_index(safe_files.read_bytes(paths.global_index, limit=Limit.INDEX))
    except (OSError, ValueError):
        return None


def rebuild_global_index(paths: LogPaths, now: str) -> GlobalIndex:
    """One row per session folder that has metadata or an index, from those files."""
    rows: list[SessionSummary] = []
    for session_id in session_ids_on_disk(paths):
        meta = read_session_meta(paths, session_id)
        index = read_session_index(paths, session_id)
        if index is None:
            if meta is None and not task_ids_on_disk(paths, session_id):
                continue  # a folder whose creator died before writing anything
            index = rebuild_session_index(paths, session_id, now)
        rows.append(session_summary(session_id, meta, index))
    return GlobalIndex(updated_at=now, sessions=rows)


def put_global_row_locked(paths: LogPaths, row: SessionSummary, now: str, *, durable_write: bool) -> None:
    """Replace one session's row in the global index (caller holds the global lock)."""
    current = read_global_index(paths) or rebuild_global_index(paths, now)
    rows = [r for r in current.sessions if r.session_id != row.session_id]
    rows.append(row)
    rows.sort(key=lambda r: session_sort_key(r.session_id))
    write_global_index_locked(paths, GlobalIndex(updated_at=now, sessions=rows), durable_write=durable_write)


def write_global_index_locked(paths: LogPaths, index: GlobalIndex, *, durable_write: bool) -> None:
    safe_files.write_atomic(paths.global_index, codec.dumps(index), durable=durable_write)
