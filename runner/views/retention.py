"""Retention and `--clear` as lines a person reads: what would go, what went, what stayed and why.

Pure: a `RetentionReport` in, safe plain lines out (`Would remove ...`, `Removing ...`,
`Removed 3 sessions, 41 tasks, 5.2 MB`).
"""

from __future__ import annotations

from runner.logs.limits import format_size
from runner.logs.retention.report import Removal, RemovalKind, RetentionReport
from runner.views.notices import notice_text
from runner.views.safe_text import safe_str


def _what(removal: Removal) -> str:
    size = format_size(removal.bytes)
    if removal.kind is RemovalKind.RAW:
        return f"raw logs of {removal.session_id} ({size}, their session is gone)"
    noun = "task" if removal.count == 1 else "tasks"
    return f"{removal.session_id} ({removal.count} {noun}, {size})"


def totals(report: RetentionReport) -> str:
    """`3 sessions, 41 tasks, 5.2 MB`."""
    sessions = "session" if report.sessions == 1 else "sessions"
    tasks = "task" if report.tasks == 1 else "tasks"
    return f"{report.sessions} {sessions}, {report.tasks} {tasks}, {format_size(report.bytes)}"


def _kept_lines(report: RetentionReport) -> list[str]:
    return [safe_str(f"Kept {line}") for line in report.kept]


def preview_lines(report: RetentionReport) -> list[str]:
    """What a clear would remove, one line each, then the totals; or that there is nothing to remove."""
    if not report.removals:
        return ["Nothing to remove.", *_kept_lines(report)]
    lines = [safe_str(f"Would remove {_what(r)}") for r in report.removals]
    return [*lines, *_kept_lines(report), f"Would remove {totals(report)}"]


def removing_line(removal: Removal) -> str:
    """`Removing sess-... (2 tasks, 41.0 KB)`: said before that removal is done, so a person sees what goes."""
    return safe_str(f"Removing {_what(removal)}")


def result_lines(report: RetentionReport) -> list[str]:
    """After the `Removing` lines: what stayed and why, problems, then `Removed 3 sessions, 41 tasks, 5.2 MB`."""
    failures = [safe_str(notice_text(notice)) for notice in report.problems]
    last = f"Removed {totals(report)}" if report.removals else "Nothing was removed."
    return [*_kept_lines(report), *failures, last]
