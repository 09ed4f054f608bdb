"""Secret masking, the public API (DESIGN §6): applied when saving and again when displaying.

Layers, in order: exact values of sensitive environment variables, the rule table of
`runner.logs.masking.rules`, then anything after an unterminated private-key header. Masking
never fails open: an internal error yields `MASKING_ERROR`, never the original text.
"""

from __future__ import annotations

import re
from typing import Any

from runner.logs.masking.engine import MASKING_ERROR
from runner.logs.masking.engine import mask_text as _mask_whole
from runner.logs.masking.env import reset_env_secrets
from runner.logs.masking.rules import MASK_RULES, MaskRule, Priority
from runner.logs.masking.stream import StreamMasker, mask_in_windows

__all__ = [
    "JSON_CREDENTIAL_MARKER", "MASKING_ERROR", "MASK_RULES", "MaskRule", "Priority",
    "StreamMasker", "is_credential_key", "mask_and_truncate", "mask_lines", "mask_obj", "mask_text",
    "reset_env_secrets",
]

WINDOWED_ABOVE = 4 * 1024 * 1024
"""Texts longer than this are masked in bounded windows (lines and pieces of at most 64 KiB)."""

JSON_CREDENTIAL_MARKER = "[MASKED:JSON_CREDENTIAL]"

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CREDENTIAL_KEY = re.compile(
    r"(?:^|_)(?:password|passwd|passphrase|pass|secrets?|token|api_?key|access_key|secret_key"
    r"|private_key|signing_key|encryption_key|master_key|auth_key|credentials?|authorization"
    r"|auth|cookies?|set_cookie|bearer)$"
)


def mask_text(text: str) -> str:
    """Mask every secret in `text`; never raises, and fails closed to `MASKING_ERROR`."""
    if isinstance(text, str) and len(text) > WINDOWED_ABOVE:
        return mask_in_windows(text)
    return _mask_whole(text)


def mask_lines(lines: list[str]) -> list[str]:
    """Mask many short strings (file names) in one pass over their newline-joined text.

    Every rule treats a newline as a boundary, so each line is masked as it would be alone; when a
    match spans lines (or a line holds a newline) the line count would change, and each string is
    masked on its own instead. Never fails open.
    """
    if len(lines) < 2 or any("\n" in line for line in lines):
        return [mask_text(line) for line in lines]
    joined = "\n".join(lines)
    masked = mask_text(joined)
    if masked == joined:
        return list(lines)
    pieces = masked.split("\n")
    return pieces if len(pieces) == len(lines) else [mask_text(line) for line in lines]


# Keys that end like a credential but name none: the agent's own session id (its text is still masked).
_NOT_CREDENTIAL_KEYS = frozenset({"resume_token"})


def is_credential_key(key: str) -> bool:
    """True for a mapping key naming a credential: `password`, `api_key`, `clientSecret`, `X-Auth-Token`.

    The secret word must end the name, so `token_count` and `max_tokens` are not credentials, and
    `resume_token` (an agent's session id, shown so a user can resume it) is not either.
    """
    words = _CAMEL_BOUNDARY.sub("_", key.strip())
    normal = re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")
    return normal not in _NOT_CREDENTIAL_KEYS and bool(_CREDENTIAL_KEY.search(normal))


def mask_obj(obj: Any) -> Any:
    """Mask a JSON-like structure: dict keys and values, lists, tuples, sets, strings, bytes.

    The value under a credential-looking key is replaced whole by `[MASKED:JSON_CREDENTIAL]`
    (every string or number inside it, if it is a container). Numbers, booleans and None
    elsewhere pass through unchanged. Any failure yields `MASKING_ERROR`.
    """
    try:
        return _mask_value(obj, hidden=False)
    except Exception:  # fail closed (a cycle or absurd nesting ends here too)
        return MASKING_ERROR


def _mask_value(obj: Any, *, hidden: bool) -> Any:
    if isinstance(obj, str):
        return (JSON_CREDENTIAL_MARKER if obj else obj) if hidden else mask_text(obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int | float):
        return JSON_CREDENTIAL_MARKER if hidden else obj
    if isinstance(obj, bytes):
        decoded = obj.decode("utf-8", "surrogateescape")
        return _mask_value(decoded, hidden=hidden).encode("utf-8", "surrogateescape")
    if isinstance(obj, dict):
        return _mask_dict(obj, hidden=hidden)
    if not hidden and type(obj) in (list, tuple) and obj and all(isinstance(item, str) for item in obj):
        return type(obj)(mask_lines(list(obj)))  # a list of names: one pass
    for kind in (list, tuple, set, frozenset):  # subclasses (named tuples) come back as the base type
        if isinstance(obj, kind):
            return kind(_mask_value(item, hidden=hidden) for item in obj)
    return obj


def _mask_dict(obj: dict[Any, Any], *, hidden: bool) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key, value in obj.items():
        secret = hidden or (isinstance(key, str) and is_credential_key(key))
        safe_key = mask_text(key) if isinstance(key, str) else key
        # Two keys can mask to the same text; keep both values rather than drop one.
        candidate, suffix = safe_key, 2
        while candidate in result:
            candidate, suffix = f"{safe_key}#{suffix}", suffix + 1
        result[candidate] = _mask_value(value, hidden=secret)
    return result


def mask_and_truncate(text: str, max_chars: int, marker: str = "[TRUNCATED]") -> str:
    """Mask first, then cut to `max_chars` and append `marker` (a secret is never half shown).

    A cut that would fall inside a `[MASKED:...]` marker moves to the marker's start.
    """
    masked = mask_text(text)
    if len(masked) <= max_chars:
        return masked
    cut = max(max_chars, 0)
    opening = masked.rfind("[", 0, cut)  # markers hold one "[", so this is any straddling one
    if opening != -1 and masked.startswith("[MASKED:", opening) and masked.find("]", opening) >= cut:
        cut = opening
    return masked[:cut] + marker
