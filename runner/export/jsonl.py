"""One masked event per line, with the ids and times that place it, for jq, DuckDB or a warehouse.

Each line is a flat JSON object: the event (`event_id`, `event_type`, `timestamp`, `visibility`,
`content`) plus its task's `session_id`, `thread_id`, `run_id`, `task_id`, `external_task_id`,
`parent_task_id`, `task_status`, `executor`, `model` and `schema`. Lines follow the tasks'
creation order, then the events' order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from runner.export.masked import MaskedSession
from runner.logs.models import TaskLog

SCHEMA = "pm-runner.event/1"


def event_rows(log: TaskLog) -> Iterator[dict[str, Any]]:
    """The rows of one (masked) task, one per event."""
    place = {
        "schema": SCHEMA, "session_id": log.session_id, "thread_id": log.thread_id, "run_id": log.run_id,
        "task_id": log.task_id, "external_task_id": log.external_task_id, "parent_task_id": log.parent_task_id,
        "task_status": log.status.value, "executor": log.executor.name if log.executor else None,
        "model": (log.metrics.model if log.metrics else None) or (log.executor.model if log.executor else None),
    }
    for event in log.events:
        row = {**place, "event_id": event.event_id, "event_type": event.event_type.value,
               "timestamp": event.timestamp, "visibility": event.visibility.value, "content": event.content}
        if event.masked:  # what masking hid in this event, by rule (spec/tasklog-schema.md)
            row["masked"] = event.masked
        yield row


def render_jsonl(sessions: list[MaskedSession]) -> bytes:
    """Every event of every session, one compact JSON object per line."""
    return b"".join(orjson.dumps(row) + b"\n" for session in sessions for log in session.logs
                    for row in event_rows(log))
