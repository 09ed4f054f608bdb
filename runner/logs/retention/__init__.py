"""Retention, size limits and clearing of the logs folder (DESIGN §10, seed 003 §8, §10.3).

Nothing goes silently: every removal is a warning `Notice` naming what went and a
line in `logs/retention.jsonl`; a plan (`plan_retention`, `--dry-run`) shows the
same without deleting. Running tasks and sessions in use are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import RunnerError
from runner.logs.limits import MIB, LoggingLimits, format_size
from runner.logs.retention.ops import Kept, Remover
from runner.logs.retention.plan import Survey, age_days, orphan_raw_dirs, plan, unfinished
from runner.logs.retention.report import Removal, RemovalKind, RetentionReport
from runner.logs.retention.usage import measure_sessions, top_level_bytes
from runner.logs.store import LogReader
from runner.logs.store.paths import LogPaths, has_sessions, require_session_folder
from runner.notices import Notice
from runner.timestamps import epoch_ms_of
from runner.timestamps import now_ms as clock_ms

__all__ = ["ClearPlan", "Removal", "RemovalKind", "RetentionReport", "apply_clear", "apply_retention_at_start",
           "clear_logs", "free_space", "plan_clear", "plan_retention", "removal_notice"]

# Start-up and disk-full handling must not hang on a busy session: skip it and say so.
LOCK_TIMEOUT_S = 2.0
# On ENOSPC, free at least room for this many full-size task logs.
DISK_FULL_TASK_LOGS = 2


def removal_notice(removal: Removal, *, done: bool = True) -> Notice:
    """`retention removed session sess-... (31 days old, 12 tasks, 2.3 MB)` and its kin, with the facts.

    `done=False` announces a removal about to happen: `retention is removing session ...`.
    """
    return Notice.warning(_removal_message(removal, done=done), kind=str(removal.kind),
                          session_id=removal.session_id, task_id=removal.task_id, bytes=removal.bytes,
                          count=removal.count, reason=removal.reason)


def _removal_message(removal: Removal, *, done: bool) -> str:
    size = format_size(removal.bytes)
    where = f"{removal.task_id} of session {removal.session_id}"
    removes, drops = ("removed", "dropped") if done else ("is removing", "is dropping")
    if removal.kind is RemovalKind.SESSION:
        noun = "task" if removal.count == 1 else "tasks"
        return f"retention {removes} session {removal.session_id} ({removal.reason}, {removal.count} {noun}, {size})"
    if removal.kind is RemovalKind.TASK:
        return f"retention {removes} task {where} ({removal.reason}, {size})"
    if removal.kind is RemovalKind.EVENTS:
        return (f"retention {drops} {removal.count} events from {where} ({removal.reason}, "
                f"{size} freed); an EVENTS_DROPPED event marks the gap")
    return f"retention {removes} the raw logs of {removal.session_id} ({removal.reason}, {size})"


def survey(project_root: Path, *, active: str | None, now_ms: int | None,
           logs_dir: Path | None = None) -> Survey | None:
    """Read the global index and the sizes (cached per session); None when there are no logs.

    `logs_dir` is the folder the user chose with `--logs-dir` (None: `<project>/.claude/logs`); so
    in every function here.
    """
    paths = LogPaths(project_root, logs_dir)
    if not has_sessions(paths):
        return None
    rows = LogReader(project_root, lock_timeout_s=LOCK_TIMEOUT_S, logs_dir=logs_dir).list_sessions()
    usage = measure_sessions(paths, [row.session_id for row in rows])
    return Survey(paths=paths, rows=rows, usage=usage, orphans=orphan_raw_dirs(paths),
                  top_bytes=top_level_bytes(paths), active=active,
                  now_ms=clock_ms() if now_ms is None else now_ms)


def plan_retention(project_root: Path, limits: LoggingLimits, *, active_session: str | None,
                   now_ms: int | None = None, logs_dir: Path | None = None) -> RetentionReport:
    """What the limits would remove now (a dry run: nothing is deleted)."""
    report = RetentionReport()
    found = survey(project_root, active=active_session, now_ms=now_ms, logs_dir=logs_dir)
    if found is not None:
        report.removals = plan(found, limits, report.kept, report.warnings)
    return report


def apply_retention_at_start(project_root: Path, limits: LoggingLimits, *, active_session: str | None = None,
                             now_ms: int | None = None,
                             notify: Callable[[Notice], None] | None = None,
                             logs_dir: Path | None = None) -> list[Notice]:
    """Enforce the limits; returns warnings naming what went (empty when nothing had to go).

    With `notify`, each removal is announced there BEFORE it is done (seed 003 §8.3), and only
    the other warnings (a removal that failed, a limit still exceeded) are returned.
    Never raises: a retention that cannot run is one warning, and the runner starts anyway.
    """
    def announce(item: Removal) -> None:
        if notify is not None:
            notify(removal_notice(item, done=False))

    try:
        found = survey(project_root, active=active_session, now_ms=now_ms, logs_dir=logs_dir)
        if found is None:
            return []
        report = RetentionReport()
        planned = plan(found, limits, report.kept, report.warnings)
        planned_kept = len(report.kept)
        _apply(found, planned, limits, report, trigger="start", before_each=announce)
    except (RunnerError, OSError) as exc:
        return [Notice.warning(f"retention could not run: {_detail(exc)}")]
    if notify is None:
        return report.warnings
    # An announced removal found, under its lock, that it must not happen: say it stayed.
    return [*report.problems, *(Notice.warning(f"retention kept {why}") for why in report.kept[planned_kept:])]


@dataclass
class ClearPlan:
    """What a clear would remove and what it keeps (and why); applied as it is, never recomputed."""

    found: Survey | None
    removals: list[Removal] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def plan_clear(project_root: Path, *, session_id: str | None, older_than_ms: int | None,
               active_session: str | None, now_ms: int | None = None, logs_dir: Path | None = None) -> ClearPlan:
    """Every session not in use that matches every filter given (one session, older than), nothing else.

    Orphaned raw-log folders go too when no session is named. A named session that is not a
    real session folder is an error (NotFoundError, or StoreError for a link in its place).
    """
    found = survey(project_root, active=active_session, now_ms=now_ms, logs_dir=logs_dir)
    if session_id is not None:
        require_session_folder(LogPaths(project_root, logs_dir), session_id)
    plan = ClearPlan(found)
    if found is None:
        return plan
    if session_id is None:
        plan.removals += [Removal(RemovalKind.RAW, sid, None, size, "raw logs of a session that no longer exists")
                          for sid, size in found.orphans.items()]
    rows = [row for row in found.rows if session_id is None or row.session_id == session_id]
    if session_id is not None and not rows:
        plan.kept.append(f"{session_id}: it is not a recorded session (no session.json or tasks)")
    for row in rows:
        if older_than_ms is not None and epoch_ms_of(row.updated_at) > found.now_ms - older_than_ms:
            continue
        why = found.blocked(row.session_id) or ("it has unfinished tasks" if unfinished(row) else None)
        if why:
            plan.kept.append(f"{row.session_id}: {why}")
            continue
        days = age_days(row, found.now_ms)
        reason = "cleared" + (f", {days} days old" if older_than_ms is not None else "")
        plan.removals.append(Removal(RemovalKind.SESSION, row.session_id, None,
                                     found.usage[row.session_id].total, reason, count=row.task_count))
    return plan


def apply_clear(plan: ClearPlan, *, before_each: Callable[[Removal], None] | None = None) -> RetentionReport:
    """Remove exactly what `plan` lists (each one re-checked under its locks); `before_each` is told first."""
    report = RetentionReport(kept=list(plan.kept))
    if plan.found is not None:
        _apply(plan.found, plan.removals, LoggingLimits(), report, trigger="clear", before_each=before_each)
    return report


def clear_logs(project_root: Path, *, older_than_ms: int | None, dry_run: bool, active_session: str | None,
               session_id: str | None = None, now_ms: int | None = None,
               logs_dir: Path | None = None) -> RetentionReport:
    """Plan a clear and apply it (or, for a dry run, report the plan without deleting anything)."""
    plan = plan_clear(project_root, session_id=session_id, older_than_ms=older_than_ms,
                      active_session=active_session, now_ms=now_ms, logs_dir=logs_dir)
    if dry_run:
        return RetentionReport(removals=list(plan.removals), kept=list(plan.kept))
    return apply_clear(plan)


def free_space(project_root: Path, limits: LoggingLimits, *, active_session: str | None,
               logs_dir: Path | None = None) -> RetentionReport:
    """For a full disk (seed 003 §10.3): apply the limits, then remove the oldest finished sessions.

    Sessions go oldest first until room for a few full-size task logs was freed;
    never the active session, one in use, one with unfinished tasks, or the newest.
    """
    report = RetentionReport()
    try:
        found = survey(project_root, active=active_session, now_ms=None, logs_dir=logs_dir)
        if found is None:
            return report
        planned = plan(found, limits, report.kept, report.warnings)
        planned += _extra_sessions(found, planned, target=DISK_FULL_TASK_LOGS * int(limits.max_task_log_size_mb * MIB))
        _apply(found, planned, limits, report, trigger="disk_full")
    except (RunnerError, OSError) as exc:
        report.warnings.append(Notice.warning(f"could not free space in the logs folder: {_detail(exc)}"))
    return report


def _extra_sessions(found: Survey, planned: list[Removal], *, target: int) -> list[Removal]:
    freed = sum(r.bytes for r in planned)
    gone = {r.session_id for r in planned if r.kind is RemovalKind.SESSION}
    extra: list[Removal] = []
    for row in found.rows[:-1]:  # never the newest session
        if freed >= target:
            break
        sid = row.session_id
        if sid in gone or unfinished(row) or found.blocked(sid):
            continue
        size = found.usage[sid].total
        freed += size
        extra.append(Removal(RemovalKind.SESSION, sid, None, size, "disk full, oldest finished session",
                             count=row.task_count))
    return extra


def _apply(found: Survey, planned: list[Removal], limits: LoggingLimits, report: RetentionReport, *,
           trigger: str, before_each: Callable[[Removal], None] | None = None) -> None:
    """Do each planned removal (re-checked under its lock); record what went and what stayed."""
    remover = Remover(found.paths, trigger=trigger, active=found.active, lock_timeout_s=LOCK_TIMEOUT_S)
    for item in planned:
        if before_each is not None:
            before_each(item)
        try:
            if item.kind is RemovalKind.SESSION:
                done = remover.remove_session(item)
            elif item.kind is RemovalKind.TASK:
                done = remover.remove_task(item)
            elif item.kind is RemovalKind.EVENTS:
                done = remover.trim_task(item, max_bytes=int(limits.max_task_log_size_mb * MIB),
                                         max_event_bytes=int(limits.max_event_size_mb * MIB))
            else:
                done = remover.remove_orphan_raw(item.session_id, item.reason)
        except Kept as why:
            report.kept.append(f"{_name(item)}: {why}")
            continue
        except (RunnerError, OSError) as exc:
            report.warnings.append(Notice.warning(f"retention could not remove {_name(item)}: {_detail(exc)}"))
            continue
        report.removals.append(done)
        report.warnings.append(removal_notice(done))


def _name(item: Removal) -> str:
    return item.session_id if item.task_id is None else f"{item.task_id} of session {item.session_id}"


def _detail(exc: RunnerError | OSError) -> str:
    return exc.message if isinstance(exc, RunnerError) else (exc.strerror or str(exc))
