"""Hints in shell syntax: errors name their fix as REPL commands (`/logs --session S`); a shell user
needs the command they can type (`pm-runner logs list --session S`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from runner.errors import RunnerError

# REPL spelling → shell spelling, most specific first (compiled by `re` when a hint is shown, not at start).
_SHELL_FORMS: tuple[tuple[str, str], ...] = (
    (r"/logs --session (\S+)", r"pm-runner logs list --session \1"),
    (r"/logs (task-\S+)", r"pm-runner logs show \1"),
    (r"/logs\b", "pm-runner logs"),
    (r"/sessions\b", "pm-runner logs sessions"),
    (r"/tasks\b", "pm-runner logs list"),
    (r"/continue (\S+)", r"pm-runner repl --continue \1"),
)


def shell_hint(hint: str) -> str:
    for pattern, replacement in _SHELL_FORMS:
        hint = re.sub(pattern, replacement, hint)
    return hint


@contextmanager
def shell_hints() -> Iterator[None]:
    """Re-raise a RunnerError from the body with its hint in shell syntax."""
    try:
        yield
    except RunnerError as exc:
        if exc.hint:
            exc.hint = shell_hint(exc.hint)
        raise
