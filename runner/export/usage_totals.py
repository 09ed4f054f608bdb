"""Token, cost and duration totals of a session's tasks: per task, per model and overall.

One place for the sums, so the HTML usage table, the Markdown summary and the tests agree.
Unknown is not zero: a total of a column no task reported is None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from runner.logs.models import TaskLog
from runner.views.fields import duration_between


@dataclass
class Usage:
    tasks: int = 0
    input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    duration_ms: int | None = None
    num_turns: int | None = None

    def add(self, other: Usage) -> None:
        self.tasks += other.tasks
        self.input_tokens = _plus(self.input_tokens, other.input_tokens)
        self.cache_read_input_tokens = _plus(self.cache_read_input_tokens, other.cache_read_input_tokens)
        self.output_tokens = _plus(self.output_tokens, other.output_tokens)
        self.cost_usd = _plus(self.cost_usd, other.cost_usd)
        self.duration_ms = _plus(self.duration_ms, other.duration_ms)
        self.num_turns = _plus(self.num_turns, other.num_turns)


_N = TypeVar("_N", int, float)


def _plus(total: _N | None, value: _N | None) -> _N | None:
    if value is None:
        return total
    return value if total is None else total + value


def model_of(log: TaskLog) -> str:
    """The model that answered (the metrics'), else the one asked for, else `(default)`."""
    return (log.metrics.model if log.metrics else None) or (log.executor.model if log.executor else None) or "(default)"


def usage_of(log: TaskLog) -> Usage:
    m = log.metrics
    duration = m.duration_ms if m and m.duration_ms is not None else duration_between(log.started_at, log.ended_at)
    if m is None:
        return Usage(tasks=1, duration_ms=duration)
    return Usage(tasks=1, input_tokens=m.input_tokens, cache_read_input_tokens=m.cache_read_input_tokens,
                 output_tokens=m.output_tokens, cost_usd=m.cost_usd, duration_ms=duration, num_turns=m.num_turns)


def total_of(logs: Iterable[TaskLog]) -> Usage:
    total = Usage()
    for log in logs:
        total.add(usage_of(log))
    return total


def by_model(logs: Iterable[TaskLog]) -> dict[str, Usage]:
    """Totals per model, models in the order first used."""
    result: dict[str, Usage] = {}
    for log in logs:
        result.setdefault(model_of(log), Usage()).add(usage_of(log))
    return result
