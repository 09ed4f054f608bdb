"""`/logs ...` in the REPL and the views `pm-runner logs ...` shares with it: one executor, same views.

Reads go through `LogReader`; rendering through `runner.views`; nothing here writes a log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from runner.errors import RunnerError
from runner.logs.query import LogsAction, LogsRequest, filter_entries, pick_session
from runner.logs.vocabulary import TaskStatus
from runner.views.fields import StatusTally, count_statuses
from runner.views.rows import Entry, rows_or_none

if TYPE_CHECKING:
    from runner.logs.models import SessionSummary
    from runner.logs.store import LogReader
    from runner.repl.command_types import CommandContext, CommandResult

def json_text(document: Any) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def write_report(reader: LogReader, request: LogsRequest, current: str | None) -> str:
    """`--report`: the session's HTML report saved under `.claude/logs/reports/`; returns the line to print."""
    from runner.export.html.report import render_session_html
    from runner.logs.reports import save_session_report
    from runner.repl.masked_sessions import load_session
    from runner.timestamps import now_iso

    session_id = pick_session(reader, request.session, current)
    html = render_session_html(load_session(reader, session_id), generated_at=now_iso())
    return f"Report: {save_session_report(reader.paths, session_id, html)}"


FIRST_PROMPTS_READ = 200  # sessions whose first prompt is looked up (the newest); older rows show none


def first_prompts(reader: LogReader, rows: list[SessionSummary]) -> dict[str, str]:
    """Each session's first prompt, from its index (the newest FIRST_PROMPTS_READ sessions)."""
    prompts: dict[str, str] = {}
    for row in rows[-FIRST_PROMPTS_READ:]:
        if row.task_count:
            try:
                entries = reader.read_session_index(row.session_id).entries
            except RunnerError:
                continue
            if entries:
                prompts[row.session_id] = entries[0].prompt_summary
    return prompts


def session_entries(reader: LogReader, session_id: str) -> Sequence[Entry]:
    """The session's rows for the list and the tree: read once, each field checked where it is shown.

    A row the views cannot read as stored (no string id, an unknown status) makes the whole
    index go through the models, which rebuild it from the task files when it is corrupted.
    """
    rows = rows_or_none(reader.read_session_rows(session_id))
    return rows if rows is not None else reader.read_session_index(session_id).entries


def execute_view(reader: LogReader, request: LogsRequest, current: str | None) -> list[Any]:
    """Build what a read-only logs request shows: views, or one JSON text.

    Each view's module is imported only when it is shown: a list or a tree of thousands of
    rows never loads rich.
    """
    if request.action is LogsAction.REPORT:
        return [write_report(reader, request, current)]
    if request.action is LogsAction.SESSIONS:
        from runner.views import sessions as sessions_view

        rows = reader.list_sessions()
        if request.json:
            return [json_text(sessions_view.sessions_json(rows))]
        return [sessions_view.sessions_renderable(rows, current=current, first_prompts=first_prompts(reader, rows))]
    session_id = pick_session(reader, request.session, current)
    if request.action is LogsAction.SHOW:
        from runner.views import task_detail

        assert request.task_ref is not None
        task_id = reader.resolve_task(session_id, request.task_ref)
        if request.json:
            log = reader.read_task(session_id, task_id)
            return [json_text(task_detail.task_detail_json(log, visibility=request.visibility))]
        return [task_detail.task_detail_renderable(reader.read_task_for_view(session_id, task_id),
                                                   visibility=request.visibility)]
    shown = shown_rows(reader, session_id, request)
    entries, omitted = shown.entries, shown.omitted
    filtered = shown.filtered
    note = "index was missing or corrupted and has been rebuilt" if reader.last_rebuilt else None
    if request.action is LogsAction.TREE:
        from runner.views import tree

        if request.json:
            return [json_text(tree.tree_json(session_id, entries, visibility=request.visibility, omitted=omitted))]
        return [tree.tree_renderable(session_id, entries, visibility=request.visibility, filtered=filtered,
                                     omitted=omitted)]
    from runner.views import task_list

    if request.json:
        return [json_text(task_list.task_list_json(session_id, entries, counts=shown.counts, omitted=omitted))]
    running = next((e.task_id for e in entries if e.status is TaskStatus.RUNNING), None)
    return [task_list.task_list_renderable(session_id, entries, running_task_id=running, note=note,
                                           filtered=filtered, counts=shown.counts, omitted=omitted)]


@dataclass(frozen=True)
class ShownRows:
    """What a list or a tree shows: the newest rows asked for, the counts of every row that matched, and
    how many of those are not shown."""

    entries: Sequence[Entry]
    counts: StatusTally
    omitted: int
    filtered: bool  # a filter was given and the session has tasks


def shown_rows(reader: LogReader, session_id: str, request: LogsRequest) -> ShownRows:
    """The rows of `request`'s list or tree. Unfiltered and limited, they are read from the end of the index
    (the cost grows with the limit, not the session); otherwise every row is read, filtered, then cut."""
    limit = request.limit
    if limit is not None and not (request.status or request.since):
        tail = reader.read_session_tail(session_id, limit)
        rows = rows_or_none(tail.rows) if tail is not None else None
        if tail is not None and rows is not None:
            return ShownRows(rows, StatusTally(**tail.counts), tail.total - len(rows), filtered=False)
    stored = session_entries(reader, session_id)
    entries = filter_entries(stored, request)
    counts = count_statuses(entry.status for entry in entries)
    shown = entries if limit is None else entries[max(len(entries) - limit, 0):]
    filtered = bool(request.status or request.since) and bool(stored)
    return ShownRows(shown, counts, len(entries) - len(shown), filtered)


BROWSER_MIN_COLUMNS, BROWSER_MIN_ROWS = 60, 12


def browser_fits() -> bool:
    """A full-screen browser needs a terminal that can draw one: not TERM=dumb, not a tiny window."""
    import os
    import shutil

    size = shutil.get_terminal_size((0, 0))
    return (os.environ.get("TERM") != "dumb" and size.columns >= BROWSER_MIN_COLUMNS
            and size.lines >= BROWSER_MIN_ROWS)


def run_logs_command(ctx: CommandContext, args: list[str]) -> CommandResult:
    """The `/logs` handler of the REPL."""
    from runner.logs.store import LogReader
    from runner.repl.command_types import (
        CommandResult,  # the REPL's types: `pm-runner logs` never loads the core
    )

    if "--help" in args or "-h" in args:
        from runner.repl.logs_args import logs_options_help

        return CommandResult(output=["/logs [ID] [options]", *logs_options_help()])
    # The REPL's parser, loaded here: `pm-runner logs` reads its command lines with its own grammar.
    from runner.repl.logs_args import parse_repl_logs_args

    request = parse_repl_logs_args(args)
    project_root: Path = ctx.core.config.project_root
    if request.action is LogsAction.CLEAR:
        from runner.repl.clear_command import confirm_at, run_clear

        return CommandResult(output=run_clear(project_root, request, interactive=ctx.interactive,
                                              active_session=ctx.core.manager.session_id,
                                              confirm=confirm_at(ctx.terminal), say=ctx.terminal.line,
                                              logs_dir=ctx.core.config.logs_dir))
    if request.follow:
        raise RunnerError("--follow is for the shell", hint="pm-runner logs show ID --follow")
    current = ctx.core.manager.session_id
    if (ctx.interactive and request.action is LogsAction.LIST and not request.json
            and not (request.status or request.since or request.session) and browser_fits()):
        from runner.repl.browser import open_browser

        # `/logs --full` opens in full view
        open_browser(project_root, current, full=request.full, logs_dir=ctx.core.config.logs_dir)
        return CommandResult()
    from runner.repl.collector_pause import show_paused

    reader = LogReader(project_root, logs_dir=ctx.core.config.logs_dir)
    show_paused(lambda: execute_view(reader, request, current), ctx.terminal.render)
    return CommandResult()
