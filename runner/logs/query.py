"""What a logs request asks for, and the reads every logs view shares: which session, which tasks.

`/logs`, `pm-runner logs`, the browser, exports and reports all pick the session and filter the
tasks the same way through here. Data in, data out: nothing here renders or prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar

from runner.durations import parse_duration_ms
from runner.errors import InvalidIdError, NotFoundError
from runner.logs.view_limit import DEFAULT_LIMIT
from runner.logs.vocabulary import TaskStatus, Visibility
from runner.timestamps import epoch_ms_of, now_ms

if TYPE_CHECKING:
    from runner.logs.store import LogReader


class _Filtered(Protocol):
    """What the filters read of a row: a `TaskLogEntry`, or a stored index row (`views.rows.IndexRow`)."""

    @property
    def status(self) -> TaskStatus: ...

    @property
    def started_at(self) -> str: ...


_Row = TypeVar("_Row", bound=_Filtered)


class LogsAction(StrEnum):
    LIST = "list"
    SHOW = "show"
    TREE = "tree"
    SESSIONS = "sessions"
    CLEAR = "clear"
    REPORT = "report"


# What `pm-runner logs ACTION` accepts (a report is `--report`, or the `report` subcommand of exports).
SHELL_ACTIONS = tuple(action.value for action in LogsAction if action is not LogsAction.REPORT)


@dataclass
class LogsRequest:
    """One logs request, however it was typed: the action, the task, the session and the filters.

    `limit`: a list or a tree shows the newest `limit` tasks (None: every task).
    """

    action: LogsAction
    task_ref: str | None = None
    session: str | None = None
    full: bool = False
    json: bool = False
    status: str | None = None
    since: str | None = None
    force: bool = False
    older_than: str | None = None
    dry_run: bool = False
    follow: bool = False
    report: bool = False
    limit: int | None = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        self.action = LogsAction(self.action)  # callers may pass the plain word ("list")

    @property
    def visibility(self) -> Visibility:
        return Visibility.FULL if self.full else Visibility.SUMMARY


def pick_session(reader: LogReader, wanted: str | None, current: str | None) -> str:
    """The session a view is about: the one named, else the current one, else the latest."""
    if wanted and wanted != "latest":
        if not reader.session_exists(wanted):
            raise NotFoundError(f"no session {wanted} in {reader.logs_dir}", hint="/sessions lists them")
        return wanted
    chosen = current if (current and wanted != "latest") else reader.latest_session_id()
    if chosen is None:
        raise NotFoundError(f"no sessions recorded in {reader.logs_dir}",
                            hint="run a task first, or point --project at the right folder")
    return chosen


def filter_entries(entries: Sequence[_Row], request: LogsRequest) -> Sequence[_Row]:
    """The rows (models or stored index rows) a `--status` / `--since` filter keeps."""
    if request.status:
        entries = [e for e in entries if e.status.value == request.status]
    if request.since:
        cutoff = now_ms() - parse_duration_ms(request.since, flag="--since")
        entries = [e for e in entries if epoch_ms_of(e.started_at) >= cutoff]
    return entries


@dataclass(frozen=True)
class TaskLocation:
    """Where a task reference points: its session, its internal id, and a note when it was looked up elsewhere."""

    session_id: str
    task_id: str
    note: str | None = None


def locate_task(reader: LogReader, ref: str, wanted: str | None, current: str | None) -> TaskLocation:
    """`task-003`, `3`, an external id or `sess-…/task-003`: in the session asked for, else the current or
    latest one, else the newest session that has it (saying which). An explicit session is never left."""
    from runner.ids import IdKind, is_valid

    if "/" in ref:
        session_part, _, ref = ref.partition("/")
        if not is_valid(IdKind.SESSION, session_part):
            raise InvalidIdError(f"invalid session id {session_part[:80]!r}",
                                 hint="write it as sess-20250112-001/task-003")
        if wanted and wanted not in ("latest", session_part):
            raise NotFoundError(f"{session_part}/{ref} is not in session {wanted}",
                                hint="give the session once: in the id or with --session")
        wanted = session_part
    session_id = pick_session(reader, wanted, current)
    try:
        return TaskLocation(session_id, reader.resolve_task(session_id, ref))
    except NotFoundError:
        if wanted and wanted != "latest":
            raise
        for summary in sorted(reader.list_sessions(), key=lambda s: s.session_id, reverse=True):
            if summary.session_id == session_id:
                continue
            try:
                task_id = reader.resolve_task(summary.session_id, ref)
            except NotFoundError:
                continue
            return TaskLocation(summary.session_id, task_id,
                                note=f"{ref} is in session {summary.session_id} (not in {session_id})")
        raise NotFoundError(f"no task {ref[:80]} in any session of {reader.logs_dir}",
                            hint="/sessions lists the sessions; /logs --session ID lists one session's tasks") from None
