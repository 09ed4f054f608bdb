"""A task as the detail view reads it: the header validated, the events as the store wrote them (plain dicts).

Read by `runner.logs.store.stored_read`, shown by `runner.views.task_detail` (data only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runner.logs.vocabulary import EventType

if TYPE_CHECKING:
    from runner.logs.models import TaskLog

RawEvent = dict[str, Any]
# What a stored event holds: exactly these fields, and `masked` besides when something was masked.
EVENT_FIELDS = ("event_id", "event_type", "timestamp", "visibility", "content")

# The events the detail header reads besides the task's fields (the parts of a chunked task,
# `views.plan.parts_lines`): validated with the header, so it reads them as models.
HEADER_EVENT_TYPES = frozenset({EventType.CHUNKING_AGGREGATION.value, EventType.SUBTASK_CREATED.value,
                                EventType.SUBTASK_COMPLETE.value, EventType.SUBTASK_FAILED.value})


@dataclass(frozen=True)
class StoredColumns:
    """The fields of every event that the check of the stored form read and the view reads again, a list a
    field in event order (`stored_read.stored_columns`), and the distinct event types."""

    kinds: list[str]
    stamps: list[str]
    contents: list[dict[str, Any]]
    kind_set: set[str]


@dataclass
class StoredTask:
    """A task as the detail view reads it: `events` are every event, as stored; `header` is the task
    checked by plain code (`stored_header`: the same fields as plain attributes, its `events` empty)
    or validated through the models with only the events its header is made of (`HEADER_EVENT_TYPES`,
    else the first event): read its fields, never its `events` as the task's events. Each event holds
    `EVENT_FIELDS` and at most `masked` besides (`stored_read.stored_form` checked it)."""

    header: TaskLog
    events: list[RawEvent]
    columns: StoredColumns | None = None  # of `events`, as the check read them
