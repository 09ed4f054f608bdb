"""What the REPL says when it starts: recovered tasks, retention, executor warnings, banner."""

from __future__ import annotations

from runner import __version__
from runner.core import RunnerCore
from runner.executors.registry import default_order_text
from runner.notices import Notice
from runner.repl.output import Terminal


def startup_messages(core: RunnerCore, terminal: Terminal) -> None:
    """Crash recovery first (so its WARNING is the first thing said), then the executor's state."""
    recovered = core.recover_project()
    if recovered:
        ids = ", ".join(f"{session}/{task}" for session, task in recovered)
        terminal.notify(Notice.warning(f"recovered {len(recovered)} task(s) left unfinished by a runner that "
                                       f"stopped; closed as error: {ids}"))
        ended = core.end_leftovers(recovered)
        if ended is not None:
            terminal.notify(ended)
    _apply_retention(core, terminal)
    if not core.config.non_interactive:
        terminal.line(f"pm-runner {__version__} | project {core.config.project_root} | "
                      f"executor {core.executor_name or '(none)'} | /help for commands, /exit to leave")
    if core.config.executor is None and core.executor_name is not None:
        terminal.notify(Notice.info(
            f"executor: {core.executor_name}, the first agent CLI found on PATH ({default_order_text()})",
            hint="choose another with --executor NAME or /provider NAME"))
    problem = core.executor_problem
    if problem is not None:
        terminal.notify(Notice.warning(problem.message, problem.hint))
    elif core.executor is not None:
        warning = getattr(core.executor, "warning", None)
        if warning:
            terminal.notify(Notice.warning(warning))
    for notice in core.loop_notices():
        terminal.notify(notice)
    # No warning for a missing API key: every agent CLI pm-runner runs can use its own login, and
    # when it cannot, its own failure (read from its output) says so. /keys shows the keys.


def _apply_retention(core: RunnerCore, terminal: Terminal) -> None:
    from runner.logs.store import safe_files

    if not safe_files.is_folder(core.paths.sessions_dir):
        return  # nothing recorded yet: not even worth importing retention (start-up time)
    from runner.logs.retention import apply_retention_at_start

    # Each removal is announced before it is done; what is returned are the problems after.
    for notice in apply_retention_at_start(core.config.project_root, core.config.logging,
                                           active_session=core.session_id, notify=terminal.notify,
                                           logs_dir=core.config.logs_dir):
        terminal.notify(notice)
