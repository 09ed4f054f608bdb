"""A task read for display: its header validated, its events as stored (plain dicts), checked in bulk.

Validating a 2,000-event task through the models costs several times parsing it, and the
detail view only reads each event's five fields. So the files are parsed with orjson and the
events are checked column by column (C-speed set and join operations) against the exact form
the store writes: known keys, known event types and visibilities, ids as strings, timestamps
in the store's stamp format, content an object, masking counts as integers. What passes is
something the models accept unchanged. The header is checked by plain code (`stored_header`: no
pydantic on a `logs show` of a stored task); a header it does not take, or one made of a chunked
task's parts, goes through `TaskLog` (with the events the header reads, so its own rules run). Anything else — a torn journal line the models would also refuse
is the one exception, skipped as `read_journal` skips it — returns None, and the caller reads
the task the general way (`load_task`), which reports a damaged file exactly as before.
"""

from __future__ import annotations

from itertools import compress
from operator import itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson

from runner.logs.store import codec, safe_files
from runner.logs.store.journal import STATE_LINE_START, journal_lines
from runner.logs.store.safe_files import Limit
from runner.logs.store.stored_header import checked_header
from runner.logs.stored_task import (
    EVENT_FIELDS,
    HEADER_EVENT_TYPES,
    RawEvent,
    StoredColumns,
    StoredTask,
)
from runner.logs.vocabulary import EventType, Visibility

if TYPE_CHECKING:
    from runner.logs.models import TaskLog

_EVENT_TYPES = frozenset(kind.value for kind in EventType)
_VISIBILITIES = frozenset(level.value for level in Visibility)
# The store's stamps (`timestamps.now_iso`), ASCII digits only: stricter than the models' pattern. Checked
# all at once: their joined text with every digit made 0 (a C-level `bytes.translate`) is this form's.
_STAMP_FORM = b"0000-00-00T00:00:00.000Z\n"
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def read_stored_task(snapshot_path: Path, journal_path: Path, *, session_id: str,
                     task_id: str) -> StoredTask | None:
    """The task with its events unvalidated but checked, or None when the general read must decide.

    Reads the journal before the snapshot, as `load_task` does.
    """
    try:
        journal = _journal_events(journal_path)
        if journal is None:
            return None
        data = safe_files.read_bytes(snapshot_path, limit=Limit.TASK_FILE, single_link=True)
        document = orjson.loads(data)
    except (OSError, ValueError):
        return None
    if type(document) is not dict or type(document.get("events")) is not list or not document["events"]:
        return None
    events = _merged(document["events"], journal)
    columns = stored_columns(events)
    if columns is None:
        return None
    parts = ([] if HEADER_EVENT_TYPES.isdisjoint(columns.kind_set)
             else [event for event in events if event["event_type"] in HEADER_EVENT_TYPES])
    plain = None if parts else checked_header(document)
    header = cast("TaskLog", plain) if plain is not None else _header(document, parts or events[:1])
    if header is None or header.task_id != task_id or header.session_id != session_id:
        return None
    return StoredTask(header, events, columns)


def _journal_events(path: Path) -> list[RawEvent] | None:
    """The journal's lines as dicts; a line orjson cannot read is skipped if the models refuse it too
    (a torn last line), else None (the models would read something orjson cannot)."""
    events: list[RawEvent] = []
    for raw in journal_lines(path):
        if raw.startswith(STATE_LINE_START):
            return None  # a live normal-mode task's state line: the general read takes it, before any parsing
        try:
            events.append(orjson.loads(raw))
        except ValueError:
            try:
                codec.parse_event_line(raw)
            except ValueError:
                continue  # refused by the general read too: skipped there as here
            return None
    return events


def _merged(snapshot: list[RawEvent], journal: list[RawEvent]) -> list[RawEvent]:
    """`journal.merge_events` over stored events, before they are checked: an event without a string
    id leaves both lists joined as they are, for `stored_form` to refuse."""
    if not journal:
        return snapshot
    try:
        seen = set(map(itemgetter("event_id"), snapshot))
    except (KeyError, TypeError):
        return [*snapshot, *journal]  # not stored form: refused by `stored_form` next
    merged = list(snapshot)
    for event in journal:
        event_id = event.get("event_id") if type(event) is dict else None
        if type(event_id) is not str:
            return [*snapshot, *journal]
        if event_id not in seen:
            seen.add(event_id)
            merged.append(event)
    return merged


def stored_form(events: list[Any]) -> bool:
    """Whether every event is exactly as the store writes it (so the models would accept it unchanged)."""
    return stored_columns(events) is not None


def stored_columns(events: list[Any]) -> StoredColumns | None:
    """The events' types, stamps and contents when every event is exactly as the store writes it, else None.

    Checked a field at a time over all events (C-level `map`s, sets and joins): each event an
    object holding the five fields and at most `masked` besides. The lists are kept for the view,
    which reads the same fields.
    """
    try:
        if set(map(type, events)) != {dict}:
            return None
        sizes = list(map(len, events))
        # An event with another number of fields than the five must hold `masked` (the sum below allows one more)
        masked = list(map(itemgetter("masked"), compress(events, map(len(EVENT_FIELDS).__ne__, sizes))))
        "".join(map(itemgetter("event_id"), events))  # TypeError unless every id is a string (KeyError: no id)
        stamps = list(map(itemgetter("timestamp"), events))
        stamped = "\n".join(stamps) + "\n"  # likewise every stamp
        kinds, contents = list(map(itemgetter("event_type"), events)), list(map(itemgetter("content"), events))
        kind_set = _run_values(kinds)
        if (sum(sizes) == len(EVENT_FIELDS) * len(events) + len(masked)  # no other field
                and kind_set <= _EVENT_TYPES and _run_values(list(map(itemgetter("visibility"), events))) <= _VISIBILITIES
                and set(map(type, contents)) == {dict}
                and stamped.isascii() and stamped.encode().translate(_DIGITS_AS_ZERO) == _STAMP_FORM * len(events)
                and all(map(_counts, masked))):
            return StoredColumns(kinds, stamps, contents, kind_set)
        return None
    except (KeyError, TypeError):  # a missing field, an unhashable value
        return None


def _run_values(values: list[Any]) -> set[Any]:
    """The distinct values, taken at the start of each run of equal ones: a long task's runs are long, and
    telling neighbours apart (C-level `!=`) costs less than hashing every value into a set."""
    return {*values[:1], *compress(values[1:], map(ne, values[1:], values))}


def _counts(masked: object) -> bool:
    return type(masked) is dict and all(type(number) is int for number in masked.values())


def _header(document: dict[str, Any], events: list[RawEvent]) -> TaskLog | None:
    """The task's fields through the models, with `events` (at least one: the models need one)."""
    from runner.logs.models import TaskLog

    try:
        return TaskLog.model_validate_json(orjson.dumps({**document, "events": events}))
    except ValueError:
        return None
