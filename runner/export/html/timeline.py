"""The timeline: one row per task, a bar from its start to its end in its status colour, a tick per
tool call; drawn with inline SVG (no library). Each label links to the task's card."""

from __future__ import annotations

from runner.export.html.text import esc
from runner.export.masked import MaskedSession
from runner.export.task_parts import tool_calls
from runner.logs.models import TaskLog
from runner.timestamps import epoch_ms_of
from runner.views.fields import format_timestamp

WIDTH = 1000  # SVG user units across; the SVG stretches to the row's width
MIN_BAR = 3


def _x(ms: int, start: int, span: int) -> int:
    return round((ms - start) * WIDTH / span)


def _row(log: TaskLog, start: int, span: int, now_ms: int) -> str:
    begin = epoch_ms_of(log.started_at)
    end = epoch_ms_of(log.ended_at) if log.ended_at else now_ms
    x = _x(begin, start, span)
    width = max(MIN_BAR, _x(end, start, span) - x)
    ticks = "".join(f'<rect class="tick" x="{_x(epoch_ms_of(c.started_at), start, span)}" y="0" width="2" height="10"/>'
                    for c in tool_calls(log))
    title = f"{log.task_id} {log.status.value}: {log.prompt_summary}"
    return (f'<a class="mono" href="#{esc(log.task_id)}">{esc(log.task_id)}</a>'
            f'<svg viewBox="0 0 {WIDTH} 10" preserveAspectRatio="none" role="img" aria-label="{esc(title)}">'
            f'<title>{esc(title)}</title><rect class="bar s-{log.status.value}" x="{x}" y="1" width="{width}" height="8"/>'
            f"{ticks}</svg>")


def timeline_section(session: MaskedSession) -> str:
    if not session.logs:
        return ""
    begins = [epoch_ms_of(log.started_at) for log in session.logs]
    ends = [epoch_ms_of(log.ended_at or log.started_at) for log in session.logs]
    start, stop = min(begins), max(ends)
    span = max(stop - start, 1)
    rows = "".join(_row(log, start, span, stop) for log in session.logs)
    first, last = format_timestamp(min(log.started_at for log in session.logs)), ""
    last_end = max(log.ended_at or log.started_at for log in session.logs)
    last = format_timestamp(last_end)
    return (f'<section id="timeline"><h2>Timeline</h2><div class="tl" data-testid="timeline">{rows}'
            f'<div class="tl-axis"><span>{esc(first)} UTC</span><span>{esc(last)} UTC</span></div></div></section>')
