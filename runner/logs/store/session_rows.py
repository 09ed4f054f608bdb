"""`SessionRows`: a writer's in-memory copy of one session index, and putting a task's row in it.

Before each write it is refreshed from the file when another process has replaced
it, and the rows of the tasks this writer owns always win over what the file says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from runner.errors import LogWriteFatalError, RunnerError
from runner.ids import IdKind, counter_of, is_valid
from runner.logs.models import SessionIndex, SessionMeta, SessionSummary, TaskLogEntry
from runner.logs.store import indexes
from runner.logs.store.context import StoreContext
from runner.notices import Notice
from runner.timestamps import now_iso


class SessionRows:
    """The rows of one session index, with the counters id allocation needs."""

    def __init__(self, ctx: StoreContext, session_id: str) -> None:
        self._ctx = ctx
        self.session_id = session_id
        self._entries: list[TaskLogEntry] = []
        self._pos: dict[str, int] = {}
        self._ident: indexes.FileIdentity | None = None
        self._loaded = False
        self.max_task = self.max_thread = self.max_run = self.max_external_ms = 0

    def refresh(self, own_rows: Callable[[], Mapping[str, TaskLogEntry]] = dict) -> None:
        """Reload when the file changed under us (or was never read); the writer's own rows win.

        `own_rows` is only called on a reload, so the usual case costs one `stat`.
        """
        path = self._ctx.paths.session_index(self.session_id)
        ident = indexes.identity_of(path)
        if self._loaded and ident == self._ident:
            return
        own = own_rows()
        disk = indexes.read_session_index(self._ctx.paths, self.session_id)
        if disk is None:
            disk = indexes.rebuild_session_index(self._ctx.paths, self.session_id, now_iso())
            ident = None  # rebuilt in memory only: the next write fixes the file
        # A row whose task id is malformed never becomes a path: it is dropped here.
        self._reset([own.get(e.task_id, e) for e in disk.entries if is_valid(IdKind.TASK, e.task_id)])
        for task_id, entry in own.items():
            if task_id not in self._pos:
                self.put(entry)
        self._entries.sort(key=lambda e: counter_of(e.task_id))
        self._pos = {e.task_id: i for i, e in enumerate(self._entries)}
        self._ident, self._loaded = ident, True

    def _reset(self, entries: list[TaskLogEntry]) -> None:
        self._entries, self._pos = [], {}
        self.max_task = self.max_thread = self.max_run = self.max_external_ms = 0
        for entry in entries:
            self.put(entry)

    def put(self, entry: TaskLogEntry) -> None:
        """Insert or replace a task's row (rows are replaced, never mutated: they may be shared)."""
        where = self._pos.get(entry.task_id)
        if where is None:
            self._pos[entry.task_id] = len(self._entries)
            self._entries.append(entry)
        else:
            self._entries[where] = entry
        self.max_task = max(self.max_task, counter_of(entry.task_id))
        self.max_thread = max(self.max_thread, counter_or_zero(entry.thread_id))
        self.max_run = max(self.max_run, counter_or_zero(entry.run_id))
        self.max_external_ms = max(self.max_external_ms, counter_or_zero(entry.external_task_id))

    def get(self, task_id: str) -> TaskLogEntry | None:
        where = self._pos.get(task_id)
        return None if where is None else self._entries[where]

    def entries(self) -> list[TaskLogEntry]:
        return list(self._entries)

    def index(self) -> SessionIndex:
        return SessionIndex.model_construct(session_id=self.session_id, updated_at=now_iso(),
                                            entries=list(self._entries))

    def write_locked(self, *, durable_write: bool) -> None:
        """Replace the session index file (caller holds the session lock)."""
        self._ident = indexes.write_session_index_locked(self._ctx.paths, self.index(),
                                                         durable_write=durable_write)
        self._loaded = True

    @property
    def bytes_on_disk(self) -> int:
        """The size of the index file as last read or written (0 before either)."""
        return self._ident[2] if self._ident is not None else 0

    def summary(self, meta: SessionMeta | None) -> SessionSummary:
        return indexes.session_summary(self.session_id, meta, self.index())


def counter_or_zero(value: str) -> int:
    try:
        return counter_of(value)
    except (IndexError, ValueError):
        return 0


def index_row_locked(ctx: StoreContext, rows: SessionRows, meta: SessionMeta, entry: TaskLogEntry, *,
                     durable_write: bool, fatal: bool, global_durable: bool) -> None:
    """Put a task's row in the session index, then the session's counts in the global index.

    The caller holds the session lock. A failed session-index write is fatal
    when `fatal` (terminal states: /tasks and /logs must agree), else a WARNING;
    a failed global-index write is always a WARNING (that index is rebuilt on read).
    """
    rows.put(entry)
    try:
        rows.write_locked(durable_write=durable_write)
    except OSError as exc:
        message = f"could not write the session index for {entry.task_id}: {exc.strerror or exc}"
        if fatal:
            raise LogWriteFatalError(message, hint="check free space and permissions of the logs folder") from exc
        ctx.warn(Notice.warning(message))
        return
    try:
        ctx.put_global_row(rows.summary(meta), durable_write=global_durable)
    except (OSError, RunnerError) as exc:
        detail = exc.message if isinstance(exc, RunnerError) else (exc.strerror or str(exc))
        ctx.warn(Notice.warning(f"could not update the logs index (it is rebuilt on read): {detail}"))
