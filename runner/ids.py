"""Id formats and validation. Every id is checked against its pattern before it becomes a path.

Internal task ids are `task-NNN` (3 to 12 digits, widening past 999); external
task ids are `task-<epoch-ms>` (13 or more digits), so the two never collide.
"""

from __future__ import annotations

import re
from enum import StrEnum

from runner.errors import InvalidIdError


class IdKind(StrEnum):
    """The kinds of id the runner allocates."""

    SESSION = "session"
    THREAD = "thread"
    RUN = "run"
    TASK = "task"
    EXTERNAL_TASK = "external task"
    EVENT = "event"


ID_PATTERNS: dict[IdKind, re.Pattern[str]] = {
    IdKind.SESSION: re.compile(r"sess-[0-9]{8}-[0-9]{3,9}"),
    IdKind.THREAD: re.compile(r"thr-[0-9]{3,9}"),
    IdKind.RUN: re.compile(r"run-[0-9]{3,9}"),
    IdKind.TASK: re.compile(r"task-[0-9]{3,12}"),
    IdKind.EXTERNAL_TASK: re.compile(r"task-[0-9]{13,16}"),
    IdKind.EVENT: re.compile(r"evt-[0-9]{4,9}"),
}

_EXAMPLES = {
    IdKind.SESSION: "sess-20250112-001",
    IdKind.THREAD: "thr-001",
    IdKind.RUN: "run-001",
    IdKind.TASK: "task-001",
    IdKind.EXTERNAL_TASK: "task-1768319005471",
    IdKind.EVENT: "evt-0001",
}

_PREFIX = {IdKind.THREAD: "thr", IdKind.RUN: "run", IdKind.TASK: "task"}


def is_valid(kind: IdKind, value: object) -> bool:
    """True when `value` is a string that matches the whole pattern of `kind`."""
    return isinstance(value, str) and ID_PATTERNS[kind].fullmatch(value) is not None


def validate(kind: IdKind, value: object) -> str:
    """Return `value` if it is a well-formed id of `kind`, else raise InvalidIdError."""
    if is_valid(kind, value):
        return str(value)
    shown = repr(value)[:80]
    raise InvalidIdError(
        f"invalid {kind} id {shown}",
        hint=f"{kind} ids look like {_EXAMPLES[kind]}",
    )


def format_session_id(day: str, number: int) -> str:
    """`sess-YYYYMMDD-NNN` for the `number`-th session of `day` (YYYYMMDD)."""
    return f"sess-{day}-{number:03d}"


def format_counter_id(kind: IdKind, number: int) -> str:
    """`thr-NNN`, `run-NNN` or `task-NNN`; widens past 999 instead of wrapping."""
    return f"{_PREFIX[kind]}-{number:03d}"


def format_event_id(number: int) -> str:
    """`evt-NNNN`, numbered per task."""
    return f"evt-{number:04d}"


def counter_of(value: str) -> int:
    """The number at the end of a `prefix-NNN` id."""
    return int(value.rsplit("-", 1)[1])
