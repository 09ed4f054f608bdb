"""Session folders: id allocation, `session.json`, and who owns a session (its owner lock).

`session.json` is rewritten only when a runner takes a session (open or continue) or
releases it (close). Its `pid` is shown to people; whether the owner is alive is decided by
the owner lock alone.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner import __version__
from runner.errors import StoreError
from runner.ids import IdKind, format_session_id, validate
from runner.logs.models import SessionMeta, SessionSummary
from runner.logs.store import codec, global_index, indexes, safe_files
from runner.logs.store.context import StoreContext
from runner.logs.store.locks import Locks, take_if_free
from runner.logs.store.paths import LogPaths, ensure_private_dir, require_session_folder
from runner.logs.store.session_rows import SessionRows
from runner.timestamps import now_iso, now_ms

# Owner locks this process holds, by logs folder and session id. A session is in use exactly while
# some process holds its owner lock (`sessions/<sid>/.owner.lock`): the kernel releases it when that
# process dies, whatever pid namespace it ran in, so liveness never depends on a pid. Keyed by the
# folder too: session ids repeat across projects (`sess-<day>-001` in each), and owning one
# project's session must not make the same id in another project look alive (never recovered).
_OWNED: dict[tuple[Path, str], int] = {}
MAX_SESSION_NUMBER = 999_999_999  # `sess-YYYYMMDD-NNN` allows 3 to 9 digits


def _keep_out_of_git(paths: LogPaths) -> None:
    """`<logs>/.gitignore` (`*`): the logs are private and never committed with the project.

    Written in a `--logs-dir` folder too: it keeps the logs out of whatever work tree that folder
    sits in. Never through a link: an existing entry of any kind (the user's own file, a symlink)
    is left alone.
    """
    target = paths.logs_dir / ".gitignore"
    if not safe_files.exists(target):
        safe_files.write_atomic(target, b"*\n", durable=False)


def allocate_session(paths: LogPaths, *, day: str, lock_timeout_s: float, durable_write: bool,
                     register: Callable[[str], None] = lambda _sid: None) -> str:
    """Create `sessions/sess-<day>-NNN/` under the global lock, take its owner lock, return its id.

    The next number comes from the folder names (the index may be stale), and a folder that
    already exists moves on to the next number, so two runners can never get the same id. Names
    that are not valid ids are ignored, and past the counter's last number the lowest free one
    is used: a stray `sess-<day>-999999999` never blocks new sessions. `register(id)` runs under
    the same lock once the folder exists (the session's global-index row goes in there, before
    anything else is written in the folder).
    """
    ensure_private_dir(paths.sessions_dir)
    _keep_out_of_git(paths)
    pattern = re.compile(rf"sess-{re.escape(day)}-([0-9]{{3,9}})", re.ASCII)
    with Locks(paths, lock_timeout_s).global_index():
        taken = {int(m.group(1)) for n in safe_files.list_names(paths.sessions_dir) if (m := pattern.fullmatch(n))}
        for number in _free_numbers(taken):
            session_id = validate(IdKind.SESSION, format_session_id(day, number))
            try:
                safe_files.make_private_folder(paths.session_dir(session_id))
            except FileExistsError:
                continue
            except OSError as exc:
                raise StoreError(f"cannot create session folder {paths.session_dir(session_id)}: "
                                 f"{exc.strerror or exc}",
                                 hint="check free space and permissions of the logs folder") from exc
            break
        else:
            raise StoreError(f"no free session number left for {day}", hint="remove old sessions: logs clear")
        take_ownership(paths, session_id)
        try:
            if durable_write:
                safe_files.fsync_folder(paths.sessions_dir)
            register(session_id)
        except BaseException:
            release_ownership(paths, session_id)
            raise
    try:
        ensure_private_dir(paths.tasks_dir(session_id))
    except BaseException:
        release_ownership(paths, session_id)
        raise
    return session_id


def _free_numbers(taken: set[int]) -> Iterator[int]:
    """One past the highest number in use, upwards; past the last number, the gaps from 1."""
    start = max(taken, default=0) + 1
    yield from range(start, MAX_SESSION_NUMBER + 1)
    yield from (number for number in range(1, min(start, MAX_SESSION_NUMBER + 1)) if number not in taken)


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
    safe_files.write_atomic(paths.session_meta(meta.session_id), codec.dumps(meta), durable=durable_write)


# -- ownership -----------------------------------------------------------------------------------


def take_ownership(paths: LogPaths, session_id: str) -> bool:
    """Hold the session's owner lock until `release_ownership` (or this process dies).

    False when it is owned already, by another process or by another manager of this one.
    """
    if _owned_key(paths, session_id) in _OWNED:
        return False
    fd = take_if_free(paths.session_owner_lock(session_id), what=f"session {session_id}", create=True)
    if fd is None:
        return False
    _OWNED[_owned_key(paths, session_id)] = fd
    return True


def _owned_key(paths: LogPaths, session_id: str) -> tuple[Path, str]:
    return paths.sessions_dir, session_id


def release_ownership(paths: LogPaths, session_id: str) -> None:
    """Let the session go; what a crash does too (the kernel drops the lock of a dead process)."""
    fd = _OWNED.pop(_owned_key(paths, session_id), None)
    if fd is not None:
        os.close(fd)


def owner_alive(paths: LogPaths, session_id: str) -> bool:
    """Whether a runner owns the session now: this process, or any process holding its owner lock.

    Nothing is created: a session without an owner lock file has no owner. An owner lock that
    cannot be checked (unreadable, or not a regular file) counts as held: a session is only
    ever acted on when its lock is proven free.
    """
    if _owned_key(paths, session_id) in _OWNED:
        return True
    try:
        fd = take_if_free(paths.session_owner_lock(session_id), what=f"session {session_id}", create=False)
    except FileNotFoundError:
        return False
    except StoreError:
        return True
    if fd is None:
        return True
    os.close(fd)
    return False


@contextmanager
def claimed(paths: LogPaths, session_id: str) -> Iterator[bool]:
    """Hold the owner lock of a session nobody owns for the `with` body (True); False when it is owned.

    Recovery and removal act only inside a claim, so a runner cannot take the session meanwhile.
    """
    if _owned_key(paths, session_id) in _OWNED:
        yield False
        return
    try:
        fd = take_if_free(paths.session_owner_lock(session_id), what=f"session {session_id}", create=True)
    except StoreError:
        fd = None
    if fd is None:
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


def utc_day(epoch_ms: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(epoch_ms / 1000))


def open_new_session(ctx: StoreContext, meta_fields: dict[str, Any]) -> tuple[SessionMeta, SessionRows]:
    """Allocate a session (its global row goes in with the folder), write `session.json` and an empty index.

    Whatever a kill interrupts, every session folder with a `session.json` has its global row:
    the row is written under the global lock that creates the folder, before the metadata.
    """
    paths = ctx.paths
    made: list[SessionMeta] = []

    def register(session_id: str) -> None:
        meta = new_meta(paths, session_id, now=now_iso(), durability=ctx.durability.value, **meta_fields)
        row = SessionSummary(session_id=session_id, started_at=meta.started_at, updated_at=meta.started_at,
                             project_root=meta.project_root, executor=meta.executor)
        global_index.put_global_row_locked(paths, row, meta.started_at, durable_write=ctx.strict)
        made.append(meta)

    try:
        session_id = allocate_session(paths, day=utc_day(now_ms()), lock_timeout_s=ctx.lock_timeout_s,
                                      durable_write=ctx.strict, register=register)
    except OSError as exc:
        raise _unwritable(paths, "a new session", exc) from exc
    meta = made[0]
    try:
        with ctx.locks.session(session_id):
            write_meta_locked(paths, meta, durable_write=ctx.strict)
            rows = SessionRows(ctx, session_id)
            rows.refresh()
            rows.compact_locked(durable_write=ctx.strict)
    except OSError as exc:  # a read-only logs folder, or a folder where an index file should be
        release_ownership(paths, session_id)
        raise _unwritable(paths, f"session {session_id}", exc) from exc
    except BaseException:
        release_ownership(paths, session_id)
        raise
    return meta, rows


def _unwritable(paths: LogPaths, what: str, exc: OSError) -> StoreError:
    return StoreError(f"cannot write {what} in {paths.logs_dir}: {exc.strerror or exc}",
                      hint=f"check free space and the permissions of {paths.logs_dir}")


def take_session(ctx: StoreContext, session_id: str) -> tuple[SessionMeta, SessionRows]:
    """Become the owner of an existing session, unless a live runner owns it."""
    paths = ctx.paths
    require_session_folder(paths, session_id)
    with ctx.locks.session(session_id):
        meta = indexes.read_session_meta(paths, session_id)
        if meta is None:
            raise StoreError(f"session {session_id} has no readable session.json",
                             hint="start a new session with /start")
        if not take_ownership(paths, session_id):
            raise StoreError(f"session {session_id} is in use by another pm-runner (pid {meta.pid})",
                             hint="start a new session with /start, or wait for that runner to exit")
        try:
            meta = meta.model_copy(update={"pid": os.getpid(), "updated_at": now_iso(), "ended_at": None})
            write_meta_locked(paths, meta, durable_write=ctx.strict)
            rows = SessionRows(ctx, session_id)
            rows.refresh()
            # Live again: readers count its index instead of the row's final counts.
            ctx.put_global_row(rows.summary(meta), durable_write=ctx.strict)
        except BaseException:
            release_ownership(paths, session_id)
            raise
    return meta, rows


def release_session(ctx: StoreContext, meta: SessionMeta, rows: SessionRows, *, finished: bool) -> None:
    """Give the session up; `finished` (every task terminal) stamps `ended_at` so recovery skips it.

    Its rows go into a durable snapshot first (compacted: later reads parse no journal), then
    `session.json` says it ended, then the global row takes the final counts (until then readers
    count the session's index themselves).
    """
    try:
        if finished:
            ended = meta.model_copy(update={"ended_at": now_iso()})
            with ctx.locks.session(meta.session_id):
                rows.settle_locked()
                write_meta_locked(ctx.paths, ended, durable_write=True)
                ctx.put_global_row(rows.summary(ended, ended_at=ended.ended_at), durable_write=True)
    finally:
        rows.close()
        release_ownership(ctx.paths, meta.session_id)
