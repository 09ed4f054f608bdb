"""Session folders: id allocation, `session.json`, and whether a session's owner is still alive.

`session.json` is rewritten only when a runner takes a session (open or
continue) or releases it (close), so its `updated_at` is the moment the current
owner `pid` took it; that is what lets a reused pid be told apart from its owner.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from runner import __version__
from runner.errors import NotFoundError, StoreError
from runner.ids import IdKind, format_session_id, validate
from runner.logs.models import SessionMeta
from runner.logs.store import codec, durable, indexes
from runner.logs.store.context import StoreContext
from runner.logs.store.locks import Locks
from runner.logs.store.paths import PRIVATE_DIR_MODE, LogPaths, ensure_private_dir
from runner.logs.store.session_rows import SessionRows
from runner.timestamps import epoch_ms_of, now_iso, now_ms

# Sessions opened by a manager in this very process: a session whose recorded pid
# is ours but is not in here was left by an earlier process that had our pid.
OPEN_IN_THIS_PROCESS: set[str] = set()
_PID_REUSE_SLACK_S = 2.0


def allocate_session(paths: LogPaths, *, day: str, lock_timeout_s: float, durable_write: bool) -> str:
    """Create `sessions/sess-<day>-NNN/` under the global lock and return its id.

    The next number comes from the folder names (the index may be stale), and
    `os.mkdir` failing on an existing folder moves on to the next number, so two
    runners can never get the same id.
    """
    ensure_private_dir(paths.sessions_dir, stop_at=paths.project_root)
    pattern = re.compile(rf"sess-{re.escape(day)}-(\d{{3,9}})")
    with Locks(paths, lock_timeout_s).global_index():
        numbers = [int(m.group(1)) for n in os.listdir(paths.sessions_dir) if (m := pattern.fullmatch(n))]
        number = max(numbers, default=0) + 1
        while True:
            session_id = validate(IdKind.SESSION, format_session_id(day, number))
            folder = paths.session_dir(session_id)
            try:
                os.mkdir(folder, PRIVATE_DIR_MODE)
            except FileExistsError:
                number += 1
                continue
            except OSError as exc:
                raise StoreError(f"cannot create session folder {folder}: {exc.strerror}",
                                 hint="check free space and permissions of the logs folder") from exc
            os.chmod(folder, PRIVATE_DIR_MODE)
            break
        if durable_write:
            durable.fsync_dir(paths.sessions_dir)
    ensure_private_dir(paths.tasks_dir(session_id), stop_at=paths.project_root)
    return session_id


def new_meta(paths: LogPaths, session_id: str, *, now: str, project_mode: str, executor: str | None,
             model: str | None, durability: str, interactive: bool) -> SessionMeta:
    return SessionMeta(
        session_id=session_id, started_at=now, updated_at=now, project_root=str(paths.project_root),
        project_mode=project_mode, executor=executor, model=model, durability=durability,
        interactive=interactive, runner_version=__version__,
        python_version=".".join(map(str, sys.version_info[:3])), pid=os.getpid(),
    )


def write_meta_locked(paths: LogPaths, meta: SessionMeta, *, durable_write: bool) -> None:
    """Replace `session.json` (caller holds the session lock)."""
    durable.write_atomic(paths.session_meta(meta.session_id), codec.dumps(meta), durable=durable_write)


def owner_alive(meta: SessionMeta) -> bool:
    """Whether the process recorded as the session's owner is still running it.

    Dead: no such process, a zombie, our own pid without this process having
    opened the session (an earlier process had our pid), or a process that
    started after it took the session (the pid was reused). Alive otherwise,
    including processes of another user we may not signal.
    """
    pid = meta.pid
    if pid <= 0:
        return False
    if pid == os.getpid():
        return meta.session_id in OPEN_IN_THIS_PROCESS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except OSError as exc:
        return exc.errno != errno.ESRCH
    state, started = _proc_state(pid)
    if state == "Z":
        return False
    taken_at = meta.updated_at or meta.started_at
    if started is not None and started > epoch_ms_of(taken_at) / 1000 + _PID_REUSE_SLACK_S:
        return False
    return True


def _proc_state(pid: int) -> tuple[str | None, float | None]:
    """(state letter, start time in epoch seconds) from /proc on Linux; (None, None) elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = _boot_time()
    except (OSError, ValueError):
        return None, None
    fields = stat[stat.rindex(")") + 2 :].split()
    try:
        ticks = int(fields[19])
        return fields[0], (boot + ticks / os.sysconf("SC_CLK_TCK")) if boot is not None else None
    except (IndexError, ValueError, OSError):
        return fields[0] if fields else None, None


def _boot_time() -> float | None:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return None


def utc_day(epoch_ms: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(epoch_ms / 1000))


def open_new_session(ctx: StoreContext, meta_fields: dict[str, Any]) -> tuple[SessionMeta, SessionRows]:
    """Allocate a session, write its `session.json`, empty index and global row; this process owns it."""
    paths = ctx.paths
    session_id = allocate_session(paths, day=utc_day(now_ms()), lock_timeout_s=ctx.lock_timeout_s,
                                  durable_write=ctx.strict)
    meta = new_meta(paths, session_id, now=now_iso(), durability=ctx.durability.value, **meta_fields)
    try:
        with ctx.locks.session(session_id):
            write_meta_locked(paths, meta, durable_write=ctx.strict)
            rows = SessionRows(ctx, session_id)
            rows.refresh()
            rows.write_locked(durable_write=ctx.strict)
            ctx.put_global_row(rows.summary(meta), durable_write=ctx.strict)
    except OSError as exc:  # a read-only logs folder, or a folder where an index file should be
        raise StoreError(f"cannot write session {session_id} in {paths.logs_dir}: {exc.strerror or exc}",
                         hint=f"check free space and the permissions of {paths.logs_dir}") from exc
    OPEN_IN_THIS_PROCESS.add(session_id)
    return meta, rows


def take_session(ctx: StoreContext, session_id: str) -> tuple[SessionMeta, SessionRows]:
    """Become the owner of an existing session, unless a live runner owns it."""
    paths = ctx.paths
    if not paths.session_dir(session_id).is_dir():
        raise NotFoundError(f"no session {session_id} in {paths.logs_dir}",
                            hint="/sessions lists the sessions of this project")
    with ctx.locks.session(session_id):
        meta = indexes.read_session_meta(paths, session_id)
        if meta is None:
            raise StoreError(f"session {session_id} has no readable session.json",
                             hint="start a new session with /start")
        if owner_alive(meta):
            raise StoreError(f"session {session_id} is in use by another pm-runner (pid {meta.pid})",
                             hint="start a new session with /start, or wait for that runner to exit")
        meta = meta.model_copy(update={"pid": os.getpid(), "updated_at": now_iso(), "ended_at": None})
        write_meta_locked(paths, meta, durable_write=ctx.strict)
        rows = SessionRows(ctx, session_id)
        rows.refresh()
    OPEN_IN_THIS_PROCESS.add(session_id)
    return meta, rows


def release_session(ctx: StoreContext, meta: SessionMeta, *, finished: bool) -> None:
    """Give the session up; `finished` (every task terminal) stamps `ended_at` so recovery skips it."""
    OPEN_IN_THIS_PROCESS.discard(meta.session_id)
    if not finished:
        return
    ended = meta.model_copy(update={"ended_at": now_iso()})
    with ctx.locks.session(meta.session_id):
        write_meta_locked(ctx.paths, ended, durable_write=True)
