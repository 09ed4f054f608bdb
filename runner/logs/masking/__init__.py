"""Secret masking, the public API (DESIGN §6): applied when saving and again when displaying.

Layers, in order: exact values of sensitive environment variables, the rule table
(`rules.toml`, built by `runner.logs.masking.table`), then anything after an unterminated
private-key header. Masking never fails open: an internal error yields `MASKING_ERROR`,
never the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping
from functools import lru_cache
from typing import Any

from runner.logs.masking.engine import MASKING_ERROR
from runner.logs.masking.engine import mask_text_counted as _mask_whole_counted
from runner.logs.masking.env import reset_env_secrets
from runner.logs.masking.memo import SHORT_CHARS, ShortResults, remember, short_results
from runner.logs.masking.rules import MaskRule, Priority
from runner.logs.masking.stream import StreamMasker, mask_in_windows

__all__ = [
    "JSON_CREDENTIAL_MARKER", "MASKING_ERROR", "MASK_RULES", "MaskRule", "Priority",
    "StreamMasker", "find_secret", "is_credential_key", "mask_and_truncate", "mask_lines", "mask_obj",
    "mask_text", "mask_text_counted", "mask_texts", "reset_env_secrets",
]

MaskCounts = MutableMapping[str, int]
"""How many values each rule masked: `{"OPENAI_KEY": 1, "ENV_GITHUB_TOKEN": 2}`."""
_MARKER = re.compile(r"\[MASKED:([A-Z0-9_]+)\]")


def __getattr__(name: str) -> Any:
    if name == "MASK_RULES":  # the table loads on first use, not at import
        from runner.logs.masking.engine import rules  # noqa: PLC0415
        return rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    if type(text) is str and len(text) <= SHORT_CHARS:
        return _short_result(text, short_results())[0]
    return mask_text_counted(text)[0]


def mask_texts(texts: Iterable[str]) -> list[str]:
    """`[mask_text(text) for text in texts]`, with one look at the memo's generation for them all."""
    memo = short_results()
    return [_short_result(text, memo)[0] if type(text) is str and len(text) <= SHORT_CHARS
            else mask_text_counted(text)[0] for text in texts]


def mask_text_counted(text: str) -> tuple[str, Counter[str]]:
    """The masked text and how many values each rule (or `ENV_<NAME>`) masked in it."""
    if isinstance(text, str) and len(text) > WINDOWED_ABOVE:
        masked = mask_in_windows(text)
        return masked, Counter(_MARKER.findall(masked)) - Counter(_MARKER.findall(text))
    if type(text) is str and len(text) <= SHORT_CHARS:  # exactly str: a subclass may redefine equality
        return _mask_short(text, short_results())
    return _mask_whole_counted(text)


def _mask_short(text: str, memo: ShortResults) -> tuple[str, Counter[str]]:
    """A short string masked through `memo`: the same answer as masking it again."""
    masked, counts = _short_result(text, memo)
    return masked, Counter(counts)  # a copy: the caller may change it


def _short_result(text: str, memo: ShortResults) -> tuple[str, Mapping[str, int]]:
    """`_mask_short`'s answer without the copy of its counts, for callers that only read them."""
    known = memo.get(text)
    if known is None:
        masked, counts = _mask_whole_counted(text)
        if "MASKING_ERROR" in counts:
            return masked, counts  # a failure is never remembered: the next call tries again
        known = remember(memo, text, masked, counts)
    return known


def find_secret(text: str) -> str | None:
    """The rule that would mask something in `text` (`"ANTHROPIC_KEY"`, `"ENV_GITHUB_TOKEN"`),
    or None. For refusing a secret typed where it does not belong (a `/model` value); it
    never returns or echoes the secret itself."""
    _, counts = mask_text_counted(text)
    return next(iter(counts), None)


def mask_lines(lines: list[str]) -> list[str]:
    """Mask many short strings (file names) in one pass over their newline-joined text.

    Every rule treats a newline as a boundary, so each line is masked as it would be alone; when a
    match spans lines (or a line holds a newline) the line count would change, and each string is
    masked on its own instead. Never fails open.
    """
    return _mask_lines_counted(lines)[0]


def _mask_lines_counted(lines: list[str]) -> tuple[list[str], Counter[str]]:
    if len(lines) < 2 or any("\n" in line for line in lines):
        return _mask_each(lines)
    joined = "\n".join(lines)
    masked, counts = mask_text_counted(joined)
    if masked == joined:
        return list(lines), counts
    pieces = masked.split("\n")
    return (pieces, counts) if len(pieces) == len(lines) else _mask_each(lines)


def _mask_each(lines: list[str]) -> tuple[list[str], Counter[str]]:
    counts: Counter[str] = Counter()
    masked = []
    for line in lines:
        text, found = mask_text_counted(line)
        counts.update(found)
        masked.append(text)
    return masked, counts


# Keys that end like a credential but name none: the agent's own session id (its text is still masked).
_NOT_CREDENTIAL_KEYS = frozenset({"resume_token"})


def is_credential_key(key: str) -> bool:
    """True for a mapping key naming a credential: `password`, `api_key`, `clientSecret`, `X-Auth-Token`.

    The secret word must end the name, so `token_count` and `max_tokens` are not credentials, and
    `resume_token` (an agent's session id, shown so a user can resume it) is not either.
    """
    return _names_credential(key)


@lru_cache(maxsize=4096)  # a pure function of the key, and event keys repeat ("stream", "line")
def _names_credential(key: str) -> bool:
    words = _CAMEL_BOUNDARY.sub("_", key.strip())
    normal = re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")
    return normal not in _NOT_CREDENTIAL_KEYS and bool(_CREDENTIAL_KEY.search(normal))


def mask_obj(obj: Any, counts: MaskCounts | None = None) -> Any:
    """Mask a JSON-like structure: dict keys and values, lists, tuples, sets, strings, bytes.

    The value under a credential-looking key is replaced whole by `[MASKED:JSON_CREDENTIAL]`
    (every string or number inside it, if it is a container). Numbers, booleans and None
    elsewhere pass through unchanged. Any failure yields `MASKING_ERROR`. When `counts` is
    given, how many values each rule masked is added to it.
    """
    found: Counter[str] = Counter()
    try:
        result = _mask_value(obj, hidden=False, counts=found, memo=short_results())
    except Exception:  # fail closed (a cycle or absurd nesting ends here too)
        result, found = MASKING_ERROR, Counter({"MASKING_ERROR": 1})
    if counts is not None:
        for rule, number in found.items():
            counts[rule] = counts.get(rule, 0) + number
    return result


def _mask_value(obj: Any, *, hidden: bool, counts: Counter[str], memo: ShortResults) -> Any:
    if isinstance(obj, str):
        if hidden:
            counts["JSON_CREDENTIAL"] += bool(obj)
            return JSON_CREDENTIAL_MARKER if obj else obj
        short = type(obj) is str and len(obj) <= SHORT_CHARS
        masked, found = _short_result(obj, memo) if short else mask_text_counted(obj)
        if found:
            counts.update(found)
        return masked
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, int | float):
        if hidden:
            counts["JSON_CREDENTIAL"] += 1
        return JSON_CREDENTIAL_MARKER if hidden else obj
    if isinstance(obj, bytes):
        decoded = obj.decode("utf-8", "surrogateescape")
        return _mask_value(decoded, hidden=hidden, counts=counts, memo=memo).encode("utf-8", "surrogateescape")
    if isinstance(obj, dict):
        return _mask_dict(obj, hidden=hidden, counts=counts, memo=memo)
    if not hidden and type(obj) in (list, tuple) and obj and all(isinstance(item, str) for item in obj):
        names, found = _mask_lines_counted(list(obj))  # a list of names: one pass
        counts.update(found)
        return type(obj)(names)
    for kind in (list, tuple, set, frozenset):  # subclasses (named tuples) come back as the base type
        if isinstance(obj, kind):
            return kind(_mask_value(item, hidden=hidden, counts=counts, memo=memo) for item in obj)
    return obj


def _mask_dict(obj: dict[Any, Any], *, hidden: bool, counts: Counter[str], memo: ShortResults) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key, value in obj.items():
        secret = hidden or (isinstance(key, str) and is_credential_key(key))
        safe_key = _mask_value(key, hidden=False, counts=counts, memo=memo) if isinstance(key, str) else key
        # Two keys can mask to the same text; keep both values rather than drop one.
        candidate, suffix = safe_key, 2
        while candidate in result:
            candidate, suffix = f"{safe_key}#{suffix}", suffix + 1
        result[candidate] = _mask_value(value, hidden=secret, counts=counts, memo=memo)
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
