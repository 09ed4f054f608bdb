"""An in-memory `EventSink` for executor tests, plus helpers to run executors and check process groups."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from runner.logs.models import EventType

FIXTURE_BIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "bin")


@dataclass
class RecordingSink:
    """Keeps every event and raw line the executor reported, in order."""

    events: list[tuple[EventType, dict[str, Any]]] = field(default_factory=list)
    raw: list[tuple[str, str]] = field(default_factory=list)

    def event(self, event_type: EventType, content: dict[str, Any]) -> str | None:
        self.events.append((event_type, content))
        return f"evt-{len(self.events):04d}"

    def raw_line(self, stream: str, line: str) -> None:
        self.raw.append((stream, line))

    def raw_block(self, stream: str, block: str) -> None:
        prefix = f"[{stream}] "
        lines = block.removesuffix("\n").split("\n")
        assert block.endswith("\n") and all(line.startswith(prefix) for line in lines), block
        self.raw.extend((stream, line.removeprefix(prefix)) for line in lines)

    def event_batch(self, event_type: EventType, contents: list[dict[str, Any]]) -> None:
        for content in contents:
            self.event(event_type, content)

    def of_type(self, event_type: EventType) -> list[dict[str, Any]]:
        return [content for kind, content in self.events if kind is event_type]

    def child_pid(self) -> int:
        """The pid (and process group id) recorded by EXECUTOR_START."""
        starts = self.of_type(EventType.EXECUTOR_START)
        assert starts and isinstance(starts[0].get("pid"), int), starts
        return int(starts[0]["pid"])

    def raw_text(self) -> str:
        return "\n".join(line for _stream, line in self.raw)


def group_gone(pgid: int) -> bool:
    """True when no process at all (zombies included) is left in the group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False
