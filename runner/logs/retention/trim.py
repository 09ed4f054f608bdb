"""Shrinking an oversized task log (DESIGN §10): oldest middle events go first, a marker says how many.

The first events (what the user asked) and the last ones (how the task ended)
are always kept; an `EVENTS_DROPPED` event takes the place of the dropped run.
Events larger than the per-event limit are cut on the way, as the manager cuts
new ones. Pure: the caller reads and writes the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.logs.models import EventType, LogEvent, TaskLog, Visibility
from runner.logs.outcome import cut_utf8
from runner.logs.store import codec

KEEP_FIRST = 5
KEEP_LAST = 5
# Room kept for the marker event itself when deciding how much may stay.
_MARKER_ALLOWANCE = 600


@dataclass(frozen=True)
class TrimResult:
    log: TaskLog
    dropped: int  # events removed (an earlier marker's count included)
    newly_dropped: int  # events removed by this trim
    bytes_before: int
    bytes_after: int
    dropped_ids: tuple[str, ...] = ()  # event ids removed by this trim (their raw logs go too)


def serialized_size(log: TaskLog) -> int:
    return len(codec.dumps(log))


def trim_task_log(log: TaskLog, *, max_bytes: int, max_event_bytes: int, now: str) -> TrimResult | None:
    """The log cut down to about `max_bytes`, or None when it already fits and no event is oversized.

    Keeps the first `KEEP_FIRST` and last `KEEP_LAST` events whatever their size,
    then as many of the newest middle events as fit.
    """
    before = serialized_size(log)
    events = [_cap_event(event, max_event_bytes) for event in log.events]
    capped = any(new is not old for new, old in zip(events, log.events, strict=True))
    if before <= max_bytes and not capped:
        return None
    head, middle, tail = _split(events)
    earlier = [e for e in middle if _is_trim_marker(e)]
    middle = [e for e in middle if not _is_trim_marker(e)]
    base = serialized_size(log.model_copy(update={"events": []}))
    budget = max_bytes - base - _MARKER_ALLOWANCE - sum(map(_event_size, head + tail))
    kept: list[LogEvent] = []
    for event in reversed(middle):
        size = _event_size(event)
        if size > budget:
            break
        budget -= size
        kept.append(event)
    kept.reverse()
    gone = middle[: len(middle) - len(kept)]
    if not gone:  # nothing more can go: only oversized events were cut, if any
        if not capped:
            return None
        trimmed = log.model_copy(update={"events": events})
        return TrimResult(trimmed, 0, 0, before, serialized_size(trimmed))
    total = len(gone) + sum(_earlier_count(e) for e in earlier)
    marker = _marker(gone, earlier, total, limit=max_bytes, now=now)
    trimmed = log.model_copy(update={"events": [*head, marker, *kept, *tail]})
    return TrimResult(trimmed, total, len(gone), before, serialized_size(trimmed),
                      tuple(e.event_id for e in gone))


def _split(events: list[LogEvent]) -> tuple[list[LogEvent], list[LogEvent], list[LogEvent]]:
    if len(events) <= KEEP_FIRST + KEEP_LAST:
        return events, [], []
    return events[:KEEP_FIRST], events[KEEP_FIRST:-KEEP_LAST], events[-KEEP_LAST:]


def _event_size(event: LogEvent) -> int:
    return len(codec.event_line(event)) + 1  # the comma between array items


def _is_trim_marker(event: LogEvent) -> bool:
    """A marker an earlier trim left (a disk-full marker, `runner.logs.space`, is another story and stays)."""
    return event.event_type is EventType.EVENTS_DROPPED and "first_dropped" in event.content


def _earlier_count(marker: LogEvent) -> int:
    value = marker.content.get("dropped")
    return value if isinstance(value, int) and value >= 0 else 0


def _marker(gone: list[LogEvent], earlier: list[LogEvent], total: int, *, limit: int, now: str) -> LogEvent:
    """The EVENTS_DROPPED event; it takes the id and time of the first event it stands for."""
    first = earlier[0] if earlier else gone[0]
    content: dict[str, Any] = {
        "message": f"{total} events were dropped to keep this log under {_megabytes(limit)}",
        "dropped": total,
        "first_dropped": first.content.get("first_dropped", first.event_id) if earlier else first.event_id,
        "last_dropped": gone[-1].event_id,
        "dropped_at": now,
    }
    # Summary visibility, whatever the type's default: a shortened log must never look complete.
    return LogEvent(event_id=first.event_id, event_type=EventType.EVENTS_DROPPED,
                    timestamp=first.timestamp, visibility=Visibility.SUMMARY, content=content)


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):.3g} MB"


def _cap_event(event: LogEvent, max_event_bytes: int) -> LogEvent:
    """The event with each string cut to the per-event limit when the event is over it."""
    if _event_size(event) <= max_event_bytes:
        return event
    content = _cut(event.content, max_event_bytes)
    return event if content == event.content else event.model_copy(update={"content": content})


def _cut(value: Any, max_bytes: int) -> Any:
    if isinstance(value, str):
        return cut_utf8(value, max_bytes)
    if isinstance(value, dict):
        return {key: _cut(item, max_bytes) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut(item, max_bytes) for item in value]
    return value
