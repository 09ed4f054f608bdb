"""The choices of settings named both by the config file's schema and by the resolved `RunnerConfig`.

Plain enums, without pydantic: a REPL started without a config file resolves its defaults from
these alone, and the file's schema (`config_schema.py`, `loop_settings.py`) loads only to
validate a file or a flag.
"""

from __future__ import annotations

from enum import StrEnum


class PermissionMode(StrEnum):
    """Claude Code's `--permission-mode` choices (`claude --help`, 2.1.197 and 2.1.332)."""

    ACCEPT_EDITS = "acceptEdits"
    AUTO = "auto"
    BYPASS_PERMISSIONS = "bypassPermissions"
    DEFAULT = "default"
    DONT_ASK = "dontAsk"
    PLAN = "plan"


class ReviewMode(StrEnum):
    """`auto`: on for agent executors, and for any executor when checks are given; `on`; `off`."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"
