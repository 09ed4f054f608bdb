"""The per-task event journal (`<tid>.events.jsonl`) and reading a task as snapshot + journal.

One orjson line per event, appended through a descriptor kept open while the
task runs, so an append costs the same whatever the task's size. A reader takes
the snapshot and adds the journal lines it does not already hold (by event id);
a torn or invalid line is skipped.

In `normal` mode a live task's queued and running states are journal lines too
(*state lines*: the whole TaskLog as one line, spec/durability.md), so a task has no
snapshot file until its first checkpoint or its terminal state. A reader takes the
state line when it is further along (queued < running < terminal) than the snapshot
file, or when there is no snapshot file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from runner.errors import NotFoundError, StoreError
from runner.logs.store import codec, safe_files
from runner.logs.store.safe_files import Limit, UnsafeFileError
from runner.logs.vocabulary import TaskStatus

if TYPE_CHECKING:  # imported where a task is read: the index readers import this module without pydantic
    from runner.logs.models import CorruptedLog, LogEvent, TaskLog


class Journal:
    """Append-only writer of one task's journal. Not thread-safe: the manager serialises calls."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        # After a failed or partial write the file may end mid-line: start the next line afresh.
        self._needs_newline = False

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def open(self) -> None:
        """Open (creating if missing) for appending; a file left ending mid-line is fenced off."""
        if self._fd is not None:
            return
        fd = safe_files.open_append(self.path, readable=True)
        try:
            size = os.fstat(fd).st_size
            if size:
                self._needs_newline = os.pread(fd, 1, size - 1) != b"\n"
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def append(self, line: bytes, *, sync: bool) -> None:
        """Append one line; on error the descriptor is dropped so a retry starts on a fresh one."""
        self.open()
        assert self._fd is not None
        data = (b"\n" if self._needs_newline else b"") + line + b"\n"
        try:
            written = os.write(self._fd, data)  # nearly always all of it: the loop only for the rest
            if written < len(data):
                safe_files.write_all(self._fd, data[written:])
            if sync:
                os.fsync(self._fd)
        except OSError:
            self._needs_newline = True
            self.close(quiet=True)
            raise
        self._needs_newline = False

    def sync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def reset(self) -> None:
        """Empty the journal after its events reached a snapshot.

        Not fsynced: if the truncation is lost, the next read finds events the
        snapshot already holds and drops them by event id.
        """
        if self._fd is None:
            safe_files.truncate(self.path)
            return
        os.ftruncate(self._fd, 0)
        self._needs_newline = False

    def close(self, *, quiet: bool = False) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.close(fd)
        except OSError:
            if not quiet:
                raise


# A state line is a TaskLog written by `codec.dumps_task_log`, whose first field is the session id;
# an event line starts with its event id.
STATE_LINE_START = b'{"session_id"'


def read_journal(path: Path) -> list[LogEvent]:
    """Every valid event line of a journal, in order; a missing journal is empty.

    A journal that is a link, not a regular file, hard-linked or over `Limit.TASK_FILE` raises
    UnsafeFileError (never followed, opened or read).
    """
    return read_journal_parts(path)[0]


def read_journal_parts(path: Path) -> tuple[list[LogEvent], TaskLog | None]:
    """A journal's valid event lines in order, and its last valid state line (None if it has none)."""
    events: list[LogEvent] = []
    state: TaskLog | None = None
    for raw in journal_lines(path):
        try:
            if raw.startswith(STATE_LINE_START):
                state = codec.parse_task_log(raw)
            else:
                events.append(codec.parse_event_line(raw))
        except ValueError:
            continue  # a torn last line (or a line fenced off after a failed write)
    return events, state


def journal_lines(path: Path) -> list[bytes]:
    """A journal's non-blank lines as stored; a missing journal has none (unsafe files: see `read_journal`)."""
    try:
        data = safe_files.read_bytes(path, limit=Limit.TASK_FILE, single_link=True)
    except FileNotFoundError:
        return []
    return [raw for raw in data.split(b"\n") if raw.strip()]


def merge_events(snapshot: list[LogEvent], journal: list[LogEvent]) -> list[LogEvent]:
    """Snapshot events, then journal events the snapshot does not hold yet (dedupe by event_id)."""
    if not journal:
        return snapshot
    seen = {event.event_id for event in snapshot}
    merged = list(snapshot)
    for event in journal:
        if event.event_id not in seen:
            seen.add(event.event_id)
            merged.append(event)
    return merged


def load_task(snapshot_path: Path, journal_path: Path, *, session_id: str, task_id: str) -> TaskLog | CorruptedLog:
    """A task as a reader sees it: the snapshot with the journal's newer events merged in.

    The journal is read before the snapshot: a checkpoint replaces the snapshot
    and only then empties the journal, so reading in this order never misses
    the events that moved from one to the other in between.
    """
    from runner.logs.models import CorruptedLog

    try:
        journal, state = read_journal_parts(journal_path)
    except UnsafeFileError as exc:
        return CorruptedLog(session_id=session_id, task_id=task_id, reason=f"its journal is {exc.problem}")
    except OSError as exc:
        return CorruptedLog(session_id=session_id, task_id=task_id, reason=f"journal unreadable: {exc.strerror}")
    try:
        data = safe_files.read_bytes(snapshot_path, limit=Limit.TASK_FILE, single_link=True)
    except FileNotFoundError:
        if state is None:
            raise
        log = state  # a live task of normal mode before its first checkpoint: its journal only
    except UnsafeFileError as exc:
        return CorruptedLog(session_id=session_id, task_id=task_id, reason=exc.problem)
    except OSError as exc:
        return CorruptedLog(session_id=session_id, task_id=task_id, reason=f"unreadable: {exc.strerror}")
    else:
        try:
            log = codec.parse_task_log(data)
        except ValueError as exc:
            return CorruptedLog(session_id=session_id, task_id=task_id, reason=_short_reason(exc))
        log = _further_along(log, state)
    if log.task_id != task_id or log.session_id != session_id:
        return CorruptedLog(session_id=session_id, task_id=task_id,
                            reason=f"file holds {log.session_id}/{log.task_id}")
    merged = merge_events(log.events, journal)
    if merged is not log.events:
        log.events = merged
    return log


def _stage(log: TaskLog) -> int:
    return 2 if log.status.is_terminal else 1 if log.status is TaskStatus.RUNNING else 0


def _further_along(snapshot: TaskLog, state: TaskLog | None) -> TaskLog:
    """The snapshot file, or the journal's state line when it is further along (with the events of both).

    A state line at the same stage is older than the snapshot (a checkpoint rewrote the snapshot
    after it) and a state line is never terminal, so a terminal snapshot always wins.
    """
    if state is None or _stage(state) <= _stage(snapshot):
        return snapshot
    merged = merge_events(state.events, snapshot.events)
    if merged is not state.events:
        state.events = merged
    return state


def _short_reason(exc: ValueError) -> str:
    """Why a file did not parse, without quoting the file's content back."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_input=False)
        if errors:
            where = ".".join(str(part) for part in errors[0]["loc"])
            return f"does not parse: {errors[0]['msg']}" + (f" (at {where})" if where else "")
    return "does not parse"


def read_task_or_raise(snapshot_path: Path, journal_path: Path, *, session_id: str, task_id: str) -> TaskLog:
    """Like `load_task`, for callers that need a TaskLog: a missing or corrupted file is an error."""
    from runner.logs.models import TaskLog

    try:
        log = load_task(snapshot_path, journal_path, session_id=session_id, task_id=task_id)
    except FileNotFoundError:
        raise NotFoundError(f"no task {task_id} in session {session_id}",
                            hint="/tasks lists the tasks of this session") from None
    if not isinstance(log, TaskLog):
        raise StoreError(f"the log file of {task_id} is corrupted ({log.reason})",
                         hint=f"/logs {task_id} shows what is left")
    return log
