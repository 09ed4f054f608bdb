"""How single fields look on screen: status colours, timestamps, durations, costs, counts.

Shared by every view so a status or a duration reads the same in the list, the detail,
the tree and the REPL's own blocks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from runner.logs.vocabulary import TaskStatus
from runner.timestamps import epoch_ms_of, parse_iso
from runner.views.rows import Entry
from runner.views.safe_text import safe_str, safe_text

if TYPE_CHECKING:
    from rich.text import Text

STATUS_STYLES: dict[TaskStatus, str] = {
    TaskStatus.COMPLETE: "green",
    TaskStatus.INCOMPLETE: "yellow",
    TaskStatus.ERROR: "red",
    TaskStatus.RUNNING: "cyan",
    TaskStatus.QUEUED: "dim",
}

# The order counts are listed in: outcomes first, then what is still going on.
COUNT_ORDER: tuple[TaskStatus, ...] = (
    TaskStatus.COMPLETE,
    TaskStatus.INCOMPLETE,
    TaskStatus.ERROR,
    TaskStatus.RUNNING,
    TaskStatus.QUEUED,
)

NONE_SHOWN = "-"
_UTC_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z", re.ASCII)


def status_text(status: TaskStatus) -> Text:
    """The status in capitals, in its colour."""
    from rich.text import Text  # the plain views (list, tree, /tasks) never load rich

    return Text(status.value.upper(), style=STATUS_STYLES.get(status, ""))


def format_timestamp(value: str | None) -> str:
    """`YYYY-MM-DD HH:MM:SS` in UTC; an unreadable stamp is shown as it is (made safe)."""
    if not value:
        return NONE_SHOWN
    if _UTC_STAMP.fullmatch(value):  # what the store writes: cut, not parsed (lists show thousands)
        return f"{value[:10]} {value[11:19]}"
    try:
        return parse_iso(value).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return safe_str(value)


def format_clock(value: str) -> str:
    """`HH:MM:SS` (UTC) of an event timestamp."""
    if _UTC_STAMP.fullmatch(value):  # what the store writes: cut, not parsed (a detail shows thousands)
        return value[11:19]
    try:
        return parse_iso(value).strftime("%H:%M:%S")
    except ValueError:
        return safe_str(value)


def format_duration(duration_ms: int | None) -> str:
    """`0.4s`, `12.3s`, `3m04s`, `2h05m`; unknown is `-`."""
    if duration_ms is None or duration_ms < 0:
        return NONE_SHOWN
    if duration_ms < 60_000:
        return f"{duration_ms / 1000:.1f}s"
    seconds = duration_ms // 1000
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def duration_between(started_at: str, ended_at: str | None) -> int | None:
    """Milliseconds from start to end, when both are known and readable."""
    if ended_at is None:
        return None
    try:
        return epoch_ms_of(ended_at) - epoch_ms_of(started_at)
    except ValueError:
        return None


def entry_duration(entry: Entry) -> int | None:
    """The recorded duration, else the span between the entry's timestamps."""
    if entry.duration_ms is not None:
        return entry.duration_ms
    return duration_between(entry.started_at, entry.ended_at)


def format_cost(cost_usd: float | None) -> str:
    """`$0.0123` when the executor reported a cost, else `-`."""
    return NONE_SHOWN if cost_usd is None else f"${cost_usd:.4f}"


def executor_model(executor: str | None, model: str | None, *, separator: str = "/") -> Text:
    """`executor/model`, `executor` alone, or `-`; both parts made safe."""
    from rich.text import Text

    if not executor and not model:
        return Text(NONE_SHOWN)
    if not model:
        return safe_text(executor)
    return Text(safe_str(executor or NONE_SHOWN) + separator + safe_str(model))


class Counts(Protocol):
    """Tasks by status: a stored `StatusCounts` (a session's row) or a view's own `StatusTally`."""

    @property
    def total(self) -> int: ...


@dataclass(frozen=True)
class StatusTally:
    """Tasks by status as a view counts them, without a model (the fields in `StatusCounts`' order)."""

    queued: int = 0
    running: int = 0
    complete: int = 0
    incomplete: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


def count_statuses(statuses: Iterable[TaskStatus]) -> StatusTally:
    """Counts by status of a list of tasks."""
    found = Counter(statuses)
    return StatusTally(**{status.value: found[status] for status in TaskStatus})


def counts_phrase(counts: Counts, *, include_zero: bool = False) -> str:
    """`3 complete, 1 incomplete, 2 error`; zero counts are left out unless asked for."""
    parts = [
        f"{getattr(counts, status.value)} {status.value}"
        for status in COUNT_ORDER
        if include_zero or getattr(counts, status.value)
    ]
    return ", ".join(parts)


def tasks_footer(counts: Counts) -> str:
    """`7 tasks: 3 complete, 1 incomplete, 2 error, 1 running`."""
    noun = "task" if counts.total == 1 else "tasks"
    phrase = counts_phrase(counts)
    return f"{counts.total} {noun}: {phrase}" if phrase else f"{counts.total} {noun}"


def omitted_note(omitted: int) -> str:
    """Under a list or a tree cut to its newest tasks: how many older ones are left out, and how to see them."""
    noun = "task" if omitted == 1 else "tasks"
    return f"{omitted} older {noun} not shown; --all shows every task, --limit N the newest N."


def one_line(text: object, limit: int, shown: Callable[[object], str] = safe_str) -> str:
    """Made safe (by `shown`: a view's `SafeStrings`, else `safe_str`), whitespace runs collapsed to one
    space, cut to `limit` characters with `...`.

    Masking happens before the cut, so a secret is never cut into an unrecognisable piece.
    """
    flat = " ".join(shown(text).split())
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)] + "..."
