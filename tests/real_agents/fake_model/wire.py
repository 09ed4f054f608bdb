"""What every API module shares: the reply type, SSE framing, ids and the per-request context."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; the whole body is known up front, so it always has a Content-Length."""

    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Context:
    """What a reply may depend on besides the request: where the CLI's project is."""

    project: Path

    def absolute(self, relative: str) -> str:
        return str(self.project / relative)


def json_reply(status: int, payload: dict[str, Any]) -> Reply:
    return Reply(status, json.dumps(payload).encode())


def sse_reply(events: list[tuple[str | None, dict[str, Any]]], *, separator: str = "\n") -> Reply:
    """Server-sent events: an optional `event:` name, one `data:` line, a blank line."""
    chunks = []
    for name, data in events:
        head = f"event: {name}{separator}" if name else ""
        chunks.append(f"{head}data: {json.dumps(data)}{separator}{separator}")
    return Reply(200, "".join(chunks).encode(), "text/event-stream")


def new_id(prefix: str, length: int = 20) -> str:
    """An id shaped like the real API's (`msg_3fd1947cf8224c22acb6`)."""
    return prefix + uuid.uuid4().hex[:length]


def text_of(content: object) -> list[str]:
    """The text pieces of a message content that may be a string or a list of typed blocks."""
    if isinstance(content, str):
        return [content]
    if not isinstance(content, list):
        return []
    return [block["text"] for block in content
            if isinstance(block, dict) and isinstance(block.get("text"), str)]
