"""Totals and breakdowns a team asks for (seed 003 §9.1), from session-index rows only.

Tasks by status and error code, average and p95 duration of finished tasks, and tokens and cost
by executor, model, session and day (UTC). Index rows carry every number needed, so no task file
is opened. Unknown is not zero: a sum nobody reported stays None (`null`, shown as `-`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from runner.logs.models import TaskLogEntry, TaskStatus
from runner.views.json_contract import SCHEMA_VERSION

BREAKDOWNS = ("executor", "model", "session", "day")


@dataclass
class Group:
    """Sums over the tasks of one executor, model, session or day."""

    tasks: int = 0
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None

    def add(self, entry: TaskLogEntry) -> None:
        self.tasks += 1
        if entry.input_tokens is not None:
            self.input_tokens = (self.input_tokens or 0) + entry.input_tokens
        if entry.output_tokens is not None:
            self.output_tokens = (self.output_tokens or 0) + entry.output_tokens
        if entry.cost_usd is not None:
            self.cost_usd = round((self.cost_usd or 0.0) + entry.cost_usd, 10)


@dataclass
class Stats:
    sessions: list[str] = field(default_factory=list)
    total: Group = field(default_factory=Group)
    by_status: dict[str, int] = field(default_factory=dict)
    error_codes: dict[str, int] = field(default_factory=dict)
    durations_ms: list[int] = field(default_factory=list)
    groups: dict[str, dict[str, Group]] = field(default_factory=lambda: {name: {} for name in BREAKDOWNS})

    @property
    def average_ms(self) -> int | None:
        return round(sum(self.durations_ms) / len(self.durations_ms)) if self.durations_ms else None

    @property
    def p95_ms(self) -> int | None:
        """Nearest-rank 95th percentile of the finished tasks' durations."""
        if not self.durations_ms:
            return None
        ordered = sorted(self.durations_ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


def compute_stats(rows: Iterable[tuple[str, TaskLogEntry]]) -> Stats:
    """Stats of `(session_id, index row)` pairs."""
    stats = Stats()
    for session_id, entry in rows:
        if session_id not in stats.sessions:
            stats.sessions.append(session_id)
        stats.total.add(entry)
        stats.by_status[entry.status.value] = stats.by_status.get(entry.status.value, 0) + 1
        if entry.error_code is not None:
            stats.error_codes[entry.error_code.value] = stats.error_codes.get(entry.error_code.value, 0) + 1
        if entry.status.is_terminal and entry.duration_ms is not None:
            stats.durations_ms.append(entry.duration_ms)
        keys = {"executor": entry.executor or "(none)", "model": entry.model or "(default)",
                "session": session_id, "day": entry.started_at[:10]}
        for name, key in keys.items():
            stats.groups[name].setdefault(key, Group()).add(entry)
    return stats


def _group_json(group: Group) -> dict[str, Any]:
    return {"tasks": group.tasks, "input_tokens": group.input_tokens, "output_tokens": group.output_tokens,
            "cost_usd": group.cost_usd}


def stats_json(stats: Stats) -> dict[str, Any]:
    """The `--json` document."""
    statuses = {status.value: stats.by_status.get(status.value, 0) for status in TaskStatus}
    return {
        "schema_version": SCHEMA_VERSION,
        "sessions": stats.sessions,
        "tasks": {"total": stats.total.tasks, "by_status": statuses,
                  "error_codes": dict(sorted(stats.error_codes.items()))},
        "duration_ms": {"finished_tasks": len(stats.durations_ms), "average": stats.average_ms, "p95": stats.p95_ms},
        "usage": _group_json(stats.total),
        "by": {name: {key: _group_json(group) for key, group in sorted(stats.groups[name].items())}
               for name in BREAKDOWNS},
    }
