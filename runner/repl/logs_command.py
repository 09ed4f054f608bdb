"""`/logs ...` in the REPL and `pm-runner logs ...` in a shell: one parser, one executor, same views.

Reads go through `LogReader`; rendering through `runner.views`; nothing here writes a log.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import orjson

from runner.errors import RunnerError
from runner.logs.models import TaskStatus
from runner.logs.query import LogsAction, LogsRequest, filter_entries, pick_session
from runner.repl.command_types import CommandContext, CommandResult

if TYPE_CHECKING:
    from runner.logs.store import LogReader

class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as RunnerError instead of exiting the REPL."""

    def error(self, message: str) -> NoReturn:
        raise RunnerError(f"{self.prog}: {message}", hint=f"{self.prog} --help shows the options")


def add_logs_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by `/logs` and `pm-runner logs`."""
    parser.add_argument("--session", metavar="ID", help="session id, or 'latest' (default: current/latest)")
    parser.add_argument("--full", action="store_true", help="show every event, executor details included")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a view")
    parser.add_argument("--tree", action="store_true", help="show session → thread → run → task")
    parser.add_argument("--status", choices=[s.value for s in TaskStatus], help="list only tasks in this status")
    parser.add_argument("--since", metavar="DURATION", help="list only tasks started within e.g. 30m, 2h, 7d")
    parser.add_argument("--clear", action="store_true", help="delete logs (asks first unless --force)")
    parser.add_argument("--force", action="store_true", help="with --clear: do not ask")
    parser.add_argument("--older-than", metavar="DURATION", help="with --clear: only sessions older than e.g. 7d")
    parser.add_argument("--dry-run", action="store_true", help="with --clear: show what would go, delete nothing")
    parser.add_argument("--follow", action="store_true", help="with show: stream new events until the task ends")
    parser.add_argument("--report", action="store_true",
                        help="write the session's HTML report under .claude/logs/reports/ and print its path")


def request_from_namespace(ns: argparse.Namespace, action: str, task_ref: str | None) -> LogsRequest:
    action = LogsAction(action)
    if ns.tree:
        action = LogsAction.TREE
    if ns.clear:
        action = LogsAction.CLEAR
    if ns.report:
        if task_ref:
            raise RunnerError("--report covers the whole session", hint="pm-runner logs report TASK_ID --format md")
        action = LogsAction.REPORT
    if action is LogsAction.SHOW and not task_ref:
        raise RunnerError("show needs a task id", hint="e.g. pm-runner logs show task-001")
    if ns.follow and action is not LogsAction.SHOW:
        raise RunnerError("--follow works with one task", hint="pm-runner logs show task-001 --follow")
    return LogsRequest(action=action, task_ref=task_ref, session=ns.session, full=ns.full, json=ns.json,
                       status=ns.status, since=ns.since, force=ns.force, older_than=ns.older_than,
                       dry_run=ns.dry_run, follow=ns.follow, report=ns.report)


def parse_repl_logs_args(args: list[str]) -> LogsRequest:
    """`/logs [id] [options]`."""
    parser = _Parser(prog="/logs", add_help=False)
    parser.add_argument("task", nargs="?")
    add_logs_options(parser)
    ns = parser.parse_args(args)
    return request_from_namespace(ns, "show" if ns.task else "list", ns.task)


def json_text(document: Any) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def write_report(reader: LogReader, request: LogsRequest, current: str | None) -> str:
    """`--report`: the session's HTML report saved under `.claude/logs/reports/`; returns the line to print."""
    from runner.export.html import render_session_html
    from runner.logs.reports import save_session_report
    from runner.repl.masked_sessions import load_session
    from runner.timestamps import now_iso

    session_id = pick_session(reader, request.session, current)
    html = render_session_html(load_session(reader, session_id), generated_at=now_iso())
    return f"Report: {save_session_report(reader.paths, session_id, html)}"


def execute_view(reader: LogReader, request: LogsRequest, current: str | None) -> list[Any]:
    """Build what a read-only logs request shows: rich renderables, or one JSON text."""
    from runner.views import sessions as sessions_view
    from runner.views import task_detail, task_list, tree

    if request.action is LogsAction.REPORT:
        return [write_report(reader, request, current)]
    if request.action is LogsAction.SESSIONS:
        rows = reader.list_sessions()
        if request.json:
            return [json_text(sessions_view.sessions_json(rows))]
        return [sessions_view.sessions_renderable(rows, current=current)]
    session_id = pick_session(reader, request.session, current)
    if request.action is LogsAction.SHOW:
        assert request.task_ref is not None
        log = reader.read_task(session_id, reader.resolve_task(session_id, request.task_ref))
        if request.json:
            return [json_text(task_detail.task_detail_json(log, visibility=request.visibility))]
        return [task_detail.task_detail_renderable(log, visibility=request.visibility)]
    index = reader.read_session_index(session_id)
    note = "index was missing or corrupted and has been rebuilt" if reader.last_rebuilt else None
    entries = filter_entries(index.entries, request)
    if request.action is LogsAction.TREE:
        if request.json:
            return [json_text(tree.tree_json(session_id, entries, visibility=request.visibility))]
        return [tree.tree_renderable(session_id, entries, visibility=request.visibility)]
    if request.json:
        return [json_text(task_list.task_list_json(session_id, entries))]
    running = next((e.task_id for e in entries if e.status is TaskStatus.RUNNING), None)
    return [task_list.task_list_renderable(session_id, entries, running_task_id=running, note=note)]


def run_logs_command(ctx: CommandContext, args: list[str]) -> CommandResult:
    """The `/logs` handler of the REPL."""
    from runner.logs.store import LogReader

    request = parse_repl_logs_args(args)
    project_root: Path = ctx.core.config.project_root
    if request.action is LogsAction.CLEAR:
        from runner.repl.clear_command import confirm_at, run_clear

        return CommandResult(output=run_clear(project_root, request, interactive=ctx.interactive,
                                              active_session=ctx.core.manager.session_id,
                                              confirm=confirm_at(ctx.terminal)))
    if request.follow:
        raise RunnerError("--follow is for the shell", hint="pm-runner logs show ID --follow")
    current = ctx.core.manager.session_id
    if (ctx.interactive and request.action is LogsAction.LIST and not request.json
            and not (request.status or request.since or request.session)):
        from runner.repl.browser import open_browser

        open_browser(project_root, current)
        return CommandResult()
    return CommandResult(output=execute_view(LogReader(project_root), request, current))
