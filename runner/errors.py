"""The RunnerError family and the process exit codes.

User-facing errors carry a message and a hint; only `cli.main` and the REPL
dispatcher catch them broadly and turn them into `ERROR:` / `HINT:` lines.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes (DESIGN §9): the same input always gives the same code."""

    SUCCESS = 0
    ERROR = 1
    INCOMPLETE = 2
    USAGE = 64  # a command line pm-runner cannot parse (sysexits' EX_USAGE), never 2 ("incomplete")
    LOGS_NOT_WRITABLE = 73  # the task logs cannot be created here (sysexits' EX_CANTCREAT)


class RunnerError(Exception):
    """An error the user can act on: a message naming the problem and a hint naming the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(RunnerError):
    """A command line that cannot be parsed or combines flags that do not apply: exit 64."""


class InvalidIdError(RunnerError):
    """An id did not match its pattern, so it never becomes a path."""


class ConfigError(RunnerError):
    """A configuration file or setting is unusable."""


class StoreError(RunnerError):
    """The logs folder cannot be created, locked, read or written."""


class LogsNotWritableError(StoreError):
    """The task logs cannot be written here (read-only file system, another user's folder): exit 73."""


class LockTimeoutError(StoreError):
    """A lock was held longer than its finite timeout."""


class LogWriteFatalError(StoreError):
    """A terminal TaskLog could not be saved durably: the runner must stop with exit code 1."""


class NotFoundError(RunnerError):
    """A session or task id names nothing on disk."""


class ExecutorUnavailableError(RunnerError):
    """The chosen executor cannot run here (not installed, refused, misconfigured)."""
