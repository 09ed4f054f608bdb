"""`pm-runner repl`: resolve the settings, open the logs, and run the REPL on the environment's streams."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from runner.cli.env import Environment
from runner.cli.options import overrides_from
from runner.errors import ExitStatus

if TYPE_CHECKING:
    from runner.config import RunnerConfig
    from runner.core import RunnerCore
    from runner.logs.manager import TaskLogManager
    from runner.repl.output import Terminal


def run_repl(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from runner.config import resolve_config
    from runner.repl.output import Terminal

    config = resolve_config(overrides_from(args, env), stdin_is_tty=env.stdin_isatty)
    terminal = Terminal(env.stdout, interactive=not config.non_interactive, environ=env.environ,
                        quiet=args.quiet, stderr=env.stderr)
    if config.print_project_path:
        terminal.line(f"PROJECT_PATH={config.project_root}")
    config = _consent(config, terminal, env)
    if config.project_root != env.cwd.resolve() and not args.project:
        env.stderr.write(f"Project: {config.project_root} (the nearest folder up with .claude/ or .git)\n")
    return _run_session(config, terminal, env, args)


def _consent(config: RunnerConfig, terminal: Terminal, env: Environment) -> RunnerConfig:
    """Before anything runs: the repository's program-running settings need the user's consent (raises without)."""
    if not config.origins:
        return config  # no setting came from a repository's file: nothing to consent to (start-up time)
    from runner.consent import require_consent, with_trusted_checks

    ask = None if config.non_interactive else terminal.confirm
    for notice in require_consent(config, env.environ, ask=ask):
        terminal.notify(notice)
    return with_trusted_checks(config)


def _run_session(config: RunnerConfig, terminal: Terminal, env: Environment,
                 args: argparse.Namespace) -> ExitStatus:
    from runner.core import RunnerCore
    from runner.logs.store.access import check_logs_writable
    from runner.logs.store.logs_root import prepare_logs_dir
    from runner.logs.store.paths import LogPaths
    from runner.repl.loop import run_interactive, run_script
    from runner.repl.startup import startup_messages

    if config.logs_choice is not None:
        prepare_logs_dir(config.logs_choice)
    made: list[TaskLogManager] = []  # the manager, once the core needed it (a REPL that records nothing makes none)

    def make_manager() -> TaskLogManager:
        from runner.logs.manager import TaskLogManager

        manager = TaskLogManager(config.project_root, durability=config.durability,
                                 on_warning=terminal.notify,
                                 max_event_bytes=int(config.logging.max_event_size_mb * 1024 * 1024),
                                 on_disk_full=lambda: _free_space(config, manager, terminal),
                                 logs_dir=config.logs_dir)
        made.append(manager)
        return manager

    try:
        paths = LogPaths(config.project_root, config.logs_dir)
        check_logs_writable(paths.hint_project, paths.logs_dir, (paths.sessions_dir,))
        core = RunnerCore(config, make_manager, terminal)
        startup_messages(core, terminal)
        if args.continue_session:
            _continue(core, terminal, args.continue_session)
        if config.non_interactive:
            return run_script(core, terminal, env.stdin.buffer)
        return run_interactive(core, terminal)
    finally:
        for manager in made:
            manager.close()


def _continue(core: RunnerCore, terminal: Terminal, wanted: str) -> None:
    """`--continue [ID]`: reopen the latest (or the named) session before the first line is read."""
    from runner.errors import NotFoundError
    from runner.logs.store import LogReader

    has_sessions = core.manager.paths.sessions_dir.is_dir()
    reader = LogReader(core.config.project_root, logs_dir=core.config.logs_dir)
    session_id = (reader.latest_session_id() if has_sessions else None) \
        if wanted == "latest" else wanted
    if session_id is None:
        raise NotFoundError(f"no session to continue in {core.manager.paths.logs_dir}",
                            hint="start without --continue; the first task starts a session")
    core.continue_session(session_id)
    count = len(core.manager.entries())
    terminal.line(f"Session continued: {session_id} ({count} task{'s' if count != 1 else ''})")


def _free_space(config: RunnerConfig, manager: TaskLogManager, terminal: Terminal) -> bool:
    """The manager's ENOSPC hook: remove the oldest finished logs once and say what went (seed 003 §10.3)."""
    from runner.logs.retention import free_space
    from runner.notices import Notice

    terminal.notify(Notice.warning("the disk is full; removing the oldest finished logs to make room"))
    report = free_space(config.project_root, config.logging, active_session=manager.session_id,
                        logs_dir=config.logs_dir)
    for notice in report.warnings:
        terminal.notify(notice)
    if not report.removals:
        terminal.notify(Notice.warning("no log could be removed to make room; free some disk space"))
    return bool(report.removals)
