"""Crash recovery: close the tasks a dead runner left `queued` or `running` (DESIGN §3, seed 003 §11.5).

A session is examined when its `session.json` has no `ended_at` and no process
holds its owner lock (liveness is the lock, never a pid). Each unfinished task is rebuilt from snapshot + journal (every
event that reached the journal is kept), gets a RECOVERY_COMPLETE event and is
closed as `error` / RUNNER_CRASHED. Tasks of a live runner are never touched.
"""

from __future__ import annotations

from runner.errors import RunnerError
from runner.ids import counter_of, format_event_id
from runner.logs.masking import mask_text
from runner.logs.models import ErrorCode, EventType, LogEvent, TaskLog, TaskStatus, TerminatedBy
from runner.logs.outcome import TaskOutcome, clean_content, terminal_log
from runner.logs.parts import RunFacts
from runner.logs.store import codec, indexes, safe_files
from runner.logs.store.context import StoreContext
from runner.logs.store.journal import load_task
from runner.logs.store.session_rows import SessionRows, counter_or_zero
from runner.logs.store.sessions import claimed, owner_alive, write_meta_locked
from runner.notices import Notice
from runner.timestamps import now_iso

CRASH_REASON = "runner stopped before the task finished"


def crash_outcome() -> TaskOutcome:
    """The outcome of a task whose runner stopped (crashed, killed, or closed with the task open)."""
    return TaskOutcome(status=TaskStatus.ERROR, error_code=ErrorCode.RUNNER_CRASHED,
                       error_reason=CRASH_REASON, facts=RunFacts(terminated_by=TerminatedBy.REPL_FAIL_CLOSED),
                       final_event_content={"reason": CRASH_REASON})


def recover_project(ctx: StoreContext, *, exclude: str | None, max_event_bytes: int) -> list[tuple[str, str]]:
    """Recover every abandoned session but `exclude` (the caller's own); returns (session, task) pairs."""
    recovered: list[tuple[str, str]] = []
    for session_id in indexes.session_ids_on_disk(ctx.paths):
        if session_id == exclude or not _abandoned(ctx, session_id):
            continue
        try:
            recovered += recover_session(ctx, session_id, max_event_bytes=max_event_bytes)
        except (RunnerError, OSError) as exc:
            detail = exc.message if isinstance(exc, RunnerError) else (exc.strerror or str(exc))
            ctx.warn(Notice.warning(mask_text(f"could not recover unfinished tasks of session {session_id}: {detail}")))
    return recovered


def _abandoned(ctx: StoreContext, session_id: str) -> bool:
    meta = indexes.read_session_meta(ctx.paths, session_id)
    return meta is not None and meta.ended_at is None and not owner_alive(ctx.paths, session_id)


def recover_session(ctx: StoreContext, session_id: str, *, max_event_bytes: int) -> list[tuple[str, str]]:
    """Close the unfinished tasks of one abandoned session, under its lock and its owner lock.

    Only a session whose owner lock this process can take is touched (liveness is the lock,
    not a pid): the claim is held for the whole recovery, so no runner can take it meanwhile.
    """
    with ctx.locks.session(session_id), claimed(ctx.paths, session_id) as free:
        if not free:
            return []
        return _recover_claimed(ctx, session_id, max_event_bytes)


def _recover_claimed(ctx: StoreContext, session_id: str, max_event_bytes: int) -> list[tuple[str, str]]:
    """Recovery proper (the caller holds the session lock and the owner lock); re-checked once locked."""
    paths = ctx.paths
    meta = indexes.read_session_meta(paths, session_id)
    if meta is None or meta.ended_at is not None:
        return []
    safe_files.remove_temps(paths.session_dir(session_id))
    safe_files.remove_temps(paths.tasks_dir(session_id))
    rows = SessionRows(ctx, session_id)
    rows.refresh()
    recovered = [tid for tid in _candidates(ctx, rows) if _recover_task(ctx, rows, tid, max_event_bytes)]
    rows.compact_locked(durable_write=True)
    rows.close()
    meta = meta.model_copy(update={"ended_at": now_iso()})
    write_meta_locked(paths, meta, durable_write=True)
    ctx.put_global_row(rows.summary(meta, ended_at=meta.ended_at), durable_write=True)
    return [(session_id, task_id) for task_id in recovered]


def _candidates(ctx: StoreContext, rows: SessionRows) -> list[str]:
    """Tasks whose row is not terminal, plus task files that never got a row."""
    listed = rows.entries()
    open_rows = [e.task_id for e in listed if not e.status.is_terminal]
    known = {e.task_id for e in listed}
    unlisted = [tid for tid in indexes.task_ids_on_disk(ctx.paths, rows.session_id) if tid not in known]
    return sorted(set(open_rows + unlisted), key=counter_of)


def _recover_task(ctx: StoreContext, rows: SessionRows, task_id: str, max_event_bytes: int) -> bool:
    """Fix one task's file and row; True when it was closed as crashed."""
    paths, session_id = ctx.paths, rows.session_id
    snapshot = paths.task_snapshot(session_id, task_id)
    journal = paths.task_journal(session_id, task_id)
    try:
        log = load_task(snapshot, journal, session_id=session_id, task_id=task_id)
    except FileNotFoundError:
        return False
    if not isinstance(log, TaskLog):
        rows.put(indexes.corrupted_entry(log, rows.get(task_id), now_iso()))
        return False
    closed = log.status.is_terminal is False
    if closed:
        log = close_as_crashed(log, max_event_bytes=max_event_bytes)
        safe_files.write_atomic(snapshot, codec.dumps(log), durable=True)
        safe_files.truncate(journal)
    rows.put(indexes.entry_from_log(log))
    return closed


def close_as_crashed(log: TaskLog, *, max_event_bytes: int) -> TaskLog:
    """The task with a RECOVERY_COMPLETE event, then closed as error / RUNNER_CRASHED."""
    now = now_iso()
    next_number = max(counter_or_zero(e.event_id) for e in log.events) + 1
    note = LogEvent(
        event_id=format_event_id(next_number), event_type=EventType.RECOVERY_COMPLETE, timestamp=now,
        visibility=EventType.RECOVERY_COMPLETE.default_visibility,
        content=clean_content({"reason": CRASH_REASON, "previous_status": log.status.value,
                               "events_recovered": len(log.events)}, max_event_bytes),
    )
    with_note = log.model_copy(update={"events": [*log.events, note]})
    closed, _ = terminal_log(with_note, crash_outcome(), event_id=format_event_id(next_number + 1),
                             now=now, max_event_bytes=max_event_bytes)
    return closed
