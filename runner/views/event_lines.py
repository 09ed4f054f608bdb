"""A detail view's events as lines of text, straight from the events as stored (plain dicts).

The general path (`task_detail._event`) makes a `Line` and a `Para` per event from validated
models and wraps each at render time; a 2,000-event task spent most of its time there. Here
the events of a `StoredTask` become strings at the width they are drawn at: a heading, the body
and the masking note per event, each wrapped only when it is wider than the screen. The text is
the general path's, byte for byte (`tests/unit/test_detail_stored_events.py` renders rich tasks
both ways): every value is shown through the view's `SafeStrings` (masked once, in batches, then
neutralised), and content that is not a flat object of scalars goes through `event_body`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from typing import TypeVar, cast

from runner.logs.stored_task import RawEvent, StoredColumns
from runner.logs.vocabulary import EventType
from runner.views.event_content import cut_body, event_body
from runner.views.fields import format_clock
from runner.views.plain import spans_text_lines
from runner.views.safe_text import SafeStrings
from runner.views.simple_events import (
    INDENT,
    EventColumns,
    Shapes,
    para_lines,
    positions,
    simple_texts,
)

E = TypeVar("E")
_OUTPUT = EventType.EXECUTOR_OUTPUT.value
PLAIN_OUTPUT_KEYS = frozenset({"line", "text", "stream"})


def gathered(events: list[E], plain_output: Callable[[E], bool]) -> list[list[E]]:
    """The events in order, each run of consecutive plain output lines gathered into one list."""
    items: list[list[E]] = []
    for event in events:
        if plain_output(event) and items and plain_output(items[-1][-1]):
            items[-1].append(event)
        else:
            items.append([event])
    return items


def _plain_output(event: RawEvent) -> bool:
    """`task_detail._plain_output` of a stored event."""
    content = event["content"]
    return (event["event_type"] == _OUTPUT and content.keys() <= PLAIN_OUTPUT_KEYS
            and isinstance(content.get("line", content.get("text")), str))


class EventLines:
    """The events section of a detail view (one object for all events), rendered at a width. Every content
    key and string value is masked for display when it is made (`SafeStrings.prepare`), in batches."""

    def __init__(self, events: list[RawEvent], task_id: str, shown: SafeStrings,
                 styles: dict[str, str], *, grouped: bool, read: StoredColumns | None = None) -> None:
        self.columns = EventColumns(events, read)  # (`read`: the fields of these events, as the stored read took them)
        shown.prepare(self.columns.strings())
        # grouped: runs of plain output lines gathered in one item (an output block), else one item an event
        self.items = gathered(events, _plain_output) if grouped else None
        self.task_id = task_id
        self.shown = shown
        self.styles = styles  # heading style by event type (bold when not named)

    def text_lines(self, width: int, *, color: bool) -> list[str]:
        text = self.text(width, color=color)
        return text.split("\n") if text else []

    def text(self, width: int, *, color: bool) -> str:
        """The lines as one text (`plain.TextSource`): runs of simple events (`simple_events`) made at once,
        every other item by `_event` or `_output_block`; a blank line between items."""
        parts: list[str] = []
        room = max(width - len(INDENT), 1)
        texts = simple_texts(self.columns, Shapes(self.shown, self.styles, width, color, self.task_id))
        if self.items is not None:  # an item's text is its event's, or None for an output block
            starts = accumulate(map(len, self.items), initial=0)
            texts = [texts[start] if len(item) == 1 else None for start, item in zip(starts, self.items, strict=False)]
        start = 0
        for k in [*positions(texts, None), len(texts)]:
            if k > start:  # simple events start..k-1, each one text
                parts.append("\n\n".join(cast(list[str], texts[start:k])))
            if k < len(texts):
                out: list[str] = []
                if self.items is not None and len(self.items[k]) > 1:
                    self._output_block(self.items[k], out, width, room, color)
                else:
                    self._event(self.items[k][0] if self.items is not None else self.columns.events[k],
                                out, width, room, color)
                parts.append("\n".join(out))
            start = k + 1
        return "\n\n".join(parts)

    def _event(self, event: RawEvent, out: list[str], width: int, room: int, color: bool) -> None:
        """`task_detail._event` of a stored event."""
        kind = event["event_type"]
        out += spans_text_lines([(f"  [{format_clock(event['timestamp'])}] ", ""),
                                 (self.shown(kind), self.styles.get(kind, "bold"))], width, color=color, cut=False)
        body = cut_body(event_body(event["content"], self.shown), self.task_id)
        if body:
            para_lines(body, "", out, room, color)
        masked = event.get("masked")
        if masked:
            counts = ", ".join(f"{rule} ×{number}" for rule, number in masked.items())
            para_lines(self.shown(f"masked: {counts}"), "dim", out, room, color)

    def _output_block(self, events: list[RawEvent], out: list[str], width: int, room: int, color: bool) -> None:
        """`task_detail._output_block` of stored events."""
        first, last = format_clock(events[0]["timestamp"]), format_clock(events[-1]["timestamp"])
        when = first if first == last else f"{first}–{last}"
        out += spans_text_lines([(f"  [{when}] ", ""), (_OUTPUT, "bold"), (f" ({len(events)} lines)", "dim")],
                                width, color=color, cut=False)
        for event in events:
            content = event["content"]
            text = event_body({"line": content.get("line", content.get("text"))}, self.shown)
            stream = content.get("stream", "stdout")
            mark = "" if stream == "stdout" else f"[{self.shown(stream)}] "
            para_lines(cut_body(mark + text, self.task_id), "", out, room, color)

