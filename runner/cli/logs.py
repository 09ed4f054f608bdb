"""`pm-runner logs ...` for shells and CI: the same views as `/logs`, `--follow` on a running task,
`schema`, and the routes to `export|report|stats`.

Documents go to stdout; notes (which session a task was found in, where the project is) to
stderr, so a pipe receives the document alone. Hints are written in shell syntax.
"""

from __future__ import annotations

import sys
import time
from types import SimpleNamespace
from typing import TYPE_CHECKING

from runner.cli.env import Environment
from runner.cli.hints import shell_hints
from runner.cli.logs_grammar import (
    EXPORT_SUBCOMMANDS,
    logs_help,
    parse_logs_command,
    split_subcommand,
)
from runner.errors import ExitStatus, RunnerError, UsageError
from runner.logs.query import LogsAction, LogsRequest, locate_task
from runner.logs.view_limit import requested_limit
from runner.logs.vocabulary import Durability, ErrorCode, TaskStatus

if TYPE_CHECKING:
    from runner.logs.store import LogReader
    from runner.repl.plain_output import PlainTerminal

FOLLOW_POLL_S = 0.2
# The events recovery adds (RECOVERY_COMPLETE, TASK_ERROR) are small; the limit only caps their strings.
RECOVERY_EVENT_BYTES = 1024 * 1024
EXIT_BY_STATUS = {TaskStatus.COMPLETE: ExitStatus.SUCCESS, TaskStatus.ERROR: ExitStatus.ERROR,
                  TaskStatus.INCOMPLETE: ExitStatus.INCOMPLETE}


def run_logs(argv: list[str], env: Environment) -> ExitStatus:
    """`pm-runner logs ARGV`: find the subcommand, parse its flags, run it."""
    name, rest = split_subcommand(argv)
    if name == "help" or (name == "list" and ("-h" in argv or "--help" in argv) and not _named(argv, "list")):
        env.stdout.write(logs_help(env))
        return ExitStatus.SUCCESS
    if name.startswith("unknown:"):
        word = name.removeprefix("unknown:")
        raise UsageError(f"pm-runner logs: unknown subcommand {word[:80]!r}",
                         hint="pm-runner logs --help lists them: list, show, tree, sessions, clear, "
                              "export, report, stats, schema")
    if name in EXPORT_SUBCOMMANDS:
        from runner.cli.export import main as export_main

        with shell_hints():
            return export_main([name, *rest], env)
    args = parse_logs_command(env, name, rest)
    if name == "schema":
        from runner.views.json_contract import json_schema_text

        env.stdout.write(json_schema_text() + "\n")
        return ExitStatus.SUCCESS
    with shell_hints():
        return _run_view(args, env)


def _named(argv: list[str], name: str) -> bool:
    return name in argv


def _run_view(args: SimpleNamespace, env: Environment) -> ExitStatus:
    from runner.cli.project_root import project_from
    from runner.logs.store import LogReader
    from runner.logs.store.logs_root import choose_logs_dir
    from runner.repl.plain_output import PlainTerminal

    project = project_from(args.project, env)
    choice = choose_logs_dir(args.logs_dir, env.environ, env.cwd)
    logs_dir = choice.path if choice else None
    request = _request(args)
    terminal = PlainTerminal(env.stdout, environ=env.environ, stderr=env.stderr)  # notices to stderr
    if request.action is LogsAction.CLEAR:
        from runner.repl.clear_command import confirm_at, run_clear

        for line in run_clear(project, request, interactive=env.stdin_isatty, active_session=None,
                              confirm=confirm_at(terminal), say=terminal.line, logs_dir=logs_dir):
            terminal.render(line)
        return ExitStatus.SUCCESS
    reader = LogReader(project, logs_dir=logs_dir)
    if request.action is LogsAction.SHOW:
        assert request.task_ref is not None
        location = locate_task(reader, request.task_ref, request.session, None)
        if location.note:
            env.stderr.write(f"NOTE: {location.note}\n")
        request.session, request.task_ref = location.session_id, location.task_id
        if request.follow:
            return _follow(reader, request, terminal)
    from runner.repl.collector_pause import show_paused
    from runner.repl.logs_command import execute_view

    show_paused(lambda: execute_view(reader, request, current=None), terminal.render)
    _leave_to_exit(env)
    return ExitStatus.SUCCESS


def _leave_to_exit(env: Environment) -> None:
    """The view is written and the process is about to end: keep the interpreter's exit from collecting
    every object the imports made (`gc.freeze`: the final collections then skip them; the memory goes
    back with the process). A read view holds no open file nor anything else a collection would
    finalize; only the process's own run does this (a test calling `main` in-process writes elsewhere)."""
    if env.stdout is sys.__stdout__ and env.stdout is not None:
        import gc

        gc.freeze()


def _request(args: SimpleNamespace) -> LogsRequest:
    values = vars(args)
    action = LogsAction.REPORT if args.action == "--report" else LogsAction(args.action)
    return LogsRequest(action=action, task_ref=values.get("task"), session=values.get("session"),
                       full=values.get("full", False), json=values.get("json", False),
                       status=values.get("status"), since=values.get("since"), force=values.get("force", False),
                       older_than=values.get("older_than"), dry_run=values.get("dry_run", False),
                       follow=values.get("follow", False),
                       limit=requested_limit(values.get("limit"), values.get("all", False)))


def _follow(reader: LogReader, request: LogsRequest, terminal: PlainTerminal) -> ExitStatus:
    """Print the task, then each new event as it reaches the log, until the task ends; exit like the task.

    With --json, one JSON object per line: the task (without events), each event, then the end.
    A task whose runner is gone (no process holds its session's owner lock) never ends by itself:
    the session is recovered here, its closing events are shown, and the follow ends with an error.
    """
    from runner.logs.models import TaskLog
    from runner.logs.store.sessions import owner_alive
    from runner.views.json_contract import stamped
    from runner.views.task_detail import event_renderable, task_detail_json, task_detail_renderable

    assert request.session is not None and request.task_ref is not None
    shown, started, recovered = 0, False, False
    while True:
        log = reader.read_task(request.session, request.task_ref)
        if not isinstance(log, TaskLog):
            _emit(terminal, request, task_detail_json(log, visibility=request.visibility),
                  task_detail_renderable(log, visibility=request.visibility))
            return ExitStatus.ERROR
        if not started:
            started = True
            header = task_detail_json(log, visibility=request.visibility)
            header.pop("events", None)
            _emit(terminal, request, {"kind": "task", **header}, task_detail_renderable(log, visibility=request.visibility))
            # The text view above shows the events so far; the JSON stream carries them as lines.
            shown = 0 if request.json else len(log.events)
        for event in log.events[shown:]:
            if request.full or event.visibility.value == "summary":
                _emit(terminal, request, {"kind": "event", **_event_json(event)}, event_renderable(event))
        shown = len(log.events)
        if log.status.is_terminal:
            status = EXIT_BY_STATUS[log.status]
            if request.json:
                terminal.line(_jsonl(stamped({"kind": "end", "task_id": log.task_id,
                                              "status": log.status.value, "exit_code": int(status)})))
            if recovered and log.error_code is ErrorCode.RUNNER_CRASHED:
                raise RunnerError(f"the runner of {log.task_id} stopped before the task finished; it was "
                                  f"recovered as {log.status.value} ({log.error_code.value})",
                                  hint=f"pm-runner logs show {log.task_id} --session {request.session} "
                                       "shows the whole log")
            return status
        if recovered:
            raise RunnerError(f"the runner of {log.task_id} is gone (its session is not locked) but the task "
                              "could not be closed here", hint="the next pm-runner start in this project closes it")
        if not owner_alive(reader.paths, request.session):
            _recover(reader, request.session, terminal)
            recovered = True
            continue
        time.sleep(FOLLOW_POLL_S)


def _recover(reader: LogReader, session_id: str, terminal: PlainTerminal) -> None:
    """Close the abandoned task as crash recovery does at start."""
    from runner.logs.recovery import recover_session
    from runner.logs.store.context import StoreContext

    ctx = StoreContext(reader.paths, Durability.STRICT, reader.lock_timeout_s, warn=terminal.notify)
    try:
        recover_session(ctx, session_id, max_event_bytes=RECOVERY_EVENT_BYTES)
    except (RunnerError, OSError):
        pass  # the loop says so: the task is still open


def _event_json(event: object) -> dict[str, object]:
    from runner.views.safe_text import safe_json

    document: dict[str, object] = safe_json(event.model_dump(mode="json"))  # type: ignore[attr-defined]
    return document


def _emit(terminal: PlainTerminal, request: LogsRequest, document: dict[str, object], renderable: object) -> None:
    from runner.views.json_contract import stamped

    if request.json:
        terminal.line(_jsonl(stamped(document)))
    else:
        terminal.render(renderable)


def _jsonl(document: dict[str, object]) -> str:
    import orjson

    return orjson.dumps(document).decode()
