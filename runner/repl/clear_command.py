"""`/logs --clear` and `pm-runner logs clear`: delete logs on request, after showing what would go.

At a terminal it asks first (`--force` skips asking); elsewhere it needs `--force`, so a script
never deletes logs by accident. `--dry-run` only lists. Every filter given (`--session`,
`--older-than`) is applied, and the deletion removes exactly the set that was previewed (each
item re-checked under its locks); each session is named (`Removing …`) before it goes, also with
`--force`. Sessions in use and unfinished tasks are never deleted (see `logs/retention/`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runner.durations import parse_duration_ms
from runner.errors import RunnerError
from runner.ids import IdKind, validate
from runner.logs.query import LogsRequest
from runner.logs.retention import RetentionReport, apply_clear, plan_clear
from runner.repl.plain_output import PlainTerminal
from runner.views.retention import preview_lines, removing_line, result_lines

QUESTION = "Delete? [y/N] "
# Shown the preview of a clear, says whether to go ahead; the edge shows it and asks the person.
Confirm = Callable[[RetentionReport], bool]


def run_clear(project_root: Path, request: LogsRequest, *, interactive: bool, active_session: str | None,
              confirm: Confirm, say: Callable[[str], None] | None = None, logs_dir: Path | None = None) -> list[str]:
    """Clear as asked; returns the lines left to show. Unless forced, `confirm` sees the preview first; `say`
    shows each `Removing …` line at once, before that session goes (without it they lead the returned lines)."""
    older_than_ms = parse_duration_ms(request.older_than, flag="--older-than") if request.older_than else None
    if not (request.force or request.dry_run or interactive):
        raise RunnerError("--clear needs --force when not at a terminal",
                          hint="add --force to delete without asking, or --dry-run to see what would go")
    plan = plan_clear(project_root, session_id=_named_session(project_root, request.session, logs_dir),
                      older_than_ms=older_than_ms, active_session=active_session, logs_dir=logs_dir)
    preview = RetentionReport(removals=list(plan.removals), kept=list(plan.kept))
    if request.dry_run:
        return preview_lines(preview) + ["(dry run: nothing was deleted)"]
    if not plan.removals:
        return preview_lines(preview)
    if not request.force and not confirm(preview):
        return ["Nothing was deleted."]
    said: list[str] = []
    report = apply_clear(plan, before_each=lambda removal: (say or said.append)(removing_line(removal)))
    return said + result_lines(report)


def _named_session(project_root: Path, wanted: str | None, logs_dir: Path | None) -> str | None:
    """The one session `--session` names (`latest` is the most recent), or None for every session."""
    if wanted is None:
        return None
    if wanted == "latest":
        from runner.logs.store import LogReader

        reader = LogReader(project_root, logs_dir=logs_dir)
        latest = reader.latest_session_id()
        if latest is None:
            raise RunnerError(f"no sessions recorded in {reader.logs_dir}", hint="nothing to clear")
        return latest
    return validate(IdKind.SESSION, wanted)


def confirm_at(terminal: PlainTerminal) -> Confirm:
    """Show the preview on `terminal` and ask there whether to delete."""
    return lambda preview: terminal.confirm(preview_lines(preview), QUESTION)
