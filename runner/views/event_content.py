"""How one event's `content` object reads in the detail view (seed 003 §4.2).

The main field (a prompt, question, answer, reason, message, text or output line) is shown
on its own, quoted when it is something a person typed or was asked; every other key is
shown as `key: value`. The content object is masked as a whole, then every key and value is neutralised.
"""

from __future__ import annotations

import json
from typing import Any

from runner.views.safe_text import mask_structure, neutralise, safe_str

# Checked in this order; the first one present is the event's main line.
MAIN_FIELDS: tuple[str, ...] = (
    "prompt",
    "question",
    "response",
    "reason",
    "message",
    "text",
    "line",
)
# What a person typed or was asked reads as a quotation, as in seed 003 §4.2.
QUOTED_FIELDS = frozenset({"prompt", "question", "response"})
MAX_EVENT_CHARS = 2000


def event_body(content: dict[str, Any]) -> str:
    """The event's content as display lines (made safe), main field first; empty when none.

    The whole object is masked first, so values under credential-named keys are hidden too.
    """
    masked = mask_structure(content)
    if not isinstance(masked, dict):  # the masker hid the whole object
        return neutralise(str(masked))
    main = next((key for key in MAIN_FIELDS if key in masked), None)
    lines: list[str] = []
    if main is not None:
        text = neutralise(_as_text(masked[main]))
        lines.append(f'"{text}"' if main in QUOTED_FIELDS else text)
    for key, value in masked.items():
        if key != main:
            lines.append(f"{neutralise(str(key))}: {neutralise(_as_text(value))}")
    return "\n".join(lines)


def _as_text(value: Any) -> str:
    """Strings as they are, lists of scalars comma-separated, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value) if value else "(none)"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # e.g. a cycle; still show something, made safe by the caller
        return repr(value)


def cut_body(body: str, task_id: str, limit: int = MAX_EVENT_CHARS) -> str:
    """Cut an over-long body, saying how much was left out and how to see all of it.

    The body is already masked, so the cut can never leave a secret half-recognised.
    """
    if len(body) <= limit:
        return body
    rest = len(body) - limit
    return (
        f"{body[:limit]}\n... ({rest} more characters; "
        f"see pm-runner logs show {safe_str(task_id)} --json --full)"
    )
