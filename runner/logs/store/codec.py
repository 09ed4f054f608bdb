"""The one serialise/parse pair for every log file (orjson out, pydantic in).

Parsing raises `ValueError` (pydantic's `ValidationError` is one) on anything
that is not a valid document; callers turn that into a rebuild or a CorruptedLog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # each parser imports its model: importing the codec costs no pydantic
    from pydantic import BaseModel

    from runner.logs.models import GlobalIndex, LogEvent, SessionIndex, SessionMeta, TaskLog


def dumps(model: BaseModel, *, compact: bool = False) -> bytes:
    """JSON bytes of a model; `compact` leaves out fields at their default (index rows)."""
    return orjson.dumps(model.model_dump(mode="json", exclude_defaults=compact))


def dumps_session_index(index: SessionIndex) -> bytes:
    """Index rows leave out default fields: a 10,000-row index is a quarter smaller and parses faster."""
    body: dict[str, Any] = {
        "session_id": index.session_id,
        "updated_at": index.updated_at,
        "entries": [entry.model_dump(mode="json", exclude_defaults=True) for entry in index.entries],
    }
    return orjson.dumps(body)


# orjson refuses (TypeError) what it would write differently from pydantic's JSON mode.
_PLAIN_JSON_ONLY = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def event_line(event: LogEvent) -> bytes:
    """One journal line (without its newline): the bytes of `event.model_dump(mode="json")`.

    Built straight from the fields (an event is written once per append and again in every
    snapshot, and the model's serializer costs several times the JSON encoding); content
    that is not plain JSON (never the case for content from `clean_content`) takes the
    model's own path.
    """
    body: dict[str, Any] = {"event_id": event.event_id, "event_type": event.event_type.value,
                            "timestamp": event.timestamp, "visibility": event.visibility.value,
                            "content": event.content}
    if event.masked:
        body["masked"] = event.masked
    try:
        return orjson.dumps(body, option=_PLAIN_JSON_ONLY)
    except TypeError:
        return orjson.dumps(event.model_dump(mode="json"))


def dumps_task_log(log: TaskLog, line_of: Callable[[LogEvent], bytes] = event_line) -> bytes:
    """The bytes of `dumps(log)`, each event written as `line_of(event)` (a writer passes the
    lines it already made for its journal, so a snapshot does not serialise its events again).

    The other fields come from a shallow copy without events (`model_dump`'s `exclude` costs
    several times a whole dump); assigning `events` back keeps the field's place.
    """
    return dumps_with_events(fields_of(log), log.events, line_of)


def fields_of(log: TaskLog) -> dict[str, Any]:
    """`log.model_dump(mode="json")` with `events` empty (in its place): the rest of a task's document."""
    return log.model_copy(update={"events": []}).model_dump(mode="json")


def dumps_with_events(fields: dict[str, Any], events: list[LogEvent],
                      line_of: Callable[[LogEvent], bytes] = event_line) -> bytes:
    """A task's document from `fields_of` data (not changed) and its events, each as `line_of(event)`."""
    return orjson.dumps({**fields, "events": [orjson.Fragment(line_of(event)) for event in events]})


def json_safe(value: Any) -> Any:
    """Round-trip through JSON: any value becomes plain JSON data, lone surrogates become U+FFFD.

    orjson rejects surrogate escapes (which `errors="surrogateescape"` decoding
    produces), so strings holding them are re-encoded with replacement first.
    """
    try:
        return orjson.loads(orjson.dumps(value, default=str))
    except TypeError:
        return orjson.loads(orjson.dumps(_scrub(value), default=str))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_scrub(str(key)): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def parse_task_log(data: bytes) -> TaskLog:
    from runner.logs.models import TaskLog

    return TaskLog.model_validate_json(data)


def parse_session_index(data: bytes) -> SessionIndex:
    from runner.logs.models import SessionIndex

    return SessionIndex.model_validate_json(data)


def parse_global_index(data: bytes) -> GlobalIndex:
    from runner.logs.models import GlobalIndex

    return GlobalIndex.model_validate_json(data)


def parse_session_meta(data: bytes) -> SessionMeta:
    from runner.logs.models import SessionMeta

    return SessionMeta.model_validate_json(data)


def parse_event_line(line: bytes) -> LogEvent:
    from runner.logs.models import LogEvent

    return LogEvent.model_validate_json(line)
