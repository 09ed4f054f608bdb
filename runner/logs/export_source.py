"""What `pm-runner logs export|report|stats` read: the sessions asked for, their logs or index rows.

Reads only, through `LogReader`, and returns the models as read (unmasked): the edge hands them to
`runner.export.masked.mask_session`, the one masking pass, then to a renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.errors import NotFoundError, RunnerError
from runner.logs.models import CorruptedLog, SessionMeta, TaskLog, TaskLogEntry
from runner.logs.store import LogReader
from runner.logs.store.sessions import owner_alive
from runner.timestamps import epoch_ms_of


@dataclass(frozen=True)
class Selection:
    session: str | None = None  # an id, or None / "latest" for the latest session
    all_sessions: bool = False
    since_ms: int | None = None


def session_ids(reader: LogReader, selection: Selection) -> list[str]:
    """The sessions a command covers, oldest first."""
    if selection.all_sessions:
        return [row.session_id for row in reader.list_sessions()]
    if selection.session and selection.session != "latest":
        if not reader.session_exists(selection.session):
            raise NotFoundError(f"no session {selection.session} in {reader.logs_dir}",
                                hint="pm-runner logs sessions lists them")
        return [selection.session]
    latest = reader.latest_session_id()
    if latest is None:
        raise NotFoundError(f"no sessions recorded in {reader.logs_dir}",
                            hint="run a task first, or point --project at the right folder")
    return [latest]


def _started(entry: TaskLogEntry, since_ms: int | None) -> bool:
    return since_ms is None or epoch_ms_of(entry.started_at) >= since_ms


def index_rows(reader: LogReader, selection: Selection) -> list[tuple[str, TaskLogEntry]]:
    """`(session_id, row)` of every task selected, from the session indexes only."""
    return [(sid, entry) for sid in session_ids(reader, selection)
            for entry in reader.read_session_index(sid).entries if _started(entry, selection.since_ms)]


def _meta(reader: LogReader, session_id: str) -> SessionMeta | None:
    try:
        return reader.read_session_meta(session_id)
    except RunnerError:
        return None  # a session whose session.json is broken still exports its tasks


def session_is_live(reader: LogReader, session_id: str) -> bool:
    """True while a runner still owns the session (it may add tasks and events)."""
    meta = _meta(reader, session_id)
    return meta is not None and meta.ended_at is None and owner_alive(reader.paths, session_id)


@dataclass(frozen=True)
class SessionRead:
    session_id: str
    started_at: str | None
    meta: SessionMeta | None
    logs: list[TaskLog | CorruptedLog]


def read_session(reader: LogReader, session_id: str, *, since_ms: int | None = None) -> SessionRead:
    """The session's tasks in creation order (those started since `since_ms`), its meta and its start."""
    meta = _meta(reader, session_id)
    started = meta.started_at if meta else next(
        (row.started_at for row in reader.list_sessions() if row.session_id == session_id), None)
    logs: list[TaskLog | CorruptedLog] = [
        reader.read_task(session_id, entry.task_id)
        for entry in reader.read_session_index(session_id).entries if _started(entry, since_ms)
    ]
    return SessionRead(session_id, started, meta, logs)
