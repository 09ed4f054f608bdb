"""Why an agent CLI run from a template failed, in its own words.

The last stderr line is often not the reason: Codex prints the notice "Reading additional input
from stdin..." before anything else, Gemini CLI ends a stack dump with a lone `}`. So the reason
is a recognised JSON-lines error on stdout when there is one (Codex `turn.failed` / `error`,
Gemini `result` with `status: "error"`, Claude `result` with `is_error`), else the last
meaningful stderr line: not blank, not a known notice, not indented (stack frames and object
dumps are), not just punctuation, not a bare `[object Object]`. Pure: callers mask what they show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

# Lines an agent CLI prints on stderr that never explain a failure.
NOTICES = (
    "Reading additional input from stdin",
    "Reading prompt from stdin",
    "WARNING: proceeding, even though we could not create PATH aliases",
    "YOLO mode is enabled",
    "Warning: 256-color support not detected",
    "Ripgrep is not available",
    "[STARTUP] ",
    "Stack backtrace:",
)
# A JavaScript error printed without its message (Gemini CLI 0.61.0 in text mode after an API error).
_NO_INFORMATION = "[object Object]"
_REASON_CHARS = 300
# Gemini CLI: "Error when talking to Gemini API Full report available at: /tmp/…json _ApiError: {…}".
# The report's path (long under a deep temp folder) would push the reason past the cut.
_REPORT_PATH = re.compile(r"\s*Full report available at: \S+\s*")
_EMBEDDED_JSON = re.compile(r"(?:\w*Error: )?\{")


def _readable(text: str) -> str:
    """The line without a crash report's path, and an embedded JSON error reduced to its message."""
    report = _REPORT_PATH.search(text)
    if report is None:
        return text
    head, tail = text[:report.start()].rstrip(), text[report.end():].strip()
    start = _EMBEDDED_JSON.match(tail)
    if start:
        try:
            record, _end = json.JSONDecoder().raw_decode(tail, start.end() - 1)
        except ValueError:
            record = None
        error = record.get("error") if isinstance(record, dict) else None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            tail = error["message"].strip()
    return f"{head}: {tail}" if tail else head


def meaningful_stderr_line(lines: Sequence[str]) -> str:
    """The last stderr line that could explain a failure, or "" when none does."""
    for line in reversed(lines):
        text = line.rstrip()
        if not text or text[0].isspace() or text.startswith(NOTICES):
            continue
        if len(text.strip(" {}[](),;:")) < 2 or text.endswith(_NO_INFORMATION):
            continue
        return _readable(text)[:_REASON_CHARS]
    return ""


def _json_error(record: dict[str, Any]) -> str | None:
    kind = record.get("type")
    error = record.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    if kind == "turn.failed" and isinstance(message, str):
        return message
    if kind == "error" and isinstance(record.get("message"), str):
        return str(record["message"])
    if kind == "result" and record.get("status") == "error" and isinstance(message, str):
        return message
    if kind == "result" and record.get("is_error") is True:
        errors = [e for e in record.get("errors") or [] if isinstance(e, str)]
        text = "; ".join(errors) or record.get("result")
        return text if isinstance(text, str) and text else None
    return None


def jsonl_error(lines: Sequence[str]) -> str:
    """The last error a JSON-lines agent stream reported on stdout, or ""."""
    for line in reversed(lines):
        text = line.strip()
        if not text.startswith("{"):
            continue
        try:
            record = json.loads(text)
        except ValueError:
            continue
        found = _json_error(record) if isinstance(record, dict) else None
        if found:
            return found.strip()[:_REASON_CHARS]
    return ""


def failure_reason(stdout: Sequence[str], stderr: Sequence[str]) -> str:
    """A recognised JSON-lines error, else the last meaningful stderr line, else ""."""
    return jsonl_error(stdout) or meaningful_stderr_line(stderr)
