"""spec/event-types.md says who writes each event type, and the code agrees: no type stays unused unexplained."""

from __future__ import annotations

import re
from pathlib import Path

from runner.logs.models import EventType

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "event-types.md"
RUNNER = ROOT / "runner"
# Modules that only read events (views and exports) do not count as writing them.
READERS = ("views/", "export/", "logs/models.py")


def written_by() -> dict[str, str]:
    """Each type's "written by" cell, from the spec's tables."""
    rows: dict[str, str] = {}
    for line in SPEC.read_text().splitlines():
        found = re.match(r"\| `([A-Z_]+)` \| (?:summary|full) \| .* \| (.+) \|$", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def writers_of(event_type: EventType) -> set[str]:
    """The runner modules (paths under runner/) that use `EventType.<name>`, readers excepted."""
    pattern = re.compile(rf"EventType\.{event_type.name}\b")
    found = set()
    for path in RUNNER.rglob("*.py"):
        relative = path.relative_to(RUNNER).as_posix()
        if not relative.startswith(READERS) and pattern.search(path.read_text()):
            found.add(relative)
    return found


def test_every_event_type_has_a_row() -> None:
    """Each EventType has exactly one row with a "written by" cell."""
    assert sorted(written_by()) == sorted(t.value for t in EventType)


def test_written_by_names_real_writers_and_not_written_means_unused() -> None:
    """A module named as writer uses the type; a type said not to be written is used by no writer, with a reason."""
    for event_type in EventType:
        cell = written_by()[event_type.value]
        writers = writers_of(event_type)
        if cell.startswith("not written"):
            assert not writers, f"{event_type} is said not to be written, but {sorted(writers)} write it"
            assert len(cell) > 40, f"{event_type}: say why it is not written"
            continue
        named = set(re.findall(r"`([a-z_/]+\.py)`", cell))
        assert named, f"{event_type}: name the writing module, or say why it is not written"
        assert named <= writers, f"{event_type}: {sorted(named - writers)} do not write it (writers: {sorted(writers)})"


def test_the_review_loop_writes_every_type_of_its_tables() -> None:
    """Issue 12's event types (review loop, retry and escalation, model and cost) are all written."""
    cells = written_by()
    loop_types = [t for t in EventType if cells[t.value].startswith("`orchestration/loop/events.py`")]
    assert len(loop_types) == 17  # RETRY_START too, which /retry also writes
