"""The REPL's input loops: interactive (prompt-toolkit) and non-interactive (stdin script, heredoc, CI).

Both feed lines to `handle_line`; the script loop handles each line to the end and
flushes its output before reading the next, and exits with the core's exit status.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, NoReturn

from runner.errors import (
    ExitStatus,
    LogsNotWritableError,
    LogWriteFatalError,
    RunnerError,
    StoreError,
)
from runner.repl.interrupts import InterruptGate, Terminated
from runner.views.safe_text import safe_str

if TYPE_CHECKING:
    from runner.core import RunnerCore
    from runner.orchestration.request import RequestOutcome
    from runner.repl.output import Terminal
    from runner.repl.typeahead import Typeahead

# Longer lines are refused: one argv string may not exceed 128 KiB on Linux anyway.
MAX_LINE_CHARS = 100_000


class StopRepl(Exception):
    """Raised to leave the loop; `status` overrides the tally when set."""

    def __init__(self, status: ExitStatus | None = None) -> None:
        super().__init__("stop")
        self.status = status


# Typed alone (any case), these leave like /exit; they are never sent to an executor.
QUIT_WORDS = frozenset({"exit", "quit", ":q", ":q!", ":wq"})


def handle_line(core: RunnerCore, terminal: Terminal, text: str, *, interactive: bool) -> None:
    """One input line: blank, `exit` typo, `/command`, or a task. Raises StopRepl to leave."""
    line = text.strip()
    if not line:
        return
    if "\x00" in line:
        _user_error(core, terminal, RunnerError("the line contains a NUL byte and was not run",
                                                hint="remove the NUL character from the input"))
        return
    if len(line) > MAX_LINE_CHARS:
        _user_error(core, terminal, RunnerError(
            f"the line is {len(line)} characters long; the limit is {MAX_LINE_CHARS}",
            hint="put long instructions in a file and ask the agent to read it"))
        return
    if not interactive:
        terminal.line(f"> {safe_str(line)}")
    if line.lower() in QUIT_WORDS:
        line = "/exit"  # a person leaving, never a task for the executor
    if line.startswith("/"):
        _run_command(core, terminal, line, interactive=interactive)
        return
    _run_task(core, terminal, line, interactive=interactive)


def _user_error(core: RunnerCore, terminal: Terminal, error: RunnerError) -> None:
    core.record_command_error()
    terminal.error(error.message, error.hint)


def _run_command(core: RunnerCore, terminal: Terminal, line: str, *, interactive: bool) -> None:
    from runner.repl.commands import (  # the commands load with the first one
        CommandContext,
        run_command,
    )

    ctx = CommandContext(core=core, terminal=terminal, interactive=interactive)
    try:
        result = run_command(ctx, line)
    except (LogWriteFatalError, StoreError) as exc:
        _fatal(core, terminal, exc)
    if result.error is not None:
        _user_error(core, terminal, result.error)
    for item in result.output:
        terminal.render(item)
    if result.exit:
        raise StopRepl()
    if result.request is not None:
        _after_request(core, terminal, result.request, interactive)


def _run_task(core: RunnerCore, terminal: Terminal, line: str, *, interactive: bool) -> None:
    try:
        outcome = core.handle_line(line)
    except RunnerError as exc:
        if isinstance(exc, LogWriteFatalError | StoreError):
            _fatal(core, terminal, exc)
        _user_error(core, terminal, exc)
        return
    _after_request(core, terminal, outcome, interactive)


def _fatal(core: RunnerCore, terminal: Terminal, exc: RunnerError) -> NoReturn:
    core.record_fatal()
    terminal.error(exc.message, exc.hint or "the task log could not be saved; the runner stops here")
    raise StopRepl(ExitStatus.LOGS_NOT_WRITABLE if isinstance(exc, LogsNotWritableError) else ExitStatus.ERROR)


def _after_request(core: RunnerCore, terminal: Terminal, outcome: RequestOutcome, interactive: bool) -> None:
    """Say what the request concluded; a cancelled task ends a script (exit 1); interactively the
    person goes on after a Ctrl-C, but a termination signal (SIGTERM, SIGHUP, SIGQUIT) ends the runner too."""
    for notice in outcome.notices:
        terminal.notify(notice)
    if outcome.interrupted and (not interactive or core.cancel.ends_runner):
        core.record_fatal()
        raise StopRepl(ExitStatus.ERROR)


def run_script(core: RunnerCore, terminal: Terminal, stdin: IO[bytes]) -> ExitStatus:
    """Non-interactive: every line to completion, in order; at EOF or /exit the status of the run."""
    status: ExitStatus | None = None
    gate = InterruptGate(core.cancel)
    gate.install()
    try:
        for raw in iter(stdin.readline, b""):
            with gate.busy():
                handle_line(core, terminal, raw.decode("utf-8", errors="replace"), interactive=False)
            if terminal.reader_gone:
                # Nobody reads the results any more: the line that was running finished and is
                # logged as it ended; running the rest unseen is not what `| head` asked for.
                terminal.note_reader_gone(f"the line {safe_str(raw.decode('utf-8', errors='replace').strip())[:60]!r}")
                break
    except StopRepl as stop:
        status = stop.status
    except KeyboardInterrupt as exc:
        # A signal between tasks: nothing is running; stop with an error status.
        terminal.error(f"interrupted ({exc})" if isinstance(exc, Terminated) else "interrupted")
        status = ExitStatus.ERROR
    return status if status is not None else core.exit_status()


def _stdin_fd() -> int | None:
    try:
        return sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _queue(terminal: Terminal, typed: Typeahead) -> str:
    """Put what was typed during the task at the next prompt, saying so; nothing runs without Enter."""
    if not typed.first_line:
        return ""
    dropped = f"; {typed.extra_lines} more line(s) dropped" if typed.extra_lines else ""
    terminal.line(f"(typed while the task ran, not run: kept at the prompt, Enter runs it, Ctrl-C clears it{dropped})")
    return typed.first_line


def run_interactive(core: RunnerCore, terminal: Terminal) -> ExitStatus:
    """A person at a terminal: prompt, history, completion, toolbar; Ctrl-C clears, Ctrl-D leaves.

    Exits 0 unless the runner itself failed (a log could not be saved).
    """
    from runner.repl.prompt import build_prompt_session
    from runner.repl.typeahead import held_keys

    session = build_prompt_session(core, terminal.notify)
    gate = InterruptGate(core.cancel)
    gate.install()
    queued = ""
    while True:
        try:
            text = session.prompt(default=queued)
        except Terminated:
            return ExitStatus.ERROR  # SIGTERM, SIGHUP or SIGQUIT at the prompt: leave
        except KeyboardInterrupt:
            queued = ""
            continue
        except EOFError:
            break
        try:
            # Only a task holds the keys: a command may ask (a confirmation) or open the browser.
            is_task = not text.lstrip().startswith("/")
            with gate.busy(), held_keys(_stdin_fd() if is_task else None) as typed:
                handle_line(core, terminal, text, interactive=True)
        except StopRepl as stop:
            if stop.status is not None:
                return stop.status
            break
        queued = _queue(terminal, typed)
    _goodbye(core, terminal)
    # A person saw every result already; only a failure of the runner itself is an error here.
    return ExitStatus.ERROR if core.fatal else ExitStatus.SUCCESS


def _goodbye(core: RunnerCore, terminal: Terminal) -> None:
    """One line on leaving (Ctrl-D, /exit): where the session is and how to continue it."""
    session_id = core.session_id
    if session_id is None:
        terminal.line("Goodbye. No session is open, so there is nothing to continue.")
        return
    count = len(core.manager.entries())
    terminal.line(f"Goodbye. Session {session_id} saved ({count} task{'s' if count != 1 else ''}); "
                  f"continue it with: pm-runner repl --continue {session_id}")
