"""TEMPORARY STUB: the masking helper replaces this file with the real rule table.

Signatures match spec/architecture.md so other modules can import them meanwhile.
"""

from __future__ import annotations

from typing import Any

MASKING_ERROR = "[MASKING_ERROR: content_hidden]"


def mask_text(text: str) -> str:
    return text


def mask_obj(obj: Any) -> Any:
    return obj


def mask_and_truncate(text: str, max_chars: int, marker: str = "[TRUNCATED]") -> str:
    masked = mask_text(text)
    return masked if len(masked) <= max_chars else masked[:max_chars] + marker


def reset_env_secrets(environ: dict[str, str] | None = None) -> None:
    return None


class StreamMasker:
    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, chunk: str) -> list[str]:
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split("\n")
        return [mask_text(line) for line in lines]

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer, ""
        return [mask_text(rest)] if rest else []
