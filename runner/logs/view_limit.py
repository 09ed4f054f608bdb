"""How many tasks a list or a tree shows: the newest DEFAULT_LIMIT unless `--limit N` or `--all` says otherwise.

Light on purpose (the error types only; argparse only to refuse a value): `pm-runner --help` builds the
parsers that use it, and `pm-runner logs list` reads its flags without argparse.
"""

from __future__ import annotations

from runner.errors import UsageError

# Reading the newest tasks costs the same in a session of 10,000 tasks as in one of 50 (`index_tail`).
DEFAULT_LIMIT = 50


def limit_arg(text: str) -> int:
    """`--limit N`'s value: a whole number of tasks, at least 1."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        import argparse  # argparse reports this error as its own

        raise argparse.ArgumentTypeError(f"expected a number of tasks, 1 or more (got {text[:40]!r})")
    return int(text)


def requested_limit(limit: int | None, show_all: bool) -> int | None:
    """The newest tasks to show: `--limit N`, every task with `--all` (None), else DEFAULT_LIMIT."""
    if show_all and limit is not None:
        raise UsageError("--all and --limit ask for different numbers of tasks",
                         hint="give one: --all shows every task, --limit N the newest N")
    return None if show_all else (limit or DEFAULT_LIMIT)
