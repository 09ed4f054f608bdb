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
from runner.logs.query import LogsRequest
from runner.logs.retention import RetentionReport, clear_logs
from runner.repl.output import Terminal
from runner.views.retention import preview_lines, result_lines

QUESTION = "Delete? [y/N] "
# Shown the preview of a clear, says whether to go ahead; the edge shows it and asks the person.
Confirm = Callable[[RetentionReport], bool]


def run_clear(project_root: Path, request: LogsRequest, *, interactive: bool, active_session: str | None,
              confirm: Confirm) -> list[str]:
    """Clear as asked; returns the lines to show. Unless forced, `confirm` sees the preview first."""
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
        if not confirm(preview):
            return ["Nothing was deleted."]
    return result_lines(clear(False))


def confirm_at(terminal: Terminal) -> Confirm:
    """Show the preview on `terminal` and ask there whether to delete."""
    return lambda preview: terminal.confirm(preview_lines(preview), QUESTION)
