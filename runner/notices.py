"""`Notice`: something the runner wants a person to know, as data (level, message, hint, fields).

Lower layers report warnings and remarks as notices and never format them; only the terminal
edge turns a notice into `WARNING:` / `ERROR:` / `HINT:` lines (`runner.views.notices`), and an
export can turn the same notice into a log record with its fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class NoticeLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """One message: what happened (`message`), what to do about it (`hint`), and its facts (`fields`)."""

    level: NoticeLevel
    message: str
    hint: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def info(cls, message: str, hint: str | None = None, **fields: Any) -> Notice:
        return cls(NoticeLevel.INFO, message, hint, fields)

    @classmethod
    def warning(cls, message: str, hint: str | None = None, **fields: Any) -> Notice:
        return cls(NoticeLevel.WARNING, message, hint, fields)

    @classmethod
    def error(cls, message: str, hint: str | None = None, **fields: Any) -> Notice:
        return cls(NoticeLevel.ERROR, message, hint, fields)
