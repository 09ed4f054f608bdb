"""`/logs --clear` and `pm-runner logs clear`: delete logs on request, after showing what would go.

At a terminal it asks first (`--force` skips asking); elsewhere it needs
`--force`, so a script never deletes logs by accident. `--dry-run` only lists.
Sessions in use and unfinished tasks are never deleted (see `logs/retention/`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runner.durations import parse_duration_ms
from runner.errors import RunnerError
from runner.logs.retention import RetentionReport, clear_logs, format_size, warning_line
from runner.logs.retention.ops import Removal, RemovalKind
from runner.repl.logs_command import LogsRequest
from runner.views.safe_text import safe_str

Ask = Callable[[str], str]


def run_clear(project_root: Path, request: LogsRequest, *, interactive: bool, active_session: str | None,
              ask: Ask | None = None) -> list[str]:
    """Clear as asked; returns the lines to show. `ask` reads the answer to `Delete? [y/N]` (default: input)."""
    older_than_ms = parse_duration_ms(request.older_than, flag="--older-than") if request.older_than else None
    if not (request.force or request.dry_run or interactive):
        raise RunnerError("--clear needs --force when not at a terminal",
                          hint="add --force to delete without asking, or --dry-run to see what would go")

    def clear(dry_run: bool) -> RetentionReport:
        return clear_logs(project_root, older_than_ms=older_than_ms, dry_run=dry_run,
                          active_session=active_session)

    if request.dry_run:
        return preview_lines(clear(True)) + ["(dry run: nothing was deleted)"]
    if not request.force:
        preview = clear(True)
        if not preview.removals:
            return preview_lines(preview)
        for line in preview_lines(preview):
            print(line)
        if not _confirmed(ask or input):
            return ["Nothing was deleted."]
    return result_lines(clear(False))


def _confirmed(ask: Ask) -> bool:
    try:
        answer = ask("Delete? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


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


def result_lines(report: RetentionReport) -> list[str]:
    """What went, what stayed and why, failures, then `Removed 3 sessions, 41 tasks, 5.2 MB`."""
    lines = [safe_str(f"Removed {_what(r)}") for r in report.removals]
    done = {warning_line(r) for r in report.removals}
    failures = [safe_str(w) for w in report.warnings if w not in done]
    last = f"Removed {totals(report)}" if report.removals else "Nothing was removed."
    return [*lines, *_kept_lines(report), *failures, last]
