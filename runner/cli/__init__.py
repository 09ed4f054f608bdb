"""Command-line entry point: `pm-runner [repl|logs|doctor] ...` — `main(argv, env) -> ExitStatus`.

`main` holds the error handling (a `RunnerError` becomes `ERROR:`/`HINT:` on stderr and exit 1, a
`UsageError` the same with exit 64; a reader that went away ends quietly); each subcommand is a row of `SUBCOMMANDS` naming the function
that runs it, imported only when used, so `--help`, `--version` and `logs` start fast. Everything
is read from and written to the `Environment` given (the process's by default).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.cli.env import Environment
from runner.errors import ExitStatus, LogsNotWritableError, RunnerError, UsageError

if TYPE_CHECKING:  # `pm-runner logs` reads its own command lines (runner.cli.logs_grammar)
    import argparse

__all__ = ["SUBCOMMANDS", "Environment", "Subcommand", "main"]


@dataclass(frozen=True)
class Subcommand:
    """A subcommand of `pm-runner`: the function that runs it, as `module:function` (imported when used)."""

    name: str
    runs: str  # called with (argparse.Namespace, Environment) -> ExitStatus

    def load(self) -> Callable[[argparse.Namespace, Environment], ExitStatus]:
        module, function = self.runs.split(":")
        run: Callable[[argparse.Namespace, Environment], ExitStatus] = getattr(
            importlib.import_module(module), function)
        return run


SUBCOMMANDS: dict[str, Subcommand] = {sub.name: sub for sub in (
    Subcommand("repl", "runner.cli.repl:run_repl"),
    Subcommand("doctor", "runner.cli.doctor:run_doctor"),
)}


def main(argv: list[str] | None = None, env: Environment | None = None) -> ExitStatus:
    """Run `pm-runner ARGV`: 0/1/2 like the tasks, 64 for a command line it cannot use, 73 when the
    task logs cannot be written here."""
    env = env or Environment()
    argv = sys.argv[1:] if argv is None else list(argv)
    closed = _closed_stream(argv, env)
    if closed is not None:
        stream = env.stderr or env.stdout
        if stream is not None:
            stream.write(f"ERROR: {closed}\n")
        return ExitStatus.ERROR
    try:
        return _program(argv, env)
    except SystemExit as exit_:  # argparse after --help or --version
        return ExitStatus(exit_.code if isinstance(exit_.code, int) else 1)
    except UsageError as exc:
        _report(exc, env)
        return ExitStatus.USAGE
    except LogsNotWritableError as exc:
        _report(exc, env)
        return ExitStatus.LOGS_NOT_WRITABLE
    except RunnerError as exc:
        _report(exc, env)
        return ExitStatus.ERROR
    except BrokenPipeError:
        # The reader went away (`pm-runner logs list | head`): stop quietly, and keep Python's
        # own flush at exit from failing on the closed pipe too.
        if env.stdout is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitStatus.ERROR


def _closed_stream(argv: list[str], env: Environment) -> str | None:
    """The ERROR to show when a standard stream this command needs was closed (`<&-`, `>&-`), else None.

    Python leaves `sys.stdin`/`sys.stdout` as None then. Only the REPL reads stdin: other
    commands get an empty one.
    """
    if env.stdout is None:
        return "standard output is closed; pm-runner has nowhere to write its results (use >/dev/null to discard them)"
    if env.stdin is None:
        if argv[:1] in ([], ["repl"]) and not {"-h", "--help", "--version"} & set(argv):
            return "standard input is closed; the REPL reads its lines from it (use </dev/null for an empty script)"
        env.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    return None


def _program(argv: list[str], env: Environment) -> ExitStatus:
    if argv[:1] == ["logs"]:  # a tree of its own (runner.cli.logs_grammar), flags in any position
        from runner.cli.logs import run_logs

        return run_logs(argv[1:], env)
    from runner.cli.options import build_parser

    parser = build_parser(env)
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["repl"])
    return SUBCOMMANDS[args.command].load()(args, env)


def _report(exc: RunnerError, env: Environment) -> None:
    from runner.notices import Notice
    from runner.views.notices import notice_lines
    from runner.views.safe_text import safe_str

    for line in notice_lines(Notice.error(exc.message, exc.hint)):
        env.stderr.write(safe_str(line) + "\n")
    env.stderr.flush()
