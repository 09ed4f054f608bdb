"""Command-line entry point: `pm-runner [repl|logs|doctor] ...` — `main(argv, env) -> ExitStatus`.

`main` holds the error handling (a `RunnerError` becomes `ERROR:`/`HINT:` on stderr and exit 1; a
reader that went away ends quietly); each subcommand is a row of `SUBCOMMANDS` naming the function
that runs it, imported only when used, so `--help`, `--version` and `logs` start fast. Everything
is read from and written to the `Environment` given (the process's by default).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from runner.cli.env import Environment
from runner.cli.options import build_parser
from runner.errors import ExitStatus, RunnerError

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
    Subcommand("logs", "runner.cli.logs:run_logs_subcommand"),
    Subcommand("doctor", "runner.cli.doctor:run_doctor"),
)}
# `pm-runner logs export|report|stats` have their own parser (runner.cli.export, imported only when used).
EXPORT_SUBCOMMANDS = ("export", "report", "stats")


def main(argv: list[str] | None = None, env: Environment | None = None) -> ExitStatus:
    """Run `pm-runner ARGV`; argparse's own exits (--help, --version, a usage error: 2) keep their codes."""
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
    except SystemExit as exit_:  # argparse after --help, --version or a usage error
        return ExitStatus(exit_.code if isinstance(exit_.code, int) else 1)
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
    if argv[:1] == ["logs"] and argv[1:2] and argv[1] in EXPORT_SUBCOMMANDS:
        from runner.cli.export import main as export_main

        return export_main(argv[1:], env)
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
