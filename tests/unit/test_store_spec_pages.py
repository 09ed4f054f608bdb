"""The storage spec pages stay true to the code: every event type, field and id pattern is documented."""

from __future__ import annotations

import re
from pathlib import Path

from runner.ids import ID_PATTERNS
from runner.logs.models import EventType, SessionMeta, TaskLog, TaskLogEntry

SPEC = Path(__file__).resolve().parents[2] / "spec"


def test_every_event_type_is_listed_with_its_default_visibility() -> None:
    """spec/event-types.md has one row per EventType, showing the visibility the code gives it."""
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| (summary|full) \|", (SPEC / "event-types.md").read_text(), re.M))
    assert rows == {e.value: e.default_visibility.value for e in EventType}


def test_every_tasklog_field_is_documented() -> None:
    """spec/tasklog-schema.md names every field of TaskLog, TaskLogEntry and SessionMeta."""
    page = (SPEC / "tasklog-schema.md").read_text()
    for model in (TaskLog, TaskLogEntry, SessionMeta):
        missing = [name for name in model.model_fields if f"`{name}`" not in page]
        assert not missing, f"{model.__name__} fields missing from tasklog-schema.md: {missing}"


def test_every_id_pattern_is_documented() -> None:
    """spec/storage-layout.md shows the exact pattern of every id kind."""
    page = (SPEC / "storage-layout.md").read_text()
    missing = [kind.value for kind, pattern in ID_PATTERNS.items() if f"`{pattern.pattern}`" not in page]
    assert not missing, f"id patterns missing from storage-layout.md: {missing}"
