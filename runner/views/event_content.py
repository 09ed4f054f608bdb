"""How one event's `content` object reads in the detail view (seed 003 §4.2).

The main field (a prompt, question, answer, reason, message, text or output line) is shown
on its own, quoted when it is something a person typed or was asked; every other key is
shown as `key: value`. The content object is masked as a whole, then every key and value is neutralised.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from runner.logs.masking import is_credential_key
from runner.views.safe_text import SafeStrings, is_digit_token, mask_structure, neutralise, safe_str

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


def event_body(content: dict[str, Any], shown: SafeStrings | None = None) -> str:
    """The event's content as display lines (made safe), main field first; empty when none.

    The whole object is masked first, so values under credential-named keys are hidden too.
    With `shown` (a detail view's values, masked in batches), a flat object of scalars under
    keys that name no credential and need no masking is shown value by value instead: the same text.
    """
    if shown is not None and _flat(content, shown):
        return _flat_body(content, shown)
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


_SCALARS = (str, int, float, bool, type(None))


def _flat(content: object, shown: SafeStrings) -> bool:
    """An object whose masking is its values' masking: scalar values, keys masking leaves alone
    (so no two keys merge) and that name no credential (whose values masking hides whole)."""
    return type(content) is dict and all(
        type(key) is str and type(value) in _SCALARS and shown(key) == key and not credential_key(key)
        for key, value in content.items())


@lru_cache(maxsize=512)
def credential_key(key: str) -> bool:
    """`is_credential_key`, remembered: events of one kind repeat the same few keys."""
    return is_credential_key(key)


def _flat_body(content: dict[str, Any], shown: SafeStrings) -> str:
    main = next((key for key in MAIN_FIELDS if key in content), None)
    lines: list[str] = []
    if main is not None:
        text = _shown_scalar(content[main], shown)
        lines.append(f'"{text}"' if main in QUOTED_FIELDS else text)
    lines += [f"{key}: {_shown_scalar(value, shown)}" for key, value in content.items() if key != main]
    return "\n".join(lines)


def _shown_scalar(value: object, shown: SafeStrings) -> str:
    return shown(value) if type(value) is str else neutralise(_as_text(value))


def event_strings(content: object) -> list[str]:
    """The keys and string values of a flat content object (what a detail view masks in batches)."""
    if type(content) is not dict:
        return []
    return [*content, *(value for value in content.values() if type(value) is str)]


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
    return f"{body[:limit]}\n{cut_note(len(body) - limit, task_id)}"


def cut_note(rest: int, task_id: str) -> str:
    """The line under a cut body: how many characters were left out, and how to see them."""
    shown = task_id if is_digit_token(task_id) else safe_str(task_id)
    return f"... ({rest} more characters; see pm-runner logs show {shown} --json --full)"
