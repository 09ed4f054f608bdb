"""Command-line entry point: `pm-runner [repl|logs] ...`; argument parsing and error → exit-code mapping only.

Heavy modules are imported inside the subcommand that needs them, so `--help`,
`--version` and `logs` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from runner import __version__
from runner.errors import ExitStatus, RunnerError

if TYPE_CHECKING:
    from runner.config import CliOverrides, RunnerConfig
    from runner.logs.manager import TaskLogManager
    from runner.repl.output import Terminal

DESCRIPTION = """\
A REPL between you (or a CI script) and a coding agent. Every line you type
becomes a task: pm-runner runs it through an executor, checks on disk which
files really changed, and keeps a masked TaskLog under <project>/.claude/logs/.
"""

EPILOG = """\
examples:
  pm-runner repl --executor shell              interactive; each line runs as a shell command
  pm-runner repl --executor shell <<'EOF'      the same from a script (exit code 0/1/2)
  pm-runner logs list --status error --json    failed tasks of the latest session, as JSON
  pm-runner logs show task-001 --full          one task with every executor event
  pm-runner logs report --format html --output session.html   a self-contained HTML report
"""

EXPORT_SUBCOMMANDS = ("export", "report", "stats")  # runner.cli_export parses these (imported only when used)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of milliseconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of milliseconds, got {text}")
    return value


def _add_repl_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    repl = subparsers.add_parser("repl", help="start the REPL (the default)", description=DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    repl.add_argument("--project", type=Path, metavar="DIR", help="project folder (default: current folder)")
    repl.add_argument("--project-mode", choices=["cwd", "temp", "fixed"],
                      help="cwd (default), temp (a fresh temporary folder) or fixed (needs --project-root)")
    repl.add_argument("--project-root", type=Path, metavar="DIR", help="existing folder for --project-mode fixed")
    repl.add_argument("--print-project-path", action="store_true",
                      help="print PROJECT_PATH=<abs path> as the first line of output")
    repl.add_argument("--non-interactive", action="store_true",
                      help="read lines from stdin without a prompt (automatic when stdin is not a terminal)")
    repl.add_argument("--executor", metavar="NAME",
                      help="claude-code (default when `claude` is on PATH), command, shell")
    repl.add_argument("--executor-cmd", metavar="TEMPLATE",
                      help="command template for --executor command, e.g. 'codex exec --sandbox workspace-write {prompt}'")
    repl.add_argument("--model", metavar="NAME", help="model passed to the executor")
    repl.add_argument("--executor-timeout", type=_positive_int, metavar="MS",
                      help="end a task running longer than this (default 300000)")
    repl.add_argument("--progress-timeout", type=_positive_int, metavar="MS",
                      help="end a task silent for longer than this (default 60000)")
    repl.add_argument("--durability", choices=["strict", "normal"],
                      help="strict: fsync every event (default when non-interactive); normal: fsync at checkpoints")
    repl.add_argument("--require-evidence", choices=["auto", "always", "never"],
                      help="always: a task with no verified file on disk is incomplete (default auto)")


def _add_logs_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from runner.logs.query import SHELL_ACTIONS
    from runner.repl.logs_command import add_logs_options

    logs = subparsers.add_parser("logs", help="list, show, tree, sessions, clear, export, report or stats",
                                 description="Read the TaskLogs of a project (masked, summary unless --full).\n"
                                 "Also: `logs export` (OTLP, JSONL, --endpoint), `logs report` (Markdown, HTML)\n"
                                 "and `logs stats`; each has its own --help.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    logs.add_argument("action", nargs="?", default="list", choices=SHELL_ACTIONS, help="what to do (default: list)")
    logs.add_argument("task", nargs="?", metavar="ID", help="task id for show (task-001 or task-<epoch-ms>)")
    logs.add_argument("--project", type=Path, metavar="DIR", default=None, help="project folder (default: .)")
    add_logs_options(logs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pm-runner", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"pm-runner {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="{repl,logs}")
    _add_repl_parser(subparsers)
    _add_logs_parser(subparsers)
    return parser


def _report(exc: RunnerError) -> None:
    from runner.views.safe_text import safe_str

    print(f"ERROR: {safe_str(exc.message)}", file=sys.stderr)
    if exc.hint:
        print(f"HINT: {safe_str(exc.hint)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["logs"] and argv[1:2] and argv[1] in EXPORT_SUBCOMMANDS:
            from runner.cli.export import main as export_main

            return int(export_main(argv[1:]))
        args = parser.parse_args(argv)
        if args.command == "logs":
            from runner.cli.logs import run_logs_subcommand

            return int(run_logs_subcommand(args))
        if args.command is None:
            args = parser.parse_args(["repl"])
        return int(run_repl(args))
    except RunnerError as exc:
        _report(exc)
        return int(ExitStatus.ERROR)
    except BrokenPipeError:
        # The reader went away (`pm-runner logs list | head`): stop quietly, and keep Python's
        # own flush at exit from failing on the closed pipe too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitStatus.ERROR)


def _overrides(args: argparse.Namespace) -> CliOverrides:
    from runner.config import CliOverrides, ProjectMode
    from runner.logs.models import Durability, RequireEvidence

    return CliOverrides(
        project=args.project,
        project_mode=ProjectMode(args.project_mode) if args.project_mode else None,
        project_root=args.project_root,
        non_interactive=args.non_interactive,
        executor=args.executor,
        executor_cmd=args.executor_cmd,
        model=args.model,
        executor_timeout_ms=args.executor_timeout,
        progress_timeout_ms=args.progress_timeout,
        durability=Durability(args.durability) if args.durability else None,
        require_evidence=RequireEvidence(args.require_evidence) if args.require_evidence else None,
        print_project_path=args.print_project_path,
    )


def run_repl(args: argparse.Namespace) -> ExitStatus:
    from runner.config import resolve_config
    from runner.repl.output import Terminal

    config = resolve_config(_overrides(args), stdin_is_tty=sys.stdin.isatty())
    terminal = Terminal(sys.stdout, interactive=not config.non_interactive)
    if config.print_project_path:
        terminal.line(f"PROJECT_PATH={config.project_root}")
    return _run_session(config, terminal)


def _run_session(config: RunnerConfig, terminal: Terminal) -> ExitStatus:
    from runner.core import RunnerCore
    from runner.logs.manager import TaskLogManager
    from runner.repl.loop import run_interactive, run_script
    from runner.repl.startup import startup_messages

    manager = TaskLogManager(config.project_root, durability=config.durability,
                             on_warning=terminal.notify,
                             max_event_bytes=int(config.logging.max_event_size_mb * 1024 * 1024),
                             on_disk_full=lambda: _free_space(config, manager, terminal))
    try:
        core = RunnerCore(config, manager, terminal)
        startup_messages(core, terminal)
        if config.non_interactive:
            return run_script(core, terminal, sys.stdin.buffer)
        return run_interactive(core, terminal)
    finally:
        manager.close()


def _free_space(config: RunnerConfig, manager: TaskLogManager, terminal: Terminal) -> bool:
    """The manager's ENOSPC hook: remove the oldest finished logs once and say what went (seed 003 §10.3)."""
    from runner.logs.retention import free_space
    from runner.notices import Notice

    terminal.notify(Notice.warning("the disk is full; removing the oldest finished logs to make room"))
    report = free_space(config.project_root, config.logging, active_session=manager.session_id)
    for notice in report.warnings:
        terminal.notify(notice)
    if not report.removals:
        terminal.notify(Notice.warning("no log could be removed to make room; free some disk space"))
    return bool(report.removals)
