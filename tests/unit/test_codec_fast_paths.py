"""The hot path's serialisation shortcuts write the very bytes the models' own serialisers write."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from uuid import UUID

import orjson

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, LogEvent, TaskLog, TaskStatus, Visibility
from runner.logs.store import codec
from runner.timestamps import iso_from_epoch_ms

CONTENTS = [
    {},
    {"stream": "stdout", "line": "hello"},
    {"nested": {"list": [1, 2.5, None, True, "é\u2028"], "empty": {}}, "big": 2**62, "neg": -1e-7},
    {"text": "[MASKED:OPENAI_KEY] and \"quotes\" \\ and \x00 and \U0001f600"},
]


def _reference_line(event: LogEvent) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


def _event(content: dict[str, object], masked: dict[str, int] | None = None) -> LogEvent:
    return LogEvent(event_id="evt-0007", event_type=EventType.EXECUTOR_OUTPUT, timestamp="2026-01-12T11:30:00.000Z",
                    visibility=Visibility.FULL, content=content, masked=masked or {})


def test_event_line_equals_the_model_dump() -> None:
    """event_line gives the bytes of model_dump(mode="json") for plain content, with and without masks."""
    for content in CONTENTS:
        for masked in (None, {"OPENAI_KEY": 1}):
            event = _event(content, masked)
            assert codec.event_line(event) == _reference_line(event)


def test_event_line_of_content_that_is_not_plain_json_takes_the_models_path() -> None:
    """Datetimes, UUIDs and tuples inside content are written as pydantic writes them."""
    event = _event({"when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                    "id": UUID("12345678-1234-5678-1234-567812345678"), "pair": (1, 2)})
    assert codec.event_line(event) == _reference_line(event)


def test_snapshot_bytes_equal_the_model_dump(tmp_path: Path) -> None:
    """A task's snapshot, written from its journal lines, holds the bytes `codec.dumps` would write."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    task = manager.create_task("write the snapshot")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    for number in range(5):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": f"line {number}"})
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "key sk-ant-api03-Zq8xW2vR5tY7uI9oP1aS3dF6"})
    final = manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    assert manager.session_id is None
    snapshot = next(tmp_path.joinpath(".claude", "logs", "sessions").glob("*/tasks/task-001.json")).read_bytes()
    assert snapshot == codec.dumps(final)
    assert TaskLog.model_validate_json(snapshot) == final
    assert codec.dumps_task_log(final) == codec.dumps(final)


def test_timestamps_match_strftime_across_second_boundaries() -> None:
    """The formatted second is reused within a second and redone at the next one, never stale."""
    start = 1_767_225_599_000  # 2025-12-31T23:59:59.000Z, the next second is another year
    for epoch_ms in (start, start + 999, start + 1000, start + 1, start + 86_400_123, 0):
        seconds, millis = divmod(epoch_ms, 1000)
        expected = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"
        assert iso_from_epoch_ms(epoch_ms) == expected
