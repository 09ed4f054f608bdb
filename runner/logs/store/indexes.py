"""Session indexes: rows from task logs, reads (snapshot + journal, `index_journal`), rebuilds, writes.

An index is a cache of the task files: when it is missing or does not parse it
is rebuilt from them. Writers hold the lock named on each `*_locked` function.
"""

from __future__ import annotations

import functools
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from runner.ids import IdKind, counter_of, is_valid
from runner.logs.store import codec, index_journal, index_tail, safe_files
from runner.logs.store.index_journal import SESSION_INDEX, Identity, Loaded
from runner.logs.store.index_tail import COUNTS_FIELD, Tail
from runner.logs.store.journal import load_task
from runner.logs.store.paths import LogPaths, task_id_of_file
from runner.logs.store.safe_files import Limit
from runner.logs.vocabulary import ErrorCode, TaskStatus
from runner.timestamps import epoch_ms_of, iso_from_epoch_ms

if TYPE_CHECKING:  # the models are imported where rows are validated: reading rows as stored needs no pydantic
    from runner.logs.models import (
        CorruptedLog,
        SessionIndex,
        SessionMeta,
        StatusCounts,
        TaskLog,
        TaskLogEntry,
    )

FileIdentity = Identity
identity_of = index_journal.identity_of
# Validated session indexes by path, with the read they were made from (the same object while
# neither the snapshot nor its journal changed).
_validated: dict[str, tuple[Loaded, SessionIndex]] = {}


def entry_from_log(log: TaskLog) -> TaskLogEntry:
    """The session-index row of a task (what `/tasks` and `/logs` list).

    Made without validation (`models.trusted`): every field comes from the validated TaskLog or is
    computed here of its type (a duration in ms); `test_index_row_fast_paths` holds it equal to
    the validated row.
    """
    from runner.logs.models import TaskLogEntry, trusted

    metrics = log.metrics
    duration = metrics.duration_ms if metrics and metrics.duration_ms is not None else None
    if duration is None and log.ended_at is not None:
        duration = max(0, epoch_ms_of(log.ended_at) - epoch_ms_of(log.started_at))
    model = (metrics.model if metrics and metrics.model else None) or (log.executor.model if log.executor else None)
    return trusted(TaskLogEntry, {
        "task_id": log.task_id, "external_task_id": log.external_task_id, "thread_id": log.thread_id,
        "run_id": log.run_id, "parent_task_id": log.parent_task_id, "subtask_index": log.subtask_index,
        "status": log.status, "started_at": log.started_at, "ended_at": log.ended_at, "updated_at": log.updated_at,
        "prompt_summary": log.prompt_summary, "runner_decision": log.runner_decision,
        "executor": log.executor.name if log.executor else None, "model": model,
        "files_modified_count": log.files_modified_count, "error_reason": log.error_reason,
        "error_code": log.error_code, "executor_blocked": log.executor_blocked,
        "blocked_reason": log.blocked_reason, "duration_ms": duration,
        "cost_usd": metrics.cost_usd if metrics else None,
        "input_tokens": metrics.input_tokens if metrics else None,
        "output_tokens": metrics.output_tokens if metrics else None, "event_count": len(log.events),
        "first_event_type": log.events[0].event_type, "last_event_type": log.events[-1].event_type,
        "test_mode": log.test_mode, "review_iterations": list(log.review_iterations),
    })


def corrupted_entry(broken: CorruptedLog, previous: TaskLogEntry | None, fallback_time: str) -> TaskLogEntry:
    """The row of a task whose file does not parse: error, saying so, keeping what the old row knew."""
    from runner.logs.models import TaskLogEntry

    base = previous.model_dump() if previous is not None else {
        # Well-formed placeholders no real task has (counters start at 001, epochs are recent).
        "task_id": broken.task_id, "external_task_id": "task-0000000000000", "thread_id": "thr-000",
        "run_id": "run-000", "started_at": fallback_time,
    }
    base.update(status=TaskStatus.ERROR, error_code=ErrorCode.LOG_WRITE_FAILED,
                error_reason=f"{broken.message}: {broken.reason}")
    return TaskLogEntry.model_validate(base)


def counts_of(entries: Iterable[TaskLogEntry]) -> StatusCounts:
    from runner.logs.models import StatusCounts

    return StatusCounts(**status_counts(entry.status for entry in entries))


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
    """Task ids of the snapshots and journals in a session's real `tasks/` folder, in task order
    (a live task of normal mode has only its journal until its first checkpoint)."""
    try:
        names = safe_files.list_names(paths.tasks_dir(session_id))
    except OSError:
        return []
    found = {tid for tid in map(task_id_of_file, names) if tid is not None}
    return sorted(found, key=counter_of)


def read_session_meta(paths: LogPaths, session_id: str) -> SessionMeta | None:
    """The session's metadata, or None when it is missing or does not parse."""
    try:
        return codec.parse_session_meta(safe_files.read_bytes(paths.session_meta(session_id), limit=Limit.SMALL))
    except (OSError, ValueError):
        return None


def index_identity(paths: LogPaths, session_id: str) -> list[int] | None:
    """What changes whenever the session index does: its snapshot's identity and the size of each journal.

    None when there is no snapshot. One listing of the session folder, no parse.
    """
    try:
        found = dict(safe_files.list_entries(paths.session_dir(session_id)))
    except OSError:  # gone, a link, or an entry removed while listing: not a settled index
        return None
    snapshot = found.get("index.json")
    if snapshot is None or not stat.S_ISREG(snapshot.st_mode):
        return None
    ident = [snapshot.st_dev, snapshot.st_ino, snapshot.st_size, snapshot.st_mtime_ns]
    for name in sorted(name for name in found if index_journal.is_journal_name(name)):
        ident += [int(name.split(".")[1]), found[name].st_size]
    return ident


def read_session_rows(paths: LogPaths, session_id: str) -> Loaded | None:
    """The session's rows as stored (JSON objects, not validated), or None when the index is missing or broken.

    What the list and tree views read: each row is checked field by field where it is shown.
    The result is shared with later reads (a cache): callers must not change it.
    """
    loaded = index_journal.read_index(paths.session_index(session_id), SESSION_INDEX)
    if loaded is None or loaded.header.get("session_id") != session_id:
        return None
    return loaded


def read_session_tail(paths: LogPaths, session_id: str, count: int) -> Tail | None:
    """The session's last `count` rows as stored, with its row count and counts by status, read from the
    end of the index; None when only a whole read (`read_session_rows`) can tell."""
    tail = index_tail.read_tail(paths.session_index(session_id), count)
    if tail is None or tail.header.get("session_id") != session_id:
        return None
    return tail


def read_session_index(paths: LogPaths, session_id: str) -> SessionIndex | None:
    """The session index as models, or None when it is missing or any row does not validate."""
    from runner.logs.models import SessionIndex

    loaded = read_session_rows(paths, session_id)
    if loaded is None:
        return None
    key = str(paths.session_index(session_id))
    cached = _validated.get(key)
    if cached is not None and cached[0] is loaded:
        return cached[1]
    try:
        index = SessionIndex.model_validate({**loaded.header, "entries": loaded.rows})
    except ValueError:
        return None
    if len(_validated) >= 16 and key not in _validated:
        _validated.pop(next(iter(_validated)))
    _validated[key] = (loaded, index)
    return index


def rebuild_session_index(paths: LogPaths, session_id: str, now: str,
                          previous: SessionIndex | None = None) -> SessionIndex:
    """A session index made from the task files themselves (snapshot + journal of each task)."""
    from runner.logs.models import SessionIndex, TaskLog

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


def status_counts(statuses: Iterable[TaskStatus]) -> dict[str, int]:
    """Rows by status, every status named: what a session snapshot's header stores as `counts`."""
    counts = dict.fromkeys([status.value for status in TaskStatus], 0)
    for status in statuses:
        counts[status.value] += 1
    return counts


def entry_bytes(entry: TaskLogEntry) -> bytes:
    """A session-index row as stored: JSON without its default-valued fields (a quarter smaller).

    The bytes of `model_dump_json(exclude_defaults=True)`, written by orjson from the fields (three
    rows per task; pydantic's comparison with each default cost more than the JSON); a row with
    review iterations (models inside) takes pydantic's path.
    """
    if entry.review_iterations:
        return entry.model_dump_json(exclude_defaults=True).encode()
    fields = entry.__dict__
    return orjson.dumps({name: fields[name] for name, default in _row_defaults()
                         if default is _REQUIRED or fields[name] != default})


_REQUIRED = object()


@functools.cache
def _row_defaults() -> tuple[tuple[str, object], ...]:
    """(field, default) of a session-index row in field order; `_REQUIRED` for a field without one."""
    from runner.logs.models import TaskLogEntry

    return tuple((name, _REQUIRED if field.is_required() else field.get_default(call_default_factory=True))
                 for name, field in TaskLogEntry.model_fields.items())


def write_session_index_locked(paths: LogPaths, index: SessionIndex, *, durable_write: bool) -> FileIdentity | None:
    """Replace the whole session index with a new snapshot (caller holds the session lock); returns its identity.

    For rewrites that are not one row's change (rebuilds, recovery, retention); a task's row
    changes through `SessionRows`, one journal line each.
    """
    path = paths.session_index(index.session_id)
    current = index_journal.read_index(path, SESSION_INDEX)
    generation = index_journal.next_generation(path, current.generation if current else 0)
    return index_journal.write_snapshot(
        path, {"session_id": index.session_id, "updated_at": index.updated_at,
               COUNTS_FIELD: status_counts(entry.status for entry in index.entries)},
        (entry_bytes(entry) for entry in index.entries), SESSION_INDEX, generation, durable=durable_write)
