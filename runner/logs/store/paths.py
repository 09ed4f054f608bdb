"""Where every log file lives (DESIGN §3) and how its folders are created 0700.

Every id is validated against its pattern before it is joined into a path, so
an id typed by a user can never name a file outside the logs folder: `<project>/.claude/logs/`,
or the folder the user chose with `--logs-dir` (`logs_root.py`), laid out the same way.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from runner.errors import LogsNotWritableError, NotFoundError, StoreError
from runner.ids import IdKind, validate
from runner.logs.store import safe_files
from runner.logs.store.access import WRITE, cannot_read_logs, explain, fix_hint
from runner.logs.store.safe_files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, UnsafeFileError

__all__ = ["LOCK_NAME", "OWNER_LOCK_NAME", "PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "LogPaths", "ensure_private_dir",
           "has_sessions", "require_session_folder", "task_id_of_file", "unsafe_store_error"]

LOCK_NAME = ".lock"
OWNER_LOCK_NAME = ".owner.lock"


_SESSIONS_KEPT = 256  # sessions whose paths a LogPaths remembers (a reader may go through thousands)


@dataclass(frozen=True)
class _SessionPaths:
    folder: Path
    meta: Path
    index: Path
    lock: Path
    owner_lock: Path
    tasks: Path

    @classmethod
    def of(cls, folder: Path) -> _SessionPaths:
        return cls(folder, folder / "session.json", folder / "index.json", folder / LOCK_NAME,
                   folder / OWNER_LOCK_NAME, folder / "tasks")


class LogPaths:
    """The layout of one project's logs folder; pure path arithmetic plus id validation.

    `logs_dir` is the folder the user chose (`--logs-dir`, already resolved and trusted by
    `logs_root.choose_logs_dir`); None keeps the default `<project>/.claude/logs`.
    """

    def __init__(self, project_root: Path, logs_dir: Path | None = None) -> None:
        self.project_root = Path(os.path.abspath(project_root))
        self.chosen = logs_dir is not None
        self.logs_dir = Path(os.path.abspath(logs_dir)) if logs_dir is not None \
            else self.project_root / ".claude" / "logs"
        self.global_index = self.logs_dir / "index.json"
        self.global_lock = self.logs_dir / LOCK_NAME
        self.sessions_dir = self.logs_dir / "sessions"
        self.raw_root = self.logs_dir / "raw"
        self._sessions: dict[str, _SessionPaths] = {}
        self._last_task: tuple[str | None, str | None, tuple[Path, Path]] = (None, None, (self.logs_dir, self.logs_dir))

    @property
    def shown_logs_dir(self) -> str:
        """How a report names this folder: `.claude/logs` by default, its path from the project when
        the chosen folder is inside it, else `<logs-dir>` (a report never shows a full path of this
        machine, as it never shows the project's)."""
        if self.logs_dir.is_relative_to(self.project_root) and self.logs_dir != self.project_root:
            return self.logs_dir.relative_to(self.project_root).as_posix()
        return "<logs-dir>"

    @property
    def hint_project(self) -> Path | None:
        """The project an error's hint speaks of; None for a logs folder the user chose (`--logs-dir`)."""
        return None if self.chosen else self.project_root

    def _session(self, session_id: str) -> _SessionPaths:
        """The paths of one session, made once per validated id (a writer asks for them on every
        file operation, and building Path objects costs more than a lookup)."""
        known = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if known is None:
            folder = self.sessions_dir / validate(IdKind.SESSION, session_id)
            if len(self._sessions) >= _SESSIONS_KEPT:
                self._sessions.clear()
            known = self._sessions[session_id] = _SessionPaths.of(folder)
        return known

    def session_dir(self, session_id: str) -> Path:
        return self._session(session_id).folder

    def session_meta(self, session_id: str) -> Path:
        return self._session(session_id).meta

    def session_index(self, session_id: str) -> Path:
        return self._session(session_id).index

    def session_lock(self, session_id: str) -> Path:
        return self._session(session_id).lock

    def session_owner_lock(self, session_id: str) -> Path:
        return self._session(session_id).owner_lock

    def tasks_dir(self, session_id: str) -> Path:
        return self._session(session_id).tasks

    def task_snapshot(self, session_id: str, task_id: str) -> Path:
        return self._task_files(session_id, task_id)[0]

    def task_journal(self, session_id: str, task_id: str) -> Path:
        return self._task_files(session_id, task_id)[1]

    def _task_files(self, session_id: str, task_id: str) -> tuple[Path, Path]:
        """A task's snapshot and journal paths; those of the last task asked for are kept (creating a
        task asks for both twice: is the number free, then register), so their text is made once."""
        known = self._last_task
        if known[0] == session_id and known[1] == task_id and type(session_id) is str and type(task_id) is str:
            return known[2]
        tasks, name = self.tasks_dir(session_id), validate(IdKind.TASK, task_id)
        files = (tasks / f"{name}.json", tasks / f"{name}.events.jsonl")
        self._last_task = (session_id, task_id, files)  # one tuple rebound whole: threads see a matching set
        return files

    def raw_dir(self, session_id: str) -> Path:
        return self.raw_root / validate(IdKind.SESSION, session_id)

    def raw_log(self, session_id: str, task_id: str, event_id: str) -> Path:
        task = validate(IdKind.TASK, task_id)
        event = validate(IdKind.EVENT, event_id)
        return self.raw_dir(session_id) / f"{task}_{event}.log"


_TASK_FILE_SUFFIXES = (".events.jsonl", ".json")


def task_id_of_file(name: str) -> str | None:
    """`task-001.json` (snapshot) or `task-001.events.jsonl` (journal) -> `task-001`; anything else
    (temp files, strays) -> None."""
    if name.startswith("."):
        return None
    suffix = next((end for end in _TASK_FILE_SUFFIXES if name.endswith(end)), None)
    if suffix is None:
        return None
    stem = name[: -len(suffix)]
    try:
        return validate(IdKind.TASK, stem)
    except Exception:  # noqa: BLE001 - a stray file name is simply not a task
        return None


def ensure_private_dir(path: Path) -> None:
    """Create `path` and any missing folders between it and the project root, each one 0700.

    Each folder is made one by one and fchmod-ed (`os.makedirs(mode=)` only sets the last one
    and the umask applies), without following any link (`safe_files.make_private_folders`).
    Folders that already exist are left as they are; the project root is never created.
    """
    try:
        safe_files.make_private_folders(path)
    except UnsafeFileError as exc:
        raise unsafe_store_error(exc) from None
    except FileNotFoundError:
        raise StoreError(f"cannot create log folder {path}: the project folder does not exist",
                         hint="check --project-root (a fixed project root must already exist)") from None
    except NotADirectoryError as exc:
        raise StoreError(f"cannot create log folder {path}: {exc.strerror}",
                         hint="move or delete it, or point --project-root at another project") from None
    except OSError as exc:
        raise _dir_error(path, exc.errno or 0) from exc


def unsafe_store_error(exc: UnsafeFileError) -> StoreError:
    """The user-facing error for a link, special file or hard link found where a log file should be."""
    where = "in its logs folder" if safe_files.in_chosen_logs_root(exc.path) else "under .claude"
    return StoreError(f"{exc.path} is {exc.problem}; pm-runner never follows links or opens special files {where}",
                      hint=f"remove or replace {exc.path} (it may have come with a cloned repository)")


def has_sessions(paths: LogPaths) -> bool:
    """Whether the project has a sessions folder; a link or a file anywhere on the way is a clear StoreError."""
    try:
        safe_files.check_folder(paths.sessions_dir)
    except FileNotFoundError:
        return False
    except UnsafeFileError as exc:
        raise unsafe_store_error(exc) from None
    except OSError as exc:
        raise cannot_read_logs(paths.logs_dir, paths.hint_project, exc) from None
    return True


def require_session_folder(paths: LogPaths, session_id: str) -> None:
    """NotFoundError unless the session is a real folder; a link in its place is a clear StoreError."""
    try:
        safe_files.check_folder(paths.session_dir(session_id))
    except UnsafeFileError as exc:
        raise unsafe_store_error(exc) from None
    except OSError:
        raise NotFoundError(f"no session {session_id} in {paths.logs_dir}",
                            hint="/sessions lists the sessions of this project") from None


def _dir_error(folder: Path, code: int) -> StoreError:
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        refusal = explain(folder, WRITE)
        if refusal is not None:
            return LogsNotWritableError(f"cannot create log folder {folder}: {refusal.reason}",
                                        hint=fix_hint(refusal, _project_of_logs(folder), logs=True))
        return LogsNotWritableError(f"cannot create log folder {folder}: {os.strerror(code)}",
                                    hint=f"check the permissions of {folder.parent}, or run pm-runner in a project "
                                         "folder you can write")
    return StoreError(
        f"cannot create log folder {folder}: {os.strerror(code) if code else 'unknown error'}",
        hint="check free space and permissions of the project folder",
    )


def _project_of_logs(folder: Path) -> Path | None:
    """The project of a log folder; None for one in a logs folder the user chose (`--logs-dir`)."""
    return None if safe_files.in_chosen_logs_root(folder) else project_of(folder)


def project_of(path: Path) -> Path:
    """The project folder of a path under `<project>/.claude` (the path's parent otherwise)."""
    for folder in (path, *path.parents):
        if folder.name == ".claude":
            return folder.parent
    return path.parent
