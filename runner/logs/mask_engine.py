"""The masking pass over one text: exact env values, then the rule table, then an open private key.

`mask_text` here works on a text of any size in one pass; `runner.logs.masking` is the
public face and routes very large texts through the stream masker's bounded windows.
"""

from __future__ import annotations

from runner.logs.mask_env import env_secrets
from runner.logs.mask_rules import HEADER_RE, MASK_RULES, PRIVATE_KEY_MARKER, PRIVATE_KEY_RULE

MASKING_ERROR = "[MASKING_ERROR: content_hidden]"


def mask_text(text: str) -> str:
    """Every layer, in order; any failure yields `MASKING_ERROR`, never the original text."""
    try:
        return _mask(text)
    except Exception:  # fail closed: whatever went wrong, the input must not come back
        return MASKING_ERROR


def _mask(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError("mask_text expects a str")
    text = env_secrets().apply(text)
    # One lowercase copy serves every rule's pre-check. Substitutions only remove text or
    # add markers, so a stale copy can run a rule needlessly but never skip a needed one.
    lowered = text.lower()
    for rule in MASK_RULES:
        if rule.may_match(lowered):
            text = rule.pattern.sub(rule.marker, text)
    return _mask_open_private_key(text)


def _mask_open_private_key(text: str) -> str:
    """A private-key header with no footer left after the rules: secret to the end of the text."""
    if "BEGIN" not in text:
        return text
    header = HEADER_RE.search(text)
    return text if header is None else text[: header.start()] + PRIVATE_KEY_MARKER


def has_open_private_key(text: str) -> bool:
    """True when `text` holds a private-key header that no footer in `text` closes."""
    if "BEGIN" not in text:
        return False
    return HEADER_RE.search(PRIVATE_KEY_RULE.pattern.sub(PRIVATE_KEY_MARKER, text)) is not None


def secret_intervals(text: str) -> list[tuple[int, int]]:
    """Merged, sorted spans of `text` that some layer would mask, each rule run on the raw text.

    The stream masker cuts an over-long line only outside these spans, so no secret is
    ever split between two separately masked pieces.
    """
    spans = env_secrets().spans(text)
    lowered = text.lower()
    for rule in MASK_RULES:
        if rule.may_match(lowered):
            spans.extend(match.span() for match in rule.pattern.finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
