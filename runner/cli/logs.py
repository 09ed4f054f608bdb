"""`pm-runner logs ...` for shells and CI: the same views as `/logs`, plus `--follow` on a running task."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from runner.cli.env import Environment
from runner.errors import ExitStatus, RunnerError
from runner.logs.models import CorruptedLog, Durability, ErrorCode, TaskLog
from runner.logs.query import LogsAction, LogsRequest, pick_session
from runner.repl.logs_args import request_from_namespace
from runner.repl.logs_command import execute_view
from runner.repl.output import Terminal

if TYPE_CHECKING:
    from runner.logs.store import LogReader

FOLLOW_POLL_S = 0.2
# The events recovery adds (RECOVERY_COMPLETE, TASK_ERROR) are small; the limit only caps their strings.
RECOVERY_EVENT_BYTES = 1024 * 1024


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
    """Print the task, then each new event as it reaches the log, until the task is terminal.

    A task whose runner is gone (no process holds its session's owner lock) never ends by
    itself: the session is recovered here, the recovered events are printed, and the follow
    ends with an ERROR (exit 1) within a poll or two of the lock being free.
    """
    from runner.logs.store.sessions import owner_alive

    assert request.task_ref is not None  # request_from_namespace requires an id for show
    session_id = pick_session(reader, request.session, None)
    task_id = reader.resolve_task(session_id, request.task_ref)
    shown = -1
    while True:
        log = reader.read_task(session_id, task_id)
        shown = _show_new(log, shown, request, terminal)
        if not isinstance(log, TaskLog):
            return ExitStatus.ERROR
        if log.status.is_terminal:
            return ExitStatus.SUCCESS
        if not owner_alive(reader.paths, session_id):
            return _runner_gone(reader, session_id, task_id, shown, request, terminal)
        time.sleep(FOLLOW_POLL_S)


def _show_new(log: TaskLog | CorruptedLog, shown: int, request: LogsRequest, terminal: Terminal) -> int:
    """Print the whole task the first time (`shown` < 0), then only events not shown yet; returns how many were."""
    from runner.views.task_detail import event_renderable, task_detail_renderable

    if shown < 0 or not isinstance(log, TaskLog):
        terminal.render(task_detail_renderable(log, visibility=request.visibility))
        return len(log.events) if isinstance(log, TaskLog) else 0
    for event in log.events[shown:]:
        if request.full or event.visibility.value == "summary":
            terminal.render(event_renderable(event))
    return len(log.events)


def _runner_gone(reader: LogReader, session_id: str, task_id: str, shown: int, request: LogsRequest,
                 terminal: Terminal) -> ExitStatus:
    """Close the abandoned task as crash recovery does at start, show how it ended, and fail."""
    from runner.logs.recovery import recover_session
    from runner.logs.store.context import StoreContext

    ctx = StoreContext(reader.paths, Durability.STRICT, reader.lock_timeout_s, warn=terminal.notify)
    try:
        recover_session(ctx, session_id, max_event_bytes=RECOVERY_EVENT_BYTES)
    except (RunnerError, OSError):
        pass  # said below: the task is still open
    log = reader.read_task(session_id, task_id)
    _show_new(log, shown, request, terminal)
    if isinstance(log, TaskLog) and log.status.is_terminal:
        if log.error_code is ErrorCode.RUNNER_CRASHED:
            raise RunnerError(f"the runner of {task_id} stopped before the task finished; "
                              f"it was recovered as {log.status.value} ({log.error_code.value})",
                              hint=f"pm-runner logs show {task_id} --session {session_id} shows the whole log")
        return ExitStatus.SUCCESS  # it finished after all, just as the lock was let go
    raise RunnerError(f"the runner of {task_id} is gone (its session is not locked) but the task could not be "
                      "closed here", hint="the next pm-runner start in this project closes it")
