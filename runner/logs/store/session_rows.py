"""`SessionRows`: a writer's copy of one session index in memory, and the index journal its changes go to.

A task's row change is one line appended to the session's index journal (`index_journal`):
the cost of a change does not grow with the session. Every `compact_after()` lines the rows are
written as a new snapshot instead (amortised O(1) per change). Before each change the rows are
refreshed from disk when another process replaced the snapshot (a rebuild, recovery), and the
rows of the tasks this writer owns always win over what the files say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import ValidationError

from runner.errors import LogWriteFatalError
from runner.ids import IdKind, counter_of, is_valid
from runner.logs.models import (
    SessionIndex,
    SessionMeta,
    SessionSummary,
    StatusCounts,
    TaskLogEntry,
    TaskStatus,
)
from runner.logs.store import index_journal, indexes
from runner.logs.store.context import StoreContext
from runner.logs.store.index_journal import SESSION_INDEX
from runner.logs.store.index_tail import COUNTS_FIELD
from runner.logs.store.journal import Journal
from runner.notices import Notice
from runner.timestamps import now_iso

COMPACT_MIN_LINES = 512


class SessionRows:
    """The rows of one session index, the counters id allocation needs, and the open index journal."""

    def __init__(self, ctx: StoreContext, session_id: str) -> None:
        self._ctx = ctx
        self.session_id = session_id
        self._path = ctx.paths.session_index(session_id)
        self._rows: dict[str, TaskLogEntry] = {}
        self._stored: dict[str, bytes] = {}  # each row as stored, so a compaction re-serialises nothing
        self._counts = dict.fromkeys(TaskStatus, 0)
        self._last_run: dict[str, str] = {}  # thread id -> run of its latest task
        self.max_task = self.max_thread = self.max_run = self.max_external_ms = 0
        self.updated_at = ""  # the latest change of any row (ISO timestamps compare as text)
        self._generation = 0
        self._journal: Journal | None = None
        self._journal_lines = 0
        self._journal_bytes = 0  # appended to the journal since the snapshot was last read or written
        self._snapshot_ident: index_journal.Identity | None = None
        self._needs_snapshot = True  # nothing on disk yet, a legacy index, or a failed append
        self._in_order = True  # rows are in task order (new tasks come with higher numbers)
        self._loaded = False

    # -- reading -------------------------------------------------------------------------

    def refresh(self, own_rows: Callable[[], Mapping[str, TaskLogEntry]] = dict) -> None:
        """Reload when the snapshot changed under us (or was never read); the writer's own rows win.

        `own_rows` is only called on a reload, so the usual case costs one `lstat`.
        """
        ident = index_journal.identity_of(self._path)
        if self._loaded and ident == self._snapshot_ident:
            return
        own = own_rows()
        self._close_journal()
        self._reset()
        disk = self._read_disk()
        # A row whose task id is malformed never becomes a path: it is dropped here.
        for entry in disk.entries:
            if is_valid(IdKind.TASK, entry.task_id):
                self.put(own.get(entry.task_id, entry))
        for task_id, entry in own.items():
            if self._rows.get(task_id) is not entry:
                self.put(entry)
                self._needs_snapshot = True  # the files lack what this writer knows
        self._sort()
        self._snapshot_ident, self._loaded = ident, True

    def _read_disk(self) -> SessionIndex:
        loaded = indexes.read_session_rows(self._ctx.paths, self.session_id)
        if loaded is not None:
            try:
                index = SessionIndex.model_validate({**loaded.header, "entries": loaded.rows})
            except ValidationError:
                index = None
            if index is not None:
                self.updated_at = index.updated_at
                self._generation, self._journal_lines = loaded.generation, loaded.journal_lines
                self._needs_snapshot = loaded.generation == 0  # written before journals: migrate once
                return index
        # Missing or corrupted: rebuilt from the task files; the next change writes a whole snapshot.
        self._generation = index_journal.next_generation(self._path, 0) - 1
        return indexes.rebuild_session_index(self._ctx.paths, self.session_id, now_iso())

    def _reset(self) -> None:
        self._rows, self._stored, self._last_run = {}, {}, {}
        self._counts = dict.fromkeys(TaskStatus, 0)
        self.max_task = self.max_thread = self.max_run = self.max_external_ms = 0
        self.updated_at = ""
        self._journal_bytes = 0
        self._needs_snapshot = True
        self._in_order = True

    def _sort(self) -> None:
        """Rows in task order (a row added out of order, by recovery or a rebuild, moves to its place)."""
        if not self._in_order:
            self._rows = {tid: self._rows[tid] for tid in sorted(self._rows, key=counter_of)}
            self._in_order = True

    def get(self, task_id: str) -> TaskLogEntry | None:
        return self._rows.get(task_id)

    def entries(self) -> list[TaskLogEntry]:
        return list(self._rows.values())

    def last_run(self, thread_id: str) -> str | None:
        """The run of the thread's latest task, or None when the thread has no task."""
        return self._last_run.get(thread_id)

    def counts(self) -> StatusCounts:
        return StatusCounts(**{status.value: n for status, n in self._counts.items()})

    def summary(self, meta: SessionMeta | None, *, ended_at: str | None = None) -> SessionSummary:
        """The session's global-index row, from the counts kept as rows change."""
        updated = self.updated_at or now_iso()
        started = meta.started_at if meta else next((e.started_at for e in self._rows.values()), updated)
        return SessionSummary(
            session_id=self.session_id, started_at=started, updated_at=updated,
            project_root=meta.project_root if meta else None, executor=meta.executor if meta else None,
            task_count=len(self._rows), counts=self.counts(), ended_at=ended_at)

    # -- changing ------------------------------------------------------------------------

    def put(self, entry: TaskLogEntry) -> None:
        """Insert or replace a task's row in memory (rows are replaced, never mutated: they may be shared)."""
        old = self._rows.get(entry.task_id)
        self._rows[entry.task_id] = entry
        self._stored.pop(entry.task_id, None)
        self._counts[entry.status] += 1
        self._last_run[entry.thread_id] = entry.run_id
        stamp = entry.updated_at or entry.started_at
        if stamp > self.updated_at:
            self.updated_at = stamp
        if old is not None:
            self._counts[old.status] -= 1
            if (old.thread_id, old.run_id, old.external_task_id) == (entry.thread_id, entry.run_id,
                                                                       entry.external_task_id):
                return  # the usual change (a new status): no id moved
        number = counter_of(entry.task_id)
        self._in_order = self._in_order and (old is not None or number > self.max_task)
        self.max_task = max(self.max_task, number)
        self.max_thread = max(self.max_thread, counter_or_zero(entry.thread_id))
        self.max_run = max(self.max_run, counter_or_zero(entry.run_id))
        self.max_external_ms = max(self.max_external_ms, counter_or_zero(entry.external_task_id))

    def record_locked(self, entry: TaskLogEntry, *, sync: bool) -> None:
        """Put a task's row and store it: one journal line, or a whole snapshot when one is due.

        The caller holds the session lock. On an OSError the row stays in memory and the next
        change writes a whole snapshot from memory (the journal may end with a torn line).
        """
        self.put(entry)
        if self._needs_snapshot or self._journal_lines >= self.compact_after():
            self.compact_locked(durable_write=True)
            return
        line = indexes.entry_bytes(entry)
        try:
            self._open_journal().append(line, sync=sync)
        except OSError:
            self._needs_snapshot = True
            raise
        self._stored[entry.task_id] = line
        self._journal_lines += 1
        self._journal_bytes += len(line) + 1

    def compact_after(self) -> int:
        """Journal lines before the next snapshot: half the rows (a reader parses at most 1.5× the rows;
        each row is written about 6 more times in snapshots over its life, whatever the session's size)."""
        return max(COMPACT_MIN_LINES, len(self._rows) // 2)

    def compact_locked(self, *, durable_write: bool) -> None:
        """Write every row as a new snapshot with a fresh journal (caller holds the session lock)."""
        self._close_journal()
        self._sort()
        stored = [self._stored.get(tid) or indexes.entry_bytes(entry) for tid, entry in self._rows.items()]
        generation = self._generation + 1
        header = {"session_id": self.session_id, "updated_at": self.updated_at or now_iso(),
                  COUNTS_FIELD: {status.value: n for status, n in self._counts.items()}}
        self._needs_snapshot = True
        self._snapshot_ident = index_journal.write_snapshot(self._path, header, stored, SESSION_INDEX, generation,
                                                            durable=durable_write)
        self._stored = dict(zip(self._rows, stored, strict=True))
        self._generation, self._journal_lines, self._needs_snapshot = generation, 0, False
        self._journal_bytes = 0
        self._loaded = True

    @property
    def bytes_on_disk(self) -> int:
        """The index's size as last read or written: its snapshot plus this writer's journal lines (0 before either)."""
        snapshot = self._snapshot_ident[2] if self._snapshot_ident is not None else 0
        return snapshot + self._journal_bytes

    def settle_locked(self) -> None:
        """At release: every row into a durable snapshot, so later reads of the session parse no journal."""
        if self._journal_lines or self._needs_snapshot:
            self.compact_locked(durable_write=True)

    def close(self) -> None:
        self._close_journal()

    def _open_journal(self) -> Journal:
        if self._journal is None:
            self._journal = Journal(index_journal.journal_path(self._path, self._generation))
        return self._journal

    def _close_journal(self) -> None:
        journal, self._journal = self._journal, None
        if journal is not None:
            journal.close(quiet=True)


def counter_or_zero(value: str) -> int:
    try:
        return counter_of(value)
    except (IndexError, ValueError):
        return 0


def index_row_locked(ctx: StoreContext, rows: SessionRows, entry: TaskLogEntry, *,
                     durable_write: bool, fatal: bool) -> None:
    """Put a task's row in the session index (caller holds the session lock).

    A failed write is fatal when `fatal` (registration and terminal states: /tasks and /logs
    must agree), else a WARNING. The global index is not touched: its row of a live session is
    counted from this index by readers, and written once when the session is released.
    """
    try:
        rows.record_locked(entry, sync=durable_write)
    except OSError as exc:
        message = f"could not write the session index for {entry.task_id}: {exc.strerror or exc}"
        if fatal:
            raise LogWriteFatalError(message, hint="check free space and permissions of the logs folder") from exc
        ctx.warn(Notice.warning(message))
