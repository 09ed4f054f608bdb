"""`pm-runner logs stats` for people: plain aligned tables (no colour, no markup)."""

from __future__ import annotations

from runner.export.stats import BREAKDOWNS, Group, Stats
from runner.views.fields import format_cost, format_duration
from runner.views.safe_text import safe_str

_HEADERS = ("tasks", "input tokens", "output tokens", "cost")


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _cells(group: Group) -> list[str]:
    return [str(group.tasks), _num(group.input_tokens), _num(group.output_tokens),
            format_cost(group.cost_usd)]


def _table(title: str, rows: list[tuple[str, Group]]) -> list[str]:
    body = [[safe_str(key), *_cells(group)] for key, group in rows]
    header = [title, *_HEADERS]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join([cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)])

    return [line(header), *(line(row) for row in body)]


def stats_text(stats: Stats) -> str:
    if not stats.total.tasks:
        return "No tasks recorded for this selection.\n"
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(stats.by_status.items(), key=lambda kv: -kv[1]))
    codes = ", ".join(f"{code} {n}" for code, n in sorted(stats.error_codes.items())) or "none"
    lines = [f"Sessions: {len(stats.sessions)}   Tasks: {stats.total.tasks} ({statuses})",
             f"Error codes: {codes}",
             f"Duration of finished tasks: average {format_duration(stats.average_ms)}, "
             f"p95 {format_duration(stats.p95_ms)} ({len(stats.durations_ms)} tasks)",
             f"Tokens: {_num(stats.total.input_tokens)} in / {_num(stats.total.output_tokens)} out   "
             f"Cost: {format_cost(stats.total.cost_usd)}"]
    for name in BREAKDOWNS:
        lines += ["", *_table(f"by {name}", sorted(stats.groups[name].items()))]
    return "\n".join(lines) + "\n"
