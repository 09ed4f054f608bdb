"""The log store's read API, `LogReader`: sessions, session indexes and tasks, as views and `pm-runner logs` read them.

Reads never create anything, except that an index found missing or corrupted is
rebuilt from the task files and written back.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from runner.errors import InvalidIdError, NotFoundError, RunnerError, StoreError
from runner.ids import IdKind, is_valid, validate
from runner.logs.models import (
    CorruptedLog,
    SessionIndex,
    SessionMeta,
    SessionSummary,
    TaskLog,
)
from runner.logs.store import indexes, safe_files
from runner.logs.store.journal import load_task
from runner.logs.store.locks import DEFAULT_LOCK_TIMEOUT_S, Locks
from runner.logs.store.paths import LogPaths, require_session_folder, unsafe_store_error
from runner.logs.store.safe_files import UnsafeFileError
from runner.timestamps import now_iso


class LogReader:
    """Read-only access to a project's logs, as used by `/logs`, `/sessions` and `pm-runner logs`.

    `last_rebuilt` tells whether the last `list_sessions` or `read_session_index`
    found its index missing or corrupted and rebuilt it from the files.
    """

    def __init__(self, project_root: Path, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self.paths = LogPaths(project_root)
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
                                hint="run a task first, or check --project / --project-root") from None
        except OSError as exc:
            raise StoreError(f"cannot read the logs in {self.logs_dir}: {exc.strerror or exc}",
                             hint="the logs folder must be a real folder; move away what is in its place") from None

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
        """The global index, oldest session first; rebuilt (and rewritten) when missing, corrupted or incomplete."""
        self._require_logs()
        self.last_rebuilt = False
        current = indexes.read_global_index(self.paths)
        if current is not None and self._covers_all_sessions([r.session_id for r in current.sessions]):
            return sorted(current.sessions, key=lambda r: indexes.session_sort_key(r.session_id))
        self.last_rebuilt = True
        rebuilt = indexes.rebuild_global_index(self.paths, now_iso())
        self._write_back(self.locks.global_index(),
                         lambda: indexes.write_global_index_locked(self.paths, rebuilt, durable_write=True))
        return rebuilt.sessions

    def _covers_all_sessions(self, listed: list[str]) -> bool:
        """True when the rows are exactly the session folders that have a `session.json`."""
        on_disk = {sid for sid in indexes.session_ids_on_disk(self.paths) if self._has_meta(sid)}
        return len(listed) == len(on_disk) and set(listed) == on_disk

    def _has_meta(self, session_id: str) -> bool:
        try:
            st = safe_files.lstat(self.paths.session_meta(session_id))
        except OSError:
            return False
        return st is not None and stat.S_ISREG(st.st_mode)

    def latest_session_id(self) -> str | None:
        """The most recently started session, or None when there is none."""
        sessions = self.list_sessions()
        return sessions[-1].session_id if sessions else None

    def read_session_meta(self, session_id: str) -> SessionMeta:
        self._require_session(session_id)
        meta = indexes.read_session_meta(self.paths, session_id)
        if meta is None:
            raise StoreError(f"session.json of {session_id} is missing or corrupted",
                             hint=f"its tasks can still be listed: /logs --session {session_id}")
        return meta

    def read_session_index(self, session_id: str) -> SessionIndex:
        """The session's task rows; rebuilt from the task files (and rewritten) when missing or corrupted."""
        self._require_session(session_id)
        self.last_rebuilt = False
        index = indexes.read_session_index(self.paths, session_id)
        if index is not None:
            return SessionIndex.model_construct(session_id=index.session_id, updated_at=index.updated_at,
                                                entries=list(index.entries))
        self.last_rebuilt = True
        rebuilt = indexes.rebuild_session_index(self.paths, session_id, now_iso())
        self._write_back(self.locks.session(session_id),
                         lambda: self._write_session_index_if_still_broken(session_id, rebuilt))
        return rebuilt

    def _write_session_index_if_still_broken(self, session_id: str, rebuilt: SessionIndex) -> None:
        if indexes.read_session_index(self.paths, session_id) is None:
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

    def resolve_task(self, session_id: str, id_or_external_id: str) -> str:
        """The internal id (`task-NNN`) for `task-NNN`, `NNN`, or the external `task-<epoch-ms>`."""
        ref = id_or_external_id.strip()
        if ref.isascii() and ref.isdigit() and len(ref) <= 12:
            ref = f"task-{int(ref):03d}"
        internal = is_valid(IdKind.TASK, ref)
        if not internal and not is_valid(IdKind.EXTERNAL_TASK, ref):
            raise InvalidIdError(f"invalid task id {id_or_external_id[:80]!r}",
                                 hint="task ids look like task-001 or task-1768319005471")
        index = self.read_session_index(session_id)
        for entry in index.entries:
            if (entry.task_id if internal else entry.external_task_id) == ref:
                return entry.task_id
        if internal and safe_files.lstat(self.paths.task_snapshot(session_id, ref)) is not None:
            return ref  # registered a moment ago, or the index is behind: the file is the truth
        raise NotFoundError(f"no task {id_or_external_id} in session {session_id}",
                            hint=f"/logs --session {session_id} lists its tasks")
