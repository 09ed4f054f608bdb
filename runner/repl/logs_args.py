"""The grammar of a logs request, shared by `/logs` in the REPL and `pm-runner logs` in a shell.

One set of options, one conversion to a `LogsRequest`. Light on purpose: `pm-runner --help`
builds these parsers.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from runner.errors import RunnerError
from runner.logs.query import LogsAction, LogsRequest
from runner.logs.view_limit import DEFAULT_LIMIT, limit_arg, requested_limit
from runner.logs.vocabulary import TaskStatus


class _Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as RunnerError instead of exiting the REPL."""

    def error(self, message: str) -> NoReturn:
        raise RunnerError(f"{self.prog}: {message}", hint=f"{self.prog} --help shows the options")


def add_logs_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by `/logs` and `pm-runner logs`."""
    parser.add_argument("--session", metavar="ID",
                        help="session id, or 'latest' (default: current/latest; with clear: only that session)")
    parser.add_argument("--full", action="store_true", help="show every event, executor details included")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a view")
    parser.add_argument("--tree", action="store_true", help="show session → thread → run → task")
    parser.add_argument("--status", choices=[s.value for s in TaskStatus], help="list only tasks in this status")
    parser.add_argument("--since", metavar="DURATION", help="list only tasks started within e.g. 30m, 2h, 7d")
    parser.add_argument("--limit", type=limit_arg, metavar="N",
                        help=f"list only the newest N tasks (default: {DEFAULT_LIMIT})")
    parser.add_argument("--all", action="store_true", help="list every task of the session, not only the newest")
    parser.add_argument("--clear", action="store_true", help="delete logs (asks first unless --force)")
    parser.add_argument("--force", action="store_true", help="with --clear: do not ask")
    parser.add_argument("--older-than", metavar="DURATION", help="with --clear: only sessions older than e.g. 7d")
    parser.add_argument("--dry-run", action="store_true", help="with --clear: show what would go, delete nothing")
    parser.add_argument("--follow", action="store_true", help="with show: stream new events until the task ends")
    parser.add_argument("--report", action="store_true",
                        help="write the session's HTML report under the logs folder's reports/ (.claude/logs/reports/ by default) and print its path")


# Flags that only mean something to clear, and filters clear cannot apply (it removes whole sessions).
_CLEAR_ONLY = (("--force", "force"), ("--older-than", "older_than"), ("--dry-run", "dry_run"))
_NOT_FOR_CLEAR = (("--status", "status"), ("--since", "since"), ("--limit", "limit"), ("--all", "all"),
                  ("--full", "full"), ("--json", "json"),
                  ("--tree", "tree"), ("--follow", "follow"), ("--report", "report"))


def _check_clear_flags(ns: argparse.Namespace, action: LogsAction, task_ref: str | None) -> None:
    """Clear applies every filter it is given or refuses it: a flag it cannot honour is an error, never ignored."""
    if action is LogsAction.CLEAR:
        refused = [flag for flag, attr in _NOT_FOR_CLEAR if getattr(ns, attr, False)]
        if task_ref:
            refused.insert(0, f"a task id ({task_ref[:40]})")
        if refused:
            raise RunnerError(f"clear removes whole sessions; it does not take {', '.join(refused)}",
                              hint="narrow it with --session ID or --older-than 7d; --dry-run shows what would go")
        return
    stray = [flag for flag, attr in _CLEAR_ONLY if getattr(ns, attr, False)]
    if stray:
        raise RunnerError(f"{', '.join(stray)} only work with clear",
                          hint="e.g. pm-runner logs clear --older-than 7d --dry-run")


def request_from_namespace(ns: argparse.Namespace, action: str, task_ref: str | None) -> LogsRequest:
    action = LogsAction(action)
    if ns.clear and action not in (LogsAction.LIST, LogsAction.CLEAR):
        raise RunnerError(f"--clear cannot be combined with {action}", hint="pm-runner logs clear --help")
    if ns.clear:
        action = LogsAction.CLEAR
    _check_clear_flags(ns, action, task_ref)
    if ns.tree:
        action = LogsAction.TREE
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
                       dry_run=ns.dry_run, follow=ns.follow, report=ns.report,
                       limit=requested_limit(ns.limit, ns.all))


def parse_repl_logs_args(args: list[str]) -> LogsRequest:
    """`/logs [id] [options]`."""
    parser = _Parser(prog="/logs", add_help=False)
    parser.add_argument("task", nargs="?")
    add_logs_options(parser)
    ns = parser.parse_args(args)
    return request_from_namespace(ns, "show" if ns.task else "list", ns.task)


def logs_options_help() -> list[str]:
    """`/help logs` and `/logs --help`: each option with its help line."""
    parser = argparse.ArgumentParser(prog="/logs", add_help=False)
    add_logs_options(parser)
    lines = ["  options:"]
    for action in parser._actions:  # argparse keeps no public list of its options
        flag = ", ".join(action.option_strings)
        value = f" {action.metavar}" if action.metavar else ""
        lines.append(f"    {(flag + value).ljust(22)} {action.help}")
    lines.append("  /logs alone opens the browser at a terminal; /logs ID shows one task.")
    return lines
