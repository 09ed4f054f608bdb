"""Why a file or folder under the project cannot be read or written, said the way a person can act on it.

"Permission denied" names neither the folder that refused nor whose it is: a `.claude/` made by
root (a run with sudo) then read by the user, or a project on a read-only mount, both look
like that. These helpers find the first folder on the way that is the cause and describe it:
a read-only file system, or the owner, the mode and the permission the current user lacks.
Read-only checks only (`lstat`, `access`, `statvfs`): nothing is created or followed.
"""

from __future__ import annotations

import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from runner.errors import LogsNotWritableError, StoreError

READ, WRITE = "read", "write"


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def current_user() -> str:
    return user_name(os.geteuid())


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


@dataclass(frozen=True)
class Refusal:
    """The folder or file that refuses, and why in words."""

    path: Path
    reason: str
    read_only_fs: bool = False


_SHIFT = {"read (r)": 2, "write (w)": 1, "search (x)": 0}  # the bit within each rwx triple


def _mode_allows(info: os.stat_result, permission: str) -> bool:
    """Whether the owner, group or other bits that apply to this process grant `permission`."""
    if info.st_uid == os.geteuid():
        triple = 6
    elif info.st_gid == os.getegid() or info.st_gid in os.getgroups():
        triple = 3
    else:
        triple = 0
    return bool(info.st_mode >> (triple + _SHIFT[permission]) & 1)


def _refusal(path: Path, permission: str) -> Refusal:
    info = os.lstat(path)
    kind = "folder" if stat.S_ISDIR(info.st_mode) else "file"
    mode, owner = stat.filemode(info.st_mode), user_name(info.st_uid)
    if _mode_allows(info, permission):
        # An immutable attribute, a read-only bind mount or a security policy refuses, not the mode.
        return Refusal(path, f"the {kind} {path} refuses {permission.split()[0]} access although its mode "
                             f"({mode}, owner {owner}) allows it (immutable, or a security policy)")
    return Refusal(path, f"the {kind} {path} belongs to {owner} ({mode}) "
                         f"and {current_user()} has no {permission} permission on it")


def explain(path: Path, want: str) -> Refusal | None:
    """Why `path` cannot be read (`READ`) or created/written (`WRITE`), or None when nothing on the way refuses.

    Walks from `/` down: a folder that cannot be entered is the cause; past the last existing
    folder, writing needs write permission on that folder and a read-write file system.
    """
    path = Path(os.path.abspath(path))
    existing = Path(path.anchor)
    for part in path.parts[1:]:
        step = existing / part
        try:
            info = os.lstat(step)
        except OSError:
            break
        existing = step
        if not stat.S_ISDIR(info.st_mode):
            if step != path or want == WRITE:
                return None  # something in the way, not a permission: the caller's own error says it
            break
        if step == path:
            break
        if not os.access(step, os.X_OK):
            return _refusal(step, "search (x)")
    found = existing == path
    if want == READ:
        return _refusal(path, "read (r)") if found and not os.access(path, os.R_OK) else None
    if _read_only_fs(existing):
        return Refusal(existing, f"{existing} is on a read-only file system", read_only_fs=True)
    if found and not os.access(path, os.W_OK):
        return _refusal(path, "write (w)")
    if not found and not os.access(existing, os.W_OK | os.X_OK):
        return _refusal(existing, "write (w)")
    return None


ELSEWHERE = "keep the logs elsewhere with --logs-dir DIR (or PM_RUNNER_LOGS_DIR)"
ANOTHER_LOGS_DIR = "pass a folder you can write to --logs-dir (or PM_RUNNER_LOGS_DIR)"


def fix_hint(refusal: Refusal, project_root: Path | None, *, logs: bool = False) -> str:
    """What to do about `refusal`: a writable place for a read-only mount, the owner's folder back otherwise.

    With `logs` (the task logs cannot be written) `--logs-dir` is offered too: as a way out of a
    project folder, and as the thing to change for a folder outside the project (`project_root`
    None: in a logs folder the user chose).
    """
    inside = project_root is not None and (refusal.path == project_root or project_root in refusal.path.parents)
    if project_root is None and not logs:
        return f"give {current_user()} that permission, or pass another folder to --logs-dir"
    if project_root is None or (logs and not inside):
        return ANOTHER_LOGS_DIR + (", or remount it read-write" if refusal.read_only_fs else "")
    ways = [ELSEWHERE] if logs else []
    if refusal.read_only_fs:
        return ", ".join([*ways, "remount it read-write", "or run pm-runner in a writable copy of the project "
                          "(--project-root <copy>): by default every task is logged under <project>/.claude/logs"])
    claude = project_root / ".claude"
    if refusal.path == claude or claude in refusal.path.parents:
        return ("it was probably created by a run as another user (sudo): make it yours with "
                f"`sudo chown -R {current_user()} {claude}`, " + _or_list(["run pm-runner as its owner", *ways]))
    return _or_list([f"give {current_user()} that permission", "run pm-runner in a project folder you own", *ways])


def _or_list(choices: list[str]) -> str:
    """`a, b, or c`; a lone choice is `or a` (it follows another way already named)."""
    return ", ".join([*choices[:-1], "or " + choices[-1]])


def check_logs_writable(project_root: Path | None, logs_dir: Path, folders: tuple[Path, ...]) -> None:
    """LogsNotWritableError naming the folder and the fix when the task logs cannot be written.

    `folders` are the ones a new session creates its files in (the sessions folder); where one
    does not exist yet, its nearest existing parent must let it be created.
    """
    for folder in folders:
        refusal = explain(folder, WRITE)
        if refusal is not None:
            raise LogsNotWritableError(f"cannot write the task logs in {logs_dir}: {refusal.reason}",
                                       hint=fix_hint(refusal, project_root, logs=True))


def cannot_read_logs(logs_dir: Path, project_root: Path | None, exc: OSError) -> StoreError:
    """The error for logs that cannot be looked at: the refusing folder and its owner when a
    permission is missing, else the system's words and the usual cause."""
    refusal = explain(logs_dir, READ) if isinstance(exc, PermissionError) else None
    if refusal is not None:
        return StoreError(f"cannot read the logs in {logs_dir}: {refusal.reason}", hint=fix_hint(refusal, project_root))
    return StoreError(f"cannot read the logs in {logs_dir}: {exc.strerror or exc}",
                      hint="the logs folder must be a real folder; move away what is in its place")
