"""`pm-runner logs ...` for shells and CI: the same views as `/logs`, plus `--follow` on a running task."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from runner.cli.env import Environment
from runner.errors import ExitStatus
from runner.logs.models import TaskLog
from runner.logs.query import LogsAction, LogsRequest, pick_session
from runner.repl.logs_args import request_from_namespace
from runner.repl.logs_command import execute_view
from runner.repl.output import Terminal

if TYPE_CHECKING:
    from runner.logs.store import LogReader

FOLLOW_POLL_S = 0.2


def run_logs_subcommand(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from runner.logs.store import LogReader

    project = (env.cwd / args.project if args.project else env.cwd).resolve()
    request = request_from_namespace(args, args.action, args.task)
    terminal = Terminal(env.stdout, environ=env.environ)
    if request.action is LogsAction.CLEAR:
        from runner.repl.clear_command import confirm_at, run_clear

        for line in run_clear(project, request, interactive=env.stdin_isatty, active_session=None,
                              confirm=confirm_at(terminal), say=terminal.line):
            terminal.render(line)
        return ExitStatus.SUCCESS
    reader = LogReader(project)
    if request.follow:
        return _follow(reader, request, terminal)
    for item in execute_view(reader, request, current=None):
        terminal.render(item)
    return ExitStatus.SUCCESS


def _follow(reader: LogReader, request: LogsRequest, terminal: Terminal) -> ExitStatus:
    """Print the task, then each new event as it reaches the log, until the task is terminal."""
    from runner.views.task_detail import event_renderable, task_detail_renderable

    assert request.task_ref is not None  # request_from_namespace requires an id for show
    session_id = pick_session(reader, request.session, None)
    task_id = reader.resolve_task(session_id, request.task_ref)
    shown = 0
    while True:
        log = reader.read_task(session_id, task_id)
        if not isinstance(log, TaskLog):
            terminal.render(task_detail_renderable(log, visibility=request.visibility))
            return ExitStatus.ERROR
        if shown == 0:
            terminal.render(task_detail_renderable(log, visibility=request.visibility))
            shown = len(log.events)
        for event in log.events[shown:]:
            if request.full or event.visibility.value == "summary":
                terminal.render(event_renderable(event))
        shown = len(log.events)
        if log.status.is_terminal:
            return ExitStatus.SUCCESS
        time.sleep(FOLLOW_POLL_S)
