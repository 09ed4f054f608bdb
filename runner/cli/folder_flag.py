"""`--logs-dir DIR`'s value and help, shared by the REPL's parser and every `pm-runner logs` subcommand.

Apart from `runner.cli.options` (which builds the full parsers) so that `pm-runner logs list`, whose
simple command lines are read without argparse (`logs_grammar.simple_namespace`), does not load it.
"""

from __future__ import annotations

from pathlib import Path

LOGS_DIR_HELP = ("keep this project's logs in DIR instead of <project>/.claude/logs (created 0700 if missing; "
                 "default $PM_RUNNER_LOGS_DIR); give the same to `pm-runner logs` to read them")
LOGS_DIR_READ_HELP = "read the logs kept in DIR by `repl --logs-dir DIR` (default $PM_RUNNER_LOGS_DIR, else <project>/.claude/logs)"


def folder_path(text: str) -> Path:
    if not text.strip():
        import argparse  # only to refuse the value: argparse reports this error as its own

        raise argparse.ArgumentTypeError("expected a folder, got an empty value")
    return Path(text)
