"""The log store's read API, `LogReader`: sessions, session indexes and tasks, as views and `pm-runner logs` read them.

Reads never create anything, except that an index found missing or corrupted is
rebuilt from the task files and written back.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.errors import InvalidIdError, NotFoundError, RunnerError, StoreError
from runner.ids import IdKind, is_valid, validate
from runner.logs.store import global_index, indexes, safe_files
from runner.logs.store.access import cannot_read_logs
from runner.logs.store.index_tail import Tail
from runner.logs.store.journal import load_task
from runner.logs.store.locks import DEFAULT_LOCK_TIMEOUT_S, Locks
from runner.logs.store.paths import LogPaths, require_session_folder, unsafe_store_error
from runner.logs.store.safe_files import UnsafeFileError
from runner.logs.store.stored_read import read_stored_task
from runner.logs.stored_task import StoredTask
from runner.timestamps import now_iso

if TYPE_CHECKING:  # `pm-runner logs list` reads rows as stored: the models load only where a read validates
    from runner.logs.models import CorruptedLog, SessionIndex, SessionMeta, SessionSummary, TaskLog


class LogReader:
    """Read-only access to a project's logs, as used by `/logs`, `/sessions` and `pm-runner logs`.

    `last_rebuilt` tells whether the last `list_sessions` or `read_session_index`
    found its index missing or corrupted and rebuilt it from the files.
    """

    def __init__(self, project_root: Path, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
                 logs_dir: Path | None = None) -> None:
        self.paths = LogPaths(project_root, logs_dir)
        self.logs_dir = self.paths.logs_dir
        self.lock_timeout_s = lock_timeout_s
        self.last_rebuilt = False

    @property
    def locks(self) -> Locks:
        return Locks(self.paths, self.lock_timeout_s)

    def _require_logs(self) -> None:
        """NotFoundError when there are no logs; a link or a file in the folder's place is a clear StoreError."""
        try:
            safe_files.check_folder(self.logs_dir)
        except UnsafeFileError as exc:
            raise unsafe_store_error(exc) from None
        except FileNotFoundError:
            raise NotFoundError(f"no logs in {self.logs_dir}",
                                hint="run a task first, or check --project / --project-root / --logs-dir "
                                     "(the REPL's logs folder, if it was given one)") from None
        except OSError as exc:
            raise cannot_read_logs(self.logs_dir, self.paths.hint_project, exc) from None

    def _require_session(self, session_id: str) -> None:
        self._require_logs()
        require_session_folder(self.paths, session_id)

    # -- sessions ------------------------------------------------------------------------

    def session_exists(self, session_id: str) -> bool:
        """True for a real session folder; a link in its place is a clear StoreError, not "no session"."""
        try:
            require_session_folder(self.paths, validate(IdKind.SESSION, session_id))
        except NotFoundError:
            return False
        return True

    def list_sessions(self) -> list[SessionSummary]:
        """The sessions, oldest first; rebuilt (and rewritten) when the global index is missing, corrupted or incomplete.

        A row whose session has not ended (it is live, or its runner died) gets its counts from
        the session's own index, which is what its runner updates.
        """
        rows = self._global_rows()
        return sorted(self._settled(rows), key=lambda r: indexes.session_sort_key(r.session_id))

    def _global_rows(self) -> list[SessionSummary]:
        """The global index's rows of the sessions on disk (rebuilt and rewritten when it lacks one)."""
        self._require_logs()
        self.last_rebuilt = False
        with_meta, shown = self._session_folders()
        current = global_index.read_global_index(self.paths)
        if current is not None and with_meta <= {r.session_id for r in current.sessions}:
            rows = [row for row in current.sessions if row.session_id in shown]
        else:
            self.last_rebuilt = True
            rebuilt = global_index.rebuild_global_index(self.paths, now_iso())
            self._write_back(self.locks.global_index(),
                             lambda: global_index.write_global_index_locked(self.paths, rebuilt, durable_write=True))
            rows = rebuilt.sessions
        return rows

    def _session_folders(self) -> tuple[set[str], set[str]]:
        """(sessions with a `session.json`, sessions with that or an index): the ones a listing must and may show.

        A folder with neither is one whose creator died before writing anything in it.
        """
        with_meta: set[str] = set()
        shown: set[str] = set()
        for sid in indexes.session_ids_on_disk(self.paths):
            if self._is_file(self.paths.session_meta(sid)):
                with_meta.add(sid)
                shown.add(sid)
            elif self._is_file(self.paths.session_index(sid)):
                shown.add(sid)
        return with_meta, shown

    @staticmethod
    def _is_file(path: Path) -> bool:
        try:
            st = safe_files.lstat(path)
        except OSError:
            return False
        return st is not None and stat.S_ISREG(st.st_mode)

    def _settled(self, rows: list[SessionSummary]) -> list[SessionSummary]:
        """Rows of sessions not ended counted from their index; rows that missed their `ended_at` get it, once."""
        settled: list[SessionSummary] = []
        fixed: list[SessionSummary] = []
        for row in rows:
            if row.ended_at is None:
                row = self._counted(row)
                meta = indexes.read_session_meta(self.paths, row.session_id)
                if meta is not None and meta.ended_at is not None:  # a row written before rows had ended_at
                    row = row.model_copy(update={"ended_at": meta.ended_at})
                    fixed.append(row)
            settled.append(row)
        if fixed:
            self._write_back(self.locks.global_index(), lambda: self._put_rows_locked(fixed))
        return settled

    def _counted(self, row: SessionSummary) -> SessionSummary:
        loaded = indexes.read_session_rows(self.paths, row.session_id)
        if loaded is None:
            index = indexes.rebuild_session_index(self.paths, row.session_id, now_iso())
            counts, count, updated = indexes.counts_of(index.entries), len(index.entries), index.updated_at
        else:
            rows = loaded.rows
            counts, count = global_index.counts_of_rows(rows), len(rows)
            updated = max(str(loaded.header.get("updated_at") or row.updated_at), loaded.journal_updated_at)
        return row.model_copy(update={"counts": counts, "task_count": count, "updated_at": updated})

    def _put_rows_locked(self, rows: list[SessionSummary]) -> None:
        for row in rows:
            global_index.put_global_row_locked(self.paths, row, now_iso(), durable_write=True)

    def latest_session_id(self) -> str | None:
        """The most recently started session, or None when there is none.

        Only the ids are needed: the index's rows are read as stored; one without a valid id, or a
        session folder the index lacks, makes the whole index go through `_global_rows` (which
        validates it and rebuilds it when it must).
        """
        self._require_logs()
        self.last_rebuilt = False
        with_meta, shown = self._session_folders()
        listed = global_index.read_session_ids(self.paths)
        if listed is not None and with_meta <= set(listed):
            ids = [session_id for session_id in listed if session_id in shown]
        else:
            ids = [row.session_id for row in self._global_rows()]  # no counting: only the id is needed
        return max(ids, key=indexes.session_sort_key) if ids else None

    def read_session_meta(self, session_id: str) -> SessionMeta:
        self._require_session(session_id)
        meta = indexes.read_session_meta(self.paths, session_id)
        if meta is None:
            raise StoreError(f"session.json of {session_id} is missing or corrupted",
                             hint=f"its tasks can still be listed: /logs --session {session_id}")
        return meta

    def read_session_index(self, session_id: str) -> SessionIndex:
        """The session's task rows as models; rebuilt from the task files (and rewritten) when missing or corrupted."""
        self._require_session(session_id)
        self.last_rebuilt = False
        index = indexes.read_session_index(self.paths, session_id)
        if index is not None:
            from runner.logs.models import SessionIndex

            return SessionIndex.model_construct(session_id=index.session_id, updated_at=index.updated_at,
                                                entries=list(index.entries))
        self.last_rebuilt = True
        rebuilt = indexes.rebuild_session_index(self.paths, session_id, now_iso())
        self._write_back(self.locks.session(session_id),
                         lambda: self._write_session_index_if_still_broken(session_id, rebuilt))
        return rebuilt

    def read_session_rows(self, session_id: str) -> list[dict[str, Any]]:
        """The session's task rows as stored, in task order, without validating them (views check what they show).

        What the list, the tree and the browser read: one parse of the index, no model per row.
        A missing or corrupted index is rebuilt, as by `read_session_index`. The rows may be
        shared with later reads: callers must not change them.
        """
        self._require_session(session_id)
        self.last_rebuilt = False
        loaded = indexes.read_session_rows(self.paths, session_id)
        if loaded is not None:
            return loaded.rows
        rebuilt = self.read_session_index(session_id)
        return [entry.model_dump(mode="json", exclude_defaults=True) for entry in rebuilt.entries]

    def read_session_tail(self, session_id: str, count: int) -> Tail | None:
        """The session's last `count` task rows as stored, its row count and counts by status, read from
        the end of its index (the cost grows with `count`, not the session); None when only
        `read_session_rows` can tell (an index written before this layout, a missing or broken one)."""
        self._require_session(session_id)
        self.last_rebuilt = False
        return indexes.read_session_tail(self.paths, session_id, count)

    def _write_session_index_if_still_broken(self, session_id: str, rebuilt: SessionIndex) -> None:
        if indexes.read_session_rows(self.paths, session_id) is None:
            indexes.write_session_index_locked(self.paths, rebuilt, durable_write=True)

    def _write_back(self, lock: AbstractContextManager[None], write: Callable[[], None]) -> None:
        """Best effort: a rebuilt index is returned even when it cannot be saved (read-only folder, busy lock)."""
        try:
            with lock:
                write()
        except (OSError, RunnerError):
            pass

    # -- tasks ---------------------------------------------------------------------------

    def read_task(self, session_id: str, task_id: str) -> TaskLog | CorruptedLog:
        """The task's snapshot merged with its journal; CorruptedLog when the snapshot does not parse."""
        self._require_session(session_id)
        snapshot = self.paths.task_snapshot(session_id, task_id)
        try:
            return load_task(snapshot, self.paths.task_journal(session_id, task_id),
                             session_id=session_id, task_id=task_id)
        except FileNotFoundError:
            raise NotFoundError(f"no task {task_id} in session {session_id}",
                                hint=f"/logs --session {session_id} lists its tasks") from None

    def read_task_for_view(self, session_id: str, task_id: str) -> StoredTask | TaskLog | CorruptedLog:
        """`read_task` for the detail view: events exactly as the store writes them stay plain dicts
        (`stored_task`); anything else is read by `read_task`, whatever it makes of the files."""
        self._require_session(session_id)
        stored = read_stored_task(self.paths.task_snapshot(session_id, task_id),
                                  self.paths.task_journal(session_id, task_id), session_id=session_id, task_id=task_id)
        return stored if stored is not None else self.read_task(session_id, task_id)

    def resolve_task(self, session_id: str, id_or_external_id: str) -> str:
        """The internal id (`task-NNN`) for `task-NNN`, `NNN`, or the external `task-<epoch-ms>`."""
        ref = id_or_external_id.strip()
        if ref.isascii() and ref.isdigit() and len(ref) <= 12:
            ref = f"task-{int(ref):03d}"
        internal = is_valid(IdKind.TASK, ref)
        if not internal and not is_valid(IdKind.EXTERNAL_TASK, ref):
            raise InvalidIdError(f"invalid task id {id_or_external_id[:80]!r}",
                                 hint="task ids look like task-001 or task-1768319005471")
        self._require_session(session_id)
        if internal and safe_files.lstat(self.paths.task_snapshot(session_id, ref)) is not None:
            return ref  # the file is the truth (the index may be behind, or being rewritten)
        field = "task_id" if internal else "external_task_id"
        for row in self.read_session_rows(session_id):
            if row.get(field) == ref and is_valid(IdKind.TASK, row.get("task_id")):
                return str(row["task_id"])
        raise NotFoundError(f"no task {id_or_external_id} in session {session_id}",
                            hint=f"/logs --session {session_id} lists its tasks")
