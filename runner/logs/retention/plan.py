"""Deciding what retention removes (DESIGN §10, seed 003 §8): a plan, computed without deleting anything.

Order: sessions past the retention period, then older tasks of the sessions that stay (seed 003
§8.3: the retention period applies per task, by the task's own last update); then oversized task logs (trimmed);
then sessions over their size limit (oldest finished tasks first, never the
newest task); then the whole folder over its limit (oldest sessions first, never
the newest session). A session in use (the caller's, or one whose runner is
alive) is never planned; one with unfinished tasks is never removed whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from runner.ids import IdKind, counter_of, is_valid
from runner.logs.limits import MIB, LoggingLimits, format_size
from runner.logs.models import SessionSummary, TaskLog
from runner.logs.retention.ops import in_use, session_rows
from runner.logs.retention.report import Removal, RemovalKind
from runner.logs.retention.trim import trim_task_log
from runner.logs.retention.usage import SessionUsage, folder_bytes, scan_session
from runner.logs.store import safe_files
from runner.logs.store.journal import load_task
from runner.logs.store.paths import LogPaths
from runner.notices import Notice
from runner.timestamps import epoch_ms_of, iso_from_epoch_ms

DAY_MS = 86_400_000


def age_days(row: SessionSummary, now_ms: int) -> int:
    return max(0, (now_ms - epoch_ms_of(row.updated_at)) // DAY_MS)


@dataclass
class Survey:
    """What is on disk: sessions (oldest first), their sizes, stray raw-log folders."""

    paths: LogPaths
    rows: list[SessionSummary]
    usage: dict[str, SessionUsage]
    orphans: dict[str, int]  # raw/<sid>/ without a session folder -> bytes
    top_bytes: int
    active: str | None
    now_ms: int
    _in_use: dict[str, str | None] = field(default_factory=dict)
    removed_tasks: set[str] = field(default_factory=set)  # `session/task` planned for removal by age

    def blocked(self, session_id: str) -> str | None:
        """Why a session may not be touched (cached: it reads `session.json`)."""
        if session_id not in self._in_use:
            self._in_use[session_id] = in_use(self.paths, session_id, self.active)
        return self._in_use[session_id]

    def detail(self, session_id: str) -> SessionUsage:
        """Per-task sizes of a session (scanned once, then kept and adjusted by the plan)."""
        usage = self.usage[session_id]
        if not usage.detailed:
            usage = self.usage[session_id] = scan_session(self.paths, session_id)
        return usage

    def total(self, gone: set[str]) -> int:
        live = sum(u.total for sid, u in self.usage.items() if sid not in gone)
        return self.top_bytes + live + sum(self.orphans.values())


def orphan_raw_dirs(paths: LogPaths) -> dict[str, int]:
    """Raw-log folders whose session folder is gone (left by an interrupted removal)."""
    try:
        names = safe_files.list_names(paths.raw_root)
    except OSError:
        return {}
    return {name: folder_bytes(paths.raw_root / name) for name in names
            if is_valid(IdKind.SESSION, name) and not safe_files.exists(paths.session_dir(name))}


def unfinished(row: SessionSummary) -> bool:
    return row.counts.queued + row.counts.running > 0


def plan(survey: Survey, limits: LoggingLimits, kept: list[str], warnings: list[Notice]) -> list[Removal]:
    """Every removal the limits call for, in the order they are to be done.

    `kept` gets what stays although a limit points at it, and why; `warnings`
    gets a limit that cannot be met.
    """
    planned = [Removal(RemovalKind.RAW, sid, None, size, "raw logs of a session that no longer exists")
               for sid, size in survey.orphans.items()]
    survey.orphans = {}
    gone: set[str] = set()
    planned += _by_age(survey, limits, gone, kept)
    planned += _tasks_by_age(survey, limits, gone)
    planned += _trims(survey, limits, gone)
    planned += _session_limits(survey, limits, gone, kept)
    planned += _total_limit(survey, limits, gone, kept, warnings)
    return _without_work_on_removed(planned, gone)


def _without_work_on_removed(planned: list[Removal], gone: set[str]) -> list[Removal]:
    """Trims and task removals in a session removed whole later on are not done; its size counts them back."""
    wasted: dict[str, int] = {}
    for item in planned:
        if item.kind in (RemovalKind.EVENTS, RemovalKind.TASK) and item.session_id in gone:
            wasted[item.session_id] = wasted.get(item.session_id, 0) + item.bytes
    return [replace(item, bytes=item.bytes + wasted.get(item.session_id, 0))
            if item.kind is RemovalKind.SESSION else item
            for item in planned
            if not (item.kind in (RemovalKind.EVENTS, RemovalKind.TASK) and item.session_id in gone)]


def _by_age(survey: Survey, limits: LoggingLimits, gone: set[str], kept: list[str]) -> list[Removal]:
    if limits.retention_days <= 0:  # 0 turns age-based retention off
        return []
    cutoff = survey.now_ms - int(limits.retention_days * DAY_MS)
    planned: list[Removal] = []
    for row in survey.rows:
        if epoch_ms_of(row.updated_at) >= cutoff:
            continue
        days = age_days(row, survey.now_ms)
        why = survey.blocked(row.session_id) or ("it has unfinished tasks" if unfinished(row) else None)
        if why:
            kept.append(f"{row.session_id} ({days} days old) kept: {why}")
            continue
        gone.add(row.session_id)
        planned.append(Removal(RemovalKind.SESSION, row.session_id, None, survey.usage[row.session_id].total,
                               f"{days} days old", count=row.task_count))
    return planned


def _tasks_by_age(survey: Survey, limits: LoggingLimits, gone: set[str]) -> list[Removal]:
    """Finished tasks past the retention period in sessions that stay; never a session's newest task."""
    if limits.retention_days <= 0:
        return []
    cutoff = survey.now_ms - int(limits.retention_days * DAY_MS)
    planned: list[Removal] = []
    for row in survey.rows:
        sid = row.session_id
        # A session started within the period has no task older than it: its index is not read.
        if sid in gone or epoch_ms_of(row.started_at) >= cutoff or survey.blocked(sid):
            continue
        entries = session_rows(survey.paths, sid).entries
        newest = max((counter_of(e.task_id) for e in entries), default=0)
        for entry in entries:
            last_update = entry.updated_at or entry.ended_at or entry.started_at
            if (not entry.status.is_terminal or counter_of(entry.task_id) >= newest
                    or epoch_ms_of(last_update) >= cutoff):
                continue
            usage = survey.detail(sid)
            size = usage.task_bytes(entry.task_id)
            usage.total -= size
            usage.log_bytes.pop(entry.task_id, None)  # nothing left to trim
            survey.removed_tasks.add(f"{sid}/{entry.task_id}")
            days = max(0, (survey.now_ms - epoch_ms_of(last_update)) // DAY_MS)
            planned.append(Removal(RemovalKind.TASK, sid, entry.task_id, size, f"{days} days old"))
    return planned


def _trims(survey: Survey, limits: LoggingLimits, gone: set[str]) -> list[Removal]:
    max_bytes = int(limits.max_task_log_size_mb * MIB)
    max_event = int(limits.max_event_size_mb * MIB)
    planned: list[Removal] = []
    for row in survey.rows:
        sid = row.session_id
        if sid in gone or survey.usage[sid].largest_log <= max_bytes or survey.blocked(sid):
            continue
        usage = survey.detail(sid)
        for task_id, size in sorted(usage.log_bytes.items(), key=lambda item: counter_of(item[0])):
            if size <= max_bytes:
                continue
            try:
                log = load_task(survey.paths.task_snapshot(sid, task_id), survey.paths.task_journal(sid, task_id),
                                session_id=sid, task_id=task_id)
            except FileNotFoundError:
                continue
            if not isinstance(log, TaskLog) or not log.status.is_terminal:
                continue  # a running task is never touched; a corrupted one is left for the user to see
            result = trim_task_log(log, max_bytes=max_bytes, max_event_bytes=max_event,
                                   now=iso_from_epoch_ms(survey.now_ms))
            if result is None:
                continue
            freed = max(0, result.bytes_before - result.bytes_after)
            usage.log_bytes[task_id] -= freed
            usage.total -= freed
            planned.append(Removal(RemovalKind.EVENTS, sid, task_id, freed,
                                   f"log over the {limits.max_task_log_size_mb:g} MB task limit",
                                   count=result.newly_dropped))
    return planned


def _session_limits(survey: Survey, limits: LoggingLimits, gone: set[str], kept: list[str]) -> list[Removal]:
    max_bytes = int(limits.max_session_log_size_mb * MIB)
    planned: list[Removal] = []
    for row in survey.rows:
        sid = row.session_id
        if sid in gone or survey.usage[sid].total <= max_bytes:
            continue
        why = survey.blocked(sid)
        if why:
            kept.append(f"{sid} is over its size limit but kept: {why}")
            continue
        usage = survey.detail(sid)
        index = session_rows(survey.paths, sid)
        numbers = [counter_of(e.task_id) for e in index.entries] + [counter_of(t) for t in usage.log_bytes]
        newest = max(numbers, default=0)
        for entry in index.entries:  # creation order: oldest first
            if usage.total <= max_bytes:
                break
            if (not entry.status.is_terminal or counter_of(entry.task_id) >= newest
                    or f"{sid}/{entry.task_id}" in survey.removed_tasks):
                continue
            size = usage.task_bytes(entry.task_id)
            usage.total -= size
            planned.append(Removal(RemovalKind.TASK, sid, entry.task_id, size,
                                   f"session over its {limits.max_session_log_size_mb:g} MB limit"))
    return planned


def _total_limit(survey: Survey, limits: LoggingLimits, gone: set[str], kept: list[str],
                 warnings: list[Notice]) -> list[Removal]:
    max_bytes = int(limits.max_total_log_size_mb * MIB)
    planned: list[Removal] = []
    total = survey.total(gone)
    newest = survey.rows[-1].session_id if survey.rows else None
    for row in survey.rows:
        if total <= max_bytes:
            break
        sid = row.session_id
        if sid in gone or sid == newest:
            continue
        why = survey.blocked(sid) or ("it has unfinished tasks" if unfinished(row) else None)
        if why:
            kept.append(f"{sid} kept although the logs folder is over its limit: {why}")
            continue
        gone.add(sid)
        total -= survey.usage[sid].total
        planned.append(Removal(RemovalKind.SESSION, sid, None, survey.usage[sid].total,
                               f"logs folder over its {limits.max_total_log_size_mb:g} MB limit",
                               count=row.task_count))
    if total > max_bytes:
        warnings.append(Notice.warning(
            f"the logs folder is still {format_size(total)}, over its {limits.max_total_log_size_mb:g} MB "
            "limit; what is left is in use, unfinished or the newest session", total_bytes=total))
    return planned
