"""Cost budgets: what has been spent, which limit a pass crossed, and whether a new task may start.

Three limits (spec/review-loop.md "Budgets"): the session's USD (`--max-cost-usd`), one task's USD
(`--max-task-cost-usd`) and the session's tokens (`--max-tokens`, input + output). A pass that
takes spend past `warn_ratio` (80 %) of a limit is a warning; one that reaches the limit exceeds it.
A pass whose cost is unknown (no reported cost, a model not in the price table) adds its tokens
but no dollars, and is counted in `unpriced_passes` so nobody mistakes the dollar figure for
complete. The functions are pure; `SessionBudget` is the one mutable holder the core shares with
the loop (limits change with `/budget`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.logs.models import TaskLogEntry


class BudgetKind(StrEnum):
    SESSION_USD = "session_usd"
    TASK_USD = "task_usd"
    SESSION_TOKENS = "session_tokens"


class BudgetLevel(StrEnum):
    WARNING = "warning"
    EXCEEDED = "exceeded"


@dataclass(frozen=True)
class BudgetLimits:
    max_cost_usd: float | None = None
    max_task_cost_usd: float | None = None
    max_tokens: int | None = None
    warn_ratio: float = 0.8

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.max_cost_usd, self.max_task_cost_usd, self.max_tokens))


@dataclass(frozen=True)
class Spend:
    """Running totals: dollars known, tokens, and passes whose dollars are unknown."""

    cost_usd: float = 0.0
    tokens: int = 0
    unpriced_passes: int = 0

    def plus(self, cost_usd: float | None, tokens: int | None) -> Spend:
        return Spend(round(self.cost_usd + (cost_usd or 0.0), 8), self.tokens + (tokens or 0),
                     self.unpriced_passes + (1 if cost_usd is None else 0))


def spend_of(entries: Iterable[TaskLogEntry]) -> Spend:
    """What the tasks of an existing session spent (their index rows), for a continued session's budget."""
    spent = Spend()
    for entry in entries:
        if entry.cost_usd is None and entry.input_tokens is None and entry.output_tokens is None:
            continue
        spent = spent.plus(entry.cost_usd, (entry.input_tokens or 0) + (entry.output_tokens or 0))
    return spent


@dataclass(frozen=True)
class BudgetEvent:
    """A limit that a pass took spend across: which one, how far, and the numbers."""

    kind: BudgetKind
    level: BudgetLevel
    spent: float
    limit: float

    @property
    def ratio(self) -> float:
        return self.spent / self.limit if self.limit else 1.0


def _measures(limits: BudgetLimits, session: Spend, task: Spend) -> list[tuple[BudgetKind, float, float]]:
    pairs: list[tuple[BudgetKind, float | None, float]] = [
        (BudgetKind.SESSION_USD, limits.max_cost_usd, session.cost_usd),
        (BudgetKind.TASK_USD, limits.max_task_cost_usd, task.cost_usd),
        (BudgetKind.SESSION_TOKENS, limits.max_tokens, float(session.tokens)),
    ]
    return [(kind, float(limit), spent) for kind, limit, spent in pairs if limit is not None]


def _reaches(spent: float, threshold: float) -> bool:
    """`spent >= threshold`, forgiving float rounding ($0.01 + $0.01 is 80% of $0.025)."""
    return spent >= threshold - 1e-9 * max(1.0, threshold)


def crossings(limits: BudgetLimits, before: tuple[Spend, Spend], after: tuple[Spend, Spend]) -> list[BudgetEvent]:
    """The warnings and limits that (session, task) spend crossed between `before` and `after`, in that order."""
    events: list[BudgetEvent] = []
    old = {kind: spent for kind, _, spent in _measures(limits, *before)}
    for kind, limit, spent in _measures(limits, *after):
        was = old.get(kind, 0.0)
        if not _reaches(was, limits.warn_ratio * limit) and _reaches(spent, limits.warn_ratio * limit):
            events.append(BudgetEvent(kind, BudgetLevel.WARNING, spent, limit))
        if not _reaches(was, limit) and _reaches(spent, limit):
            events.append(BudgetEvent(kind, BudgetLevel.EXCEEDED, spent, limit))
    return events


def reached(limits: BudgetLimits, session: Spend, task: Spend) -> list[BudgetEvent]:
    """Every limit that spend has already reached (nothing more may be spent against it)."""
    return [BudgetEvent(kind, BudgetLevel.EXCEEDED, spent, limit)
            for kind, limit, spent in _measures(limits, session, task) if _reaches(spent, limit)]


def describe(event: BudgetEvent) -> str:
    """`session budget $0.0300 reached ($0.0369 spent)` and the like."""
    what = {BudgetKind.SESSION_USD: "session budget", BudgetKind.TASK_USD: "task budget",
            BudgetKind.SESSION_TOKENS: "session token budget"}[event.kind]
    amount = _amount(event.kind, event.limit)
    spent = _amount(event.kind, event.spent)
    if event.level is BudgetLevel.WARNING:
        return f"{what} {int(event.ratio * 100)}% used ({spent} of {amount})"
    return f"{what} of {amount} reached ({spent} spent)"


def _amount(kind: BudgetKind, value: float) -> str:
    return f"{int(value)} tokens" if kind is BudgetKind.SESSION_TOKENS else f"${value:.4f}"


@dataclass(frozen=True)
class SpendReport:
    """What the result block and /status say about money: the limits, the session's spend, one task's."""

    limits: BudgetLimits
    session: Spend
    task_cost_usd: float | None = None
    task_tokens: int | None = None


@dataclass
class SessionBudget:
    """The session's limits and spend, shared by the core (`/budget`, `/status`) and the loop."""

    limits: BudgetLimits = field(default_factory=BudgetLimits)
    spent: Spend = field(default_factory=Spend)
    warned_unpriced: bool = False  # the "cost unknown" warning is given once per session

    def charge(self, task: Spend, cost_usd: float | None, tokens: int | None) -> tuple[Spend, list[BudgetEvent]]:
        """Add one pass to the session and to `task`; the task's new spend and what it crossed."""
        session_after, task_after = self.spent.plus(cost_usd, tokens), task.plus(cost_usd, tokens)
        events = crossings(self.limits, (self.spent, task), (session_after, task_after))
        self.spent = session_after
        return task_after, events

    def refusal(self) -> BudgetEvent | None:
        """The session limit already reached, if one is: no new task may start until it is raised."""
        session_only = replace(self.limits, max_task_cost_usd=None)
        found = reached(session_only, self.spent, Spend())
        return found[0] if found else None
