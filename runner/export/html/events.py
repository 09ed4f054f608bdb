"""Every event of the session in time order, with filters by event type and visibility.

The filters are checkboxes; CSS `:has()` hides the unchecked kinds, so they work with scripts
off. Event types come from the closed `EventType` vocabulary, so they are safe in CSS selectors.
"""

from __future__ import annotations

from typing import Any

import orjson

from runner.export.html.text import esc
from runner.export.masked import MaskedSession
from runner.export.otlp.render import severity
from runner.export.task_parts import main_text
from runner.logs.models import LogEvent, TaskLog, Visibility

TEXT_CHARS = 500


def _text(event: LogEvent) -> str:
    text = main_text(event)
    if text is None:
        pairs = [f"{key}: {_value(value)}" for key, value in event.content.items()]
        text = "; ".join(pairs)
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_CHARS else flat[:TEXT_CHARS] + f"… (+{len(flat) - TEXT_CHARS} characters)"


def _value(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _ordered(session: MaskedSession) -> list[tuple[TaskLog, LogEvent]]:
    pairs = [(log, event) for log in session.logs for event in log.events]
    return sorted(pairs, key=lambda pair: pair[1].timestamp)  # stable: task and event order break ties


def filter_css(session: MaskedSession) -> str:
    """One rule per event type present and per visibility: unchecked → hidden."""
    types = sorted({event.event_type.value for log in session.logs for event in log.events})
    rules = [f'body:has(#f-t-{t}:not(:checked)) li[data-type="{t}"]{{display:none}}' for t in types]
    rules += [f'body:has(#f-v-{v.value}:not(:checked)) li[data-visibility="{v.value}"]{{display:none}}'
              for v in Visibility]
    return "\n".join(rules) + "\n"


def _checkbox(prefix: str, value: str, count: int) -> str:
    return f'<label><input type="checkbox" id="f-{prefix}-{value}" checked> {value} ({count})</label>'


def events_section(session: MaskedSession) -> str:
    ordered = _ordered(session)
    by_type: dict[str, int] = {}
    by_visibility: dict[str, int] = {}
    for _log, event in ordered:
        by_type[event.event_type.value] = by_type.get(event.event_type.value, 0) + 1
        by_visibility[event.visibility.value] = by_visibility.get(event.visibility.value, 0) + 1
    visibility = "".join(_checkbox("v", v.value, by_visibility.get(v.value, 0)) for v in Visibility)
    types = "".join(_checkbox("t", t, n) for t, n in sorted(by_type.items()))
    items = "".join(
        f'<li data-type="{event.event_type.value}" data-visibility="{event.visibility.value}" data-testid="event"'
        f' class="sev-{severity(event.event_type)[1].lower()}"><span class="t mono">{esc(event.timestamp[11:23])}</span>'
        f'<a class="mono" href="#{esc(log.task_id)}">{esc(log.task_id)}</a><span class="k mono">'
        f'{event.event_type.value}</span><span class="x">{esc(_text(event))}</span></li>'
        for log, event in ordered)
    return (f'<section id="events"><h2>Events</h2><fieldset class="filters"><legend>Visibility</legend>{visibility}'
            f'</fieldset><fieldset class="filters"><legend>Event types</legend>{types}</fieldset>'
            f'<p class="note js-only" id="event-count"></p><ol class="events">{items}</ol></section>')
