"""Gemini CLI `--output-format stream-json`: `init`, `message`, `tool_use`, `tool_result`, `error`, `result`.

Facts from the recordings of Gemini CLI 0.61.0 (tests/fixtures/streams/gemini/) and its source:
- `init.model` is "auto" unless `-m` was given; the model that answered is the last key of
  `result.stats.models` (the router's side call comes first);
- assistant text arrives as `delta` pieces to join per turn;
- `result.stats` counts this invocation only; `input_tokens` includes `cached`; no cost;
- `result.status` decides, not the exit code: an invalid stream is a failed result with exit 0;
- a refused tool call is a `tool_result` with `status: error`; retries are stderr lines.
"""

from __future__ import annotations

import re
from typing import Any

from runner.executors.formats.items import (
    Claim,
    Item,
    Outcome,
    ResultItem,
    SessionItem,
    TextItem,
    ToolEnd,
    ToolStart,
    UsageItem,
    WarningItem,
)
from runner.executors.formats.values import as_int, as_str

WRITE_TOOLS = frozenset({"write_file", "replace"})
_TURN_LIMIT = "FatalTurnLimitedError"
_DENIAL_WORDS = ("denied", "policy", "not approved", "rejected")
_RETRY = re.compile(r"^Attempt \d+ failed(?: with status \d+)?\. Retrying")


class GeminiDecoder:
    """Decodes `gemini --output-format stream-json` lines; stateless."""

    json_lines = True

    def stdout(self, record: Any) -> list[Item]:
        kind = as_str(record.get("type"))
        if kind == "init":
            model = as_str(record.get("model"))
            return [SessionItem(as_str(record.get("session_id")) or None, None if model in ("", "auto") else model)]
        if kind == "message" and record.get("role") == "assistant":
            return [TextItem(as_str(record.get("content")), delta=record.get("delta") is True)]
        if kind == "tool_use":
            return [_tool_use(record)]
        if kind == "tool_result":
            return [_tool_result(record)]
        if kind == "error":
            return [WarningItem(as_str(record.get("message")) or "error")]
        if kind == "result":
            return _result(record)
        return []

    def stderr(self, line: str) -> list[Item]:
        if _RETRY.match(line):
            return [WarningItem(line.split(" _ApiError", 1)[0].strip(), transient=True)]
        return []


def _tool_use(record: dict[str, Any]) -> ToolStart:
    name = as_str(record.get("tool_name")) or "tool"
    raw = record.get("parameters")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    path = as_str(params.get("file_path"))
    label = path or as_str(params.get("command")) or as_str(params.get("dir_path"))
    claims = (Claim(path),) if name in WRITE_TOOLS and path else ()
    return ToolStart(as_str(record.get("tool_id")), name, label, claims)


def _tool_result(record: dict[str, Any]) -> ToolEnd:
    failed = record.get("status") == "error"
    error = record.get("error")
    message = as_str(error.get("message")) if isinstance(error, dict) else ""
    denied = failed and any(word in message.lower() for word in _DENIAL_WORDS)
    return ToolEnd(as_str(record.get("tool_id")), is_error=failed, denied=denied,
                   preview=message if failed else as_str(record.get("output")))


def _result(record: dict[str, Any]) -> list[Item]:
    items: list[Item] = []
    stats = record.get("stats")
    if isinstance(stats, dict):
        models = stats.get("models")
        model = list(models)[-1] if isinstance(models, dict) and models else None
        items.append(UsageItem(input_tokens=as_int(stats.get("input_tokens")),
                               cached_input_tokens=as_int(stats.get("cached")),
                               output_tokens=as_int(stats.get("output_tokens")), model=model,
                               duration_ms=as_int(stats.get("duration_ms")) or None))
    if record.get("status") == "success":
        items.append(ResultItem(Outcome.SUCCESS))
        return items
    error = record.get("error")
    error_type = as_str(error.get("type")) if isinstance(error, dict) else ""
    message = as_str(error.get("message")) if isinstance(error, dict) else ""
    outcome = Outcome.MAX_TURNS if error_type == _TURN_LIMIT else Outcome.FAILED
    shown_type = error_type if error_type not in ("", "unknown") else None
    items.append(ResultItem(outcome, shown_type, message or f"status {record.get('status')!r}"))
    return items
