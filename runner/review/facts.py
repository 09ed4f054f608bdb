"""The facts a review judges: what the agent claimed, what the disk shows, what the checks said.

Data only, gathered by `gather.py` (disk) and `checks.py` (commands) after each executor pass and
judged by `criteria.py`. Every string is already masked and bounded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileIssue:
    """One problem in one file: `app.py:3: # TODO handle errors`."""

    path: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.text}" if self.text else where


@dataclass(frozen=True)
class CheckOutcome:
    """A user check after a pass: its command, whether it passed, and the tail of its output."""

    command: str
    passed: bool
    exit_code: int | None
    summary: str  # "exit 0", "exit 1", "timed out after 300000 ms", "could not start: …"
    output_tail: str = ""
    duration_ms: int = 0


@dataclass(frozen=True)
class ReviewFacts:
    """Everything the criteria look at, for the task so far (since the task started, every pass)."""

    claimed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # claimed, inside the root, not on disk
    outside_root: tuple[str, ...] = ()  # claimed outside the project root (never followed)
    unchanged_claims: tuple[str, ...] = ()  # claimed, on disk, not changed since the task started
    changed: tuple[str, ...] = ()  # created or modified since the task started
    deleted: tuple[str, ...] = ()
    says_changed: str | None = None  # the words of the final message that claim a change
    todos: tuple[FileIssue, ...] = ()
    omissions: tuple[FileIssue, ...] = ()
    parse_errors: tuple[FileIssue, ...] = ()
    not_checked: tuple[str, ...] = ()  # "big.py: larger than 2 MiB" — files a criterion could not read
    checks: tuple[CheckOutcome, ...] = ()
