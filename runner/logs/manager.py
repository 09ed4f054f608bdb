"""TaskLogManager: the task lifecycle API and its fail-closed rules (DESIGN §3 "Fail-closed", seed 003 §2.5).

A task is saved `queued` before `create_task` returns, every event is kept,
and `finish_task` returns only once the terminal snapshot and the session index
are durable (or raises LogWriteFatalError). What is fsynced when, and why, is
in `spec/durability.md`.
"""

from __future__ import annotations

import errno
import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runner.errors import LogWriteFatalError, NotFoundError, RunnerError, StoreError
from runner.ids import IdKind, format_event_id, validate
from runner.logs.allocation import allocate_task_ids, queued_copy, queued_log
from runner.logs.masking import mask_text
from runner.logs.models import (
    Durability,
    EventType,
    ExecutorInfo,
    LogEvent,
    RunnerDecision,
    SessionMeta,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
    Visibility,
    trusted,
)
from runner.logs.outcome import (
    TaskOutcome,
    clean_content,
    cut_utf8,
    mask_optional,
    masked_counts,
    terminal_log,
)
from runner.logs.recovery import crash_outcome, recover_project
from runner.logs.space import OPTIONAL_EVENTS, RESERVE_FLOOR, SpaceGuard, dropped_for_space_event
from runner.logs.store import codec, indexes, safe_files
from runner.logs.store.context import StoreContext
from runner.logs.store.journal import read_task_or_raise
from runner.logs.store.locks import KeptLocks
from runner.logs.store.paths import LogPaths, ensure_private_dir, require_session_folder
from runner.logs.store.rawlog import RawLog
from runner.logs.store.session_rows import SessionRows, index_row_locked
from runner.logs.store.sessions import open_new_session, release_session, take_session
from runner.logs.task_state import TaskState
from runner.notices import Notice
from runner.timestamps import now_iso, now_ms

__all__ = ["Durability", "OpenedSession", "RawLog", "TaskLogManager", "TaskOutcome"]


def _running_log(queued: TaskLog, update: dict[str, Any]) -> TaskLog:
    """The log of a started task: `queued` (a valid, not yet started log) with `start_task`'s fields.

    Set without validation (`trusted`) when validating could change nothing: the status, a fresh
    timestamp and a validated `ExecutorInfo` are made by `start_task`, the other fields come from
    the valid queued log (not terminal: no `ended_at`), and the two free ones are checked here as
    the model would (`timeout_ms` exactly an int or None, `verification_root` an absolute path).
    Anything else is validated as before, and raises the model's error.
    """
    timeout, root = update["timeout_ms"], update["verification_root"]
    fields = {**queued.__dict__, **update}  # its fields, not dict()'s walk
    if (queued.status is TaskStatus.QUEUED and queued.ended_at is None and (timeout is None or type(timeout) is int)
            and type(root) is str and root.startswith("/") and type(update["executor"]) is ExecutorInfo):
        return trusted(TaskLog, fields)
    return TaskLog.model_validate(fields)


def _release_pins(pins: list[safe_files.FolderPin]) -> None:
    while pins:
        pins.pop().release()


@dataclass(frozen=True)
class OpenedSession:
    session_id: str
    recovered: list[str]  # "<session_id>/<task_id>" of each task closed by crash recovery


class TaskLogManager:
    """Owns one session at a time and every task it creates there, from `queued` to a terminal state."""

    CHECKPOINT_EVENTS = 256
    CHECKPOINT_INTERVAL_MS = 2000

    def __init__(self, project_root: Path, *, durability: Durability = Durability.NORMAL,
                 on_warning: Callable[[Notice], None] | None = None, lock_timeout_s: float = 10.0,
                 max_event_bytes: int = 1024 * 1024, on_disk_full: Callable[[], bool] | None = None,
                 logs_dir: Path | None = None) -> None:
        # The owned session's lock is taken three times per task: its descriptor is kept (KeptLocks).
        self._kept_locks = KeptLocks()
        self._ctx = StoreContext(LogPaths(project_root, logs_dir), Durability(durability), lock_timeout_s,
                                 self._notify, self._kept_locks)
        self._on_warning = on_warning
        self._max_event_bytes = max_event_bytes
        # Called once per failing stretch when a write hits ENOSPC; True when it freed room (seed 003 §10.3).
        self._on_disk_full = on_disk_full
        self._space_tried = False
        self.notices: list[Notice] = []  # every warning so far, masked
        self._mutex = threading.RLock()  # executors may report events from reader threads
        self._meta: SessionMeta | None = None
        self._rows: SessionRows | None = None
        self._tasks: dict[str, TaskState] = {}  # until their terminal state is saved and indexed
        self._finished: dict[str, TaskStatus] = {}
        self._raw_logs: list[RawLog] = []
        self._space = SpaceGuard(self.paths.logs_dir, self._reserve)
        self._last_external_ms = 0
        self._closed = False
        self._grouped: dict[str, TaskState] | None = None  # journals whose fsync waits for grouped_sync's end
        self._pins: list[safe_files.FolderPin] = []  # the owned session's folders, walked once (folder_pins)
        weakref.finalize(self, _release_pins, self._pins)  # a manager dropped without close() unpins too
        weakref.finalize(self, self._kept_locks.close)

    @property
    def session_id(self) -> str | None:
        return self._meta.session_id if self._meta else None

    @property
    def paths(self) -> LogPaths:
        return self._ctx.paths

    @property
    def warnings(self) -> list[str]:
        """The messages of the warnings so far (masked), oldest first."""
        return [notice.message for notice in self.notices]

    def _warn(self, message: str) -> None:
        self._notify(Notice.warning(message))

    def _notify(self, notice: Notice) -> None:
        """Mask the notice, keep it, and hand it to `on_warning` (the edge decides how it reads)."""
        notice = replace(notice, message=mask_text(notice.message), hint=mask_optional(notice.hint))
        self.notices.append(notice)
        if self._on_warning is not None:
            self._on_warning(notice)

    # -- sessions ------------------------------------------------------------------------

    def open_session(self, *, project_mode: str = "cwd", executor: str | None = None,
                     model: str | None = None, interactive: bool = False) -> OpenedSession:
        """Start a new session, after closing tasks abandoned by runners that died."""
        with self._mutex:
            self._release_current()
            recovered = self._recover()
            ensure_private_dir(self.paths.sessions_dir)
            fields = {"project_mode": mask_text(project_mode), "executor": mask_optional(executor),
                      "model": mask_optional(model), "interactive": interactive}
            try:
                self._meta, self._rows = open_new_session(self._ctx, fields)
            except StoreError as exc:  # a full disk: old logs may make room (seed 003 §10.3), then once more
                if not self._free_space_once(exc.__cause__):
                    raise
                self._meta, self._rows = open_new_session(self._ctx, fields)
            self._space_tried = False
            self._closed = False
            self._pin_folders()
            return OpenedSession(self._meta.session_id, [f"{s}/{t}" for s, t in recovered])

    def continue_session(self, session_id: str) -> OpenedSession:
        """Reopen an existing session; NotFoundError if absent, StoreError if a live runner owns it."""
        validate(IdKind.SESSION, session_id)
        with self._mutex:
            if session_id == self.session_id:
                return OpenedSession(session_id, [])
            require_session_folder(self.paths, session_id)
            self._release_current()
            recovered = self._recover()
            self._meta, self._rows = take_session(self._ctx, session_id)
            self._closed = False
            self._pin_folders()
            return OpenedSession(session_id, [f"{s}/{t}" for s, t in recovered])

    def leave_session(self) -> None:
        """Release the current session as finished; the next task opens a new one (no empty sessions)."""
        with self._mutex:
            self._release_current()

    def recover_project(self) -> list[tuple[str, str]]:
        """Close as `error` every task left unfinished by a runner that died, in every session."""
        with self._mutex:
            return self._recover()

    def _recover(self) -> list[tuple[str, str]]:
        if not safe_files.is_folder(self.paths.sessions_dir):
            return []
        return recover_project(self._ctx, exclude=self.session_id, max_event_bytes=self._max_event_bytes)

    def _release_current(self) -> None:
        if self._meta is None:
            return
        if self._tasks:
            raise StoreError(f"{', '.join(self._tasks)} of session {self._meta.session_id} is not finished",
                             hint="let the task finish before switching sessions")
        meta, rows = self._session()
        self._meta, self._rows = None, None
        self._finished.clear()
        self._unpin_folders()
        release_session(self._ctx, meta, rows, finished=True)

    def _pin_folders(self) -> None:
        """Keep the session's folder and tasks folder open while this runner owns the session: a task's
        dozen file operations then skip the walk from the project root (`runner.logs.store.folder_pins`)."""
        self._unpin_folders()
        meta, _ = self._session()
        try:
            for folder in (self.paths.session_dir(meta.session_id), self.paths.tasks_dir(meta.session_id)):
                self._pins.append(safe_files.FolderPin(folder))
        except OSError:
            self._unpin_folders()  # the operations walk as before and report what is wrong
            return
        self._kept_locks.keep(self.paths.session_lock(meta.session_id))

    def _unpin_folders(self) -> None:
        _release_pins(self._pins)
        self._kept_locks.close()

    def _session(self) -> tuple[SessionMeta, SessionRows]:
        if self._meta is None or self._rows is None:
            raise StoreError("no session is open", hint="open a session first (/start)")
        return self._meta, self._rows

    # -- tasks ---------------------------------------------------------------------------

    def create_task(self, prompt: str, *, thread_id: str | None = None, parent_task_id: str | None = None,
                    new_run: bool = False, input_event: EventType = EventType.USER_INPUT,
                    runner_decision: RunnerDecision = RunnerDecision.ACCEPT,
                    subtask_index: int | None = None) -> TaskLog:
        """Register a task: saved `queued` (snapshot, session index row, global counts) before returning.

        A subtask names its parent (`parent_task_id`, the chunked task) and its place in that task's
        plan (`subtask_index`, from 1).
        """
        with self._mutex:
            meta, rows = self._session()
            masked = mask_text(prompt)
            content = self._prompt_content(masked)
            with self._ctx.locks.session(meta.session_id):
                rows.refresh(self._own_rows)
                ids = allocate_task_ids(
                    rows, thread_id=thread_id, parent_task_id=parent_task_id, new_run=new_run,
                    clock_ms=now_ms(), last_external_ms=self._last_external_ms,
                    taken=lambda tid: self._taken(meta.session_id, tid))
                log = queued_log(meta.session_id, ids, masked_prompt=masked, input_event=input_event,
                                 runner_decision=runner_decision, content=content, now=now_iso(),
                                 subtask_index=subtask_index, masked=masked_counts(content))
                self._last_external_ms = int(ids.external_task_id.split("-", 1)[1])
                state, saved = TaskState.register(self.paths, log, durable_write=self._ctx.strict)
                self._tasks[log.task_id] = state
                self._index_locked(state, rows, durable_write=self._ctx.strict, fatal=True)
            # The caller's own copy: new containers around the same values, else read back from the
            # saved bytes (a deep copy costs several times more).
            return queued_copy(state.log) or codec.parse_task_log(saved)

    def _prompt_content(self, masked: str) -> dict[str, Any]:
        """The input event's content: `clean_content` of the masked prompt, which masking it again
        would not change (masking is idempotent, spec/masking.md): only cut, unless it holds a lone
        surrogate (JSON's round trip in `clean_content` replaces it)."""
        try:
            masked.encode()
        except UnicodeEncodeError:
            return clean_content({"prompt": masked}, self._max_event_bytes)
        return {"prompt": cut_utf8(masked, self._max_event_bytes)}

    def _taken(self, session_id: str, task_id: str) -> bool:
        """A task number is free only when neither its snapshot nor its journal is there (even as a link)."""
        return (safe_files.exists(self.paths.task_snapshot(session_id, task_id))
                or safe_files.exists(self.paths.task_journal(session_id, task_id)))

    def start_task(self, task_id: str, *, executor: ExecutorInfo, verification_root: str,
                   timeout_ms: int | None = None) -> None:
        """`queued` -> `running`: the snapshot is rewritten with every event so far (`TaskState.save_running`)."""
        with self._mutex:
            meta, rows = self._session()
            state = self._live(task_id)
            update = {"status": TaskStatus.RUNNING, "updated_at": now_iso(), "timeout_ms": timeout_ms,
                      "executor": ExecutorInfo(name=mask_text(executor.name), model=mask_optional(executor.model)),
                      "verification_root": mask_text(verification_root)}
            queued = state.log
            state.log = running = _running_log(queued, update)
            changed = {"status": running.status.value, "updated_at": running.updated_at,
                       "timeout_ms": running.timeout_ms, "verification_root": running.verification_root,
                       "executor": running.executor.model_dump(mode="json") if running.executor else None}
            try:
                state.save_running(strict=self._ctx.strict, changed=(queued, changed))
            except OSError as exc:
                self._warn(f"could not save {task_id} as running: {exc.strerror or exc}; "
                           "its events are still journaled")
            # The running row is advisory (recovery treats queued and running alike): no fsync.
            try:
                with self._ctx.locks.session(meta.session_id):
                    rows.refresh(self._own_rows)
                    self._index_locked(state, rows, durable_write=False, fatal=False)
            except RunnerError as exc:
                self._warn(f"could not update the index row of {task_id}: {exc.message}")

    def add_event(self, task_id: str, event_type: EventType, content: dict[str, Any],
                  *, visibility: Visibility | None = None) -> str | None:
        """Record an event; None (after a WARNING) when it could not be appended. The task goes on."""
        with self._mutex:
            # A key of `_tasks` is a valid id: validating is needed only for an id not found there.
            state = self._tasks.get(task_id) if type(task_id) is str else None
            if state is None and self._tasks.get(validate(IdKind.TASK, task_id)) is None:
                self._warn(f"event {event_type} for {task_id} dropped: the task is not running here")
                return None
            state = state or self._tasks[task_id]
            if type(event_type) is not EventType:
                event_type = EventType(event_type)
            shown = visibility or event_type.default_visibility
            cleaned = clean_content(content, self._max_event_bytes)
            event = LogEvent.made_here(format_event_id(state.next_event), event_type, now_iso(),
                                       shown if type(shown) is Visibility else Visibility(shown),
                                       cleaned, masked_counts(cleaned))
            line = codec.event_line(event)
            if event_type in OPTIONAL_EVENTS and not self._space.allows(2 * len(line)):
                self._drop_for_space(state)
                return None
            event_id = event.event_id
            state.next_event += 1
            grouped = self._grouped is not None and self._ctx.strict
            if self._grouped is not None:
                self._grouped[state.task_id] = state
            error = state.append(event, sync=self._ctx.strict and not grouped, line=line)
            if error is not None and self._free_space_once(error):
                error = self._append_again(state, event)
            if error is not None:
                self._warn(f"could not append event {event_id} to {task_id}: "
                           f"{error.strerror or error}; it is kept for the task's next snapshot")
                self._checkpoint(state)
                return None
            if state.checkpoint_due(every_events=self.CHECKPOINT_EVENTS, every_ms=self.CHECKPOINT_INTERVAL_MS):
                self._checkpoint(state)
            return event_id

    @contextmanager
    def grouped_sync(self) -> Iterator[None]:
        """Events added inside share one fsync per task journal, at the end (strict mode): the
        output events of one read of a child's pipe are durable together, not one fsync each."""
        with self._mutex:
            outer = self._grouped is not None
            if not outer:
                self._grouped = {}
            try:
                yield
            finally:
                if not outer:
                    states, self._grouped = self._grouped or {}, None
                    for state in states.values():
                        try:
                            state.journal.sync()
                        except OSError as exc:
                            self._warn(f"could not sync the events of {state.task_id}: {exc.strerror or exc}")

    def _reserve(self) -> int:
        """Free space kept for the open tasks' final saves (`runner.logs.space`)."""
        rows = self._rows
        return (RESERVE_FLOOR + 2 * sum(state.log_bytes for state in list(self._tasks.values()))
                + (rows.bytes_on_disk if rows is not None else 0))

    def _drop_for_space(self, state: TaskState) -> None:
        state.dropped_for_space += 1
        self._tell_nearly_full(state.task_id)

    def _raw_space_allows(self, task_id: str, size: int) -> bool:
        """The reserve's answer for `size` more raw-log bytes of `task_id`; a refusal is said like a
        dropped event's (a flood of output reaches the raw log's limit long before the event cap)."""
        if self._space.allows(size):
            return True
        self._tell_nearly_full(task_id)
        return False

    def _tell_nearly_full(self, task_id: str) -> None:
        """One WARNING per task, whether its events or its raw output were the first kept out."""
        with self._mutex:
            state = self._tasks.get(task_id)
            if state is None or state.told_nearly_full:
                return
            state.told_nearly_full = True
        self._warn(f"the disk holding the logs is nearly full: further output of {task_id} is not "
                   "recorded, so that its final log still fits; an EVENTS_DROPPED event will say how much")

    def _add_space_marker(self, state: TaskState) -> None:
        """Before the terminal event: say how much output the space reserve kept out of the log."""
        raw = sum(r.dropped_bytes for r in self._raw_logs if r.task_id == state.task_id)
        if state.dropped_for_space or raw:
            state.log.events.append(dropped_for_space_event(format_event_id(state.next_event), now_iso(),
                                                            events=state.dropped_for_space, raw_bytes=raw))
            state.next_event += 1

    def _append_again(self, state: TaskState, event: LogEvent) -> OSError | None:
        try:
            state.journal.append(codec.event_line(event), sync=self._ctx.strict)
        except OSError as exc:
            return exc
        return None

    def _free_space_once(self, error: BaseException | None) -> bool:
        """On a full disk, ask the `on_disk_full` hook once to free room; True when a retry is worth it."""
        if self._on_disk_full is None or self._space_tried:
            return False
        if not isinstance(error, OSError) or error.errno not in (errno.ENOSPC, errno.EDQUOT):
            return False
        self._space_tried = True
        try:
            return self._on_disk_full()
        except Exception as exc:  # noqa: BLE001 - freeing space must never make a failing write worse
            self._warn(f"could not free space in the logs folder: {exc}")
            return False

    def _checkpoint(self, state: TaskState) -> None:
        try:
            state.checkpoint(durable_write=True)
        except OSError as exc:
            self._warn(f"could not checkpoint {state.task_id}: {exc.strerror or exc}")

    def open_raw_log(self, task_id: str, event_id: str) -> RawLog:
        """A 0600 file for the task's raw executor output; `write` masks, `close` fsyncs."""
        with self._mutex:
            meta, _ = self._session()
            path = self.paths.raw_log(meta.session_id, task_id, event_id)
            ensure_private_dir(path.parent)
            raw = RawLog(path, warn=self._notify, task_id=task_id,
                         allows=functools.partial(self._raw_space_allows, task_id))
            self._raw_logs = [r for r in self._raw_logs if not r.closed] + [raw]
            return raw

    def finish_task(self, task_id: str, outcome: TaskOutcome) -> TaskLog:
        """Terminal snapshot (always fsynced), then session and global index rows; returns the log.

        Raises LogWriteFatalError when the terminal snapshot or the session index
        cannot be saved: the caller must stop (exit code 1).
        """
        with self._mutex:
            meta, rows = self._session()
            state = self._live(task_id)
            self._add_space_marker(state)
            log, problem = terminal_log(state.log, outcome, event_id=format_event_id(state.next_event),
                                        now=now_iso(), max_event_bytes=self._max_event_bytes)
            if problem is not None:
                self._warn(f"{task_id} ended with an invalid outcome ({problem}); saved as error")
            state.next_event += 1
            try:
                state.save_terminal(log)
            except LogWriteFatalError as exc:
                if not self._free_space_once(exc.__cause__):
                    raise
                state.save_terminal(log)
            self._space_tried = False
            self._index_terminal(state, meta, rows)
            return log

    def _index_terminal(self, state: TaskState, meta: SessionMeta, rows: SessionRows) -> None:
        try:
            with self._ctx.locks.session(meta.session_id):
                rows.refresh(self._own_rows)
                self._index_locked(state, rows, durable_write=True, fatal=True)
        except LogWriteFatalError:
            raise
        except RunnerError as exc:
            raise LogWriteFatalError(f"could not index the final log of {state.task_id}: {exc.message}",
                                     hint=exc.hint) from exc
        del self._tasks[state.task_id]
        self._finished[state.task_id] = state.log.status

    def _index_locked(self, state: TaskState, rows: SessionRows, *, durable_write: bool, fatal: bool) -> None:
        index_row_locked(self._ctx, rows, indexes.entry_from_log(state.log), durable_write=durable_write, fatal=fatal)

    def _live(self, task_id: str) -> TaskState:
        state = self._tasks.get(validate(IdKind.TASK, task_id))
        if state is not None and not state.is_terminal:
            return state
        if task_id in self._finished or state is not None:
            status = state.log.status if state is not None else self._finished[task_id]
            raise StoreError(f"{task_id} already finished as {status}",
                             hint="a finished task cannot change; /retry starts a new one")
        raise NotFoundError(f"{task_id} was not created by this runner in session {self.session_id}",
                            hint="/tasks lists the tasks of this session")

    def _own_rows(self) -> dict[str, TaskLogEntry]:
        return {tid: indexes.entry_from_log(s.log) for tid, s in self._tasks.items()}

    # -- reads ---------------------------------------------------------------------------

    def get_task(self, task_id: str) -> TaskLog:
        """The task as it is now (events included): from memory while live here, else from disk."""
        with self._mutex:
            meta, _ = self._session()
            state = self._tasks.get(validate(IdKind.TASK, task_id))
            if state is not None:
                return (state.pending_terminal or state.log).model_copy(deep=True)
            return read_task_or_raise(self.paths.task_snapshot(meta.session_id, task_id),
                                      self.paths.task_journal(meta.session_id, task_id),
                                      session_id=meta.session_id, task_id=task_id)

    def entries(self) -> list[TaskLogEntry]:
        """The current session's index rows in task order (what /tasks shows, and /logs reads)."""
        with self._mutex:
            if self._rows is None:
                return []
            self._rows.refresh(self._own_rows)
            return self._rows.entries()

    # -- shutdown ------------------------------------------------------------------------

    def close(self) -> None:
        """Close raw logs, end still-open tasks as error (fail-closed), release the session. Idempotent."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            for raw in self._raw_logs:
                raw.close()
            self._raw_logs = []
            if self._meta is None:
                return
            for state in list(self._tasks.values()):
                self._close_unfinished(state)
            for state in self._tasks.values():
                state.journal.close(quiet=True)
            finished = not self._tasks  # anything left is picked up by recovery at the next start
            meta, rows = self._session()
            self._meta, self._rows = None, None
            self._tasks.clear()
            self._finished.clear()
            self._unpin_folders()
            try:
                release_session(self._ctx, meta, rows, finished=finished)
            except (OSError, RunnerError) as exc:
                self._warn(f"could not mark session {meta.session_id} as ended: {exc}")

    def _close_unfinished(self, state: TaskState) -> None:
        meta, rows = self._session()
        try:
            if state.is_terminal:  # saved, but its index row was not
                self._index_terminal(state, meta, rows)
            elif state.pending_terminal is not None:  # its terminal save failed: one last try
                state.save_terminal(state.pending_terminal)
                self._index_terminal(state, meta, rows)
            else:
                self._warn(f"{state.task_id} was still {state.log.status} at exit; closed as error")
                self.finish_task(state.task_id, crash_outcome())
        except RunnerError as exc:
            self._warn(f"could not close {state.task_id}: {exc.message}; "
                       "it will be recovered at the next start")
