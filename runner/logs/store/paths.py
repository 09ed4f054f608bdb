"""Where every log file lives (DESIGN §3) and how its folders are created 0700.

Every id is validated against its pattern before it is joined into a path, so
an id typed by a user can never name a file outside `<project>/.claude/logs/`.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from runner.errors import StoreError
from runner.ids import IdKind, validate

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
LOCK_NAME = ".lock"


class LogPaths:
    """The layout of one project's logs folder; pure path arithmetic plus id validation."""

    def __init__(self, project_root: Path) -> None:
        self.project_root = Path(os.path.abspath(project_root))
        self.logs_dir = self.project_root / ".claude" / "logs"
        self.global_index = self.logs_dir / "index.json"
        self.global_lock = self.logs_dir / LOCK_NAME
        self.sessions_dir = self.logs_dir / "sessions"
        self.raw_root = self.logs_dir / "raw"

    def session_dir(self, session_id: str) -> Path:
        return self.sessions_dir / validate(IdKind.SESSION, session_id)

    def session_meta(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "session.json"

    def session_index(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "index.json"

    def session_lock(self, session_id: str) -> Path:
        return self.session_dir(session_id) / LOCK_NAME

    def tasks_dir(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "tasks"

    def task_snapshot(self, session_id: str, task_id: str) -> Path:
        return self.tasks_dir(session_id) / f"{validate(IdKind.TASK, task_id)}.json"

    def task_journal(self, session_id: str, task_id: str) -> Path:
        return self.tasks_dir(session_id) / f"{validate(IdKind.TASK, task_id)}.events.jsonl"

    def raw_dir(self, session_id: str) -> Path:
        return self.raw_root / validate(IdKind.SESSION, session_id)

    def raw_log(self, session_id: str, task_id: str, event_id: str) -> Path:
        task = validate(IdKind.TASK, task_id)
        event = validate(IdKind.EVENT, event_id)
        return self.raw_dir(session_id) / f"{task}_{event}.log"


def task_id_of_snapshot(name: str) -> str | None:
    """`task-001.json` -> `task-001`; anything else (journals, temp files, strays) -> None."""
    if not name.endswith(".json") or name.startswith("."):
        return None
    stem = name[: -len(".json")]
    try:
        return validate(IdKind.TASK, stem)
    except Exception:  # noqa: BLE001 - a stray file name is simply not a task
        return None


def ensure_private_dir(path: Path, *, stop_at: Path) -> None:
    """Create `path` and any missing parents below `stop_at`, each one 0700.

    `os.makedirs(mode=)` only applies the mode to the last folder and the umask
    still applies, so each folder is made one by one and chmod-ed explicitly.
    Folders that already exist are left as they are.
    """
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        if current == stop_at or current.parent == current:
            raise StoreError(
                f"cannot create log folder {path}: {current} does not exist or is not a folder",
                hint="check --project-root (a fixed project root must already exist)",
            )
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        _make_one(folder)


def _make_one(folder: Path) -> None:
    try:
        os.mkdir(folder, PRIVATE_DIR_MODE)
    except FileExistsError:
        if folder.is_dir():
            return  # another process made it first
        raise _dir_error(folder, errno.EEXIST) from None
    except OSError as exc:
        raise _dir_error(folder, exc.errno or 0) from exc
    os.chmod(folder, PRIVATE_DIR_MODE)


def _dir_error(folder: Path, code: int) -> StoreError:
    if code in (errno.EEXIST, errno.ENOTDIR):
        blocker = _first_non_dir(folder)
        return StoreError(
            f"cannot create log folder {folder}: {blocker} is a file, not a folder",
            hint=f"move or delete {blocker}, or point --project-root at another project",
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(
            f"cannot create log folder {folder}: permission denied",
            hint=f"check the permissions of {folder.parent}, or point --project-root at a writable folder",
        )
    return StoreError(
        f"cannot create log folder {folder}: {os.strerror(code) if code else 'unknown error'}",
        hint="check free space and permissions of the project folder",
    )


def _first_non_dir(folder: Path) -> Path:
    for candidate in [*reversed(folder.parents), folder]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return folder
