"""The masking pass over one text: exact env values, then the rule table, then an open private key.

`mask_text` here works on a text of any size in one pass; `runner.logs.masking` is the
public face and routes very large texts through the stream masker's bounded windows.
"""

from __future__ import annotations

from runner.logs.mask_env import env_secrets
from runner.logs.mask_rules import (
    HEADER_RE,
    MASK_RULES,
    PRIVATE_KEY_MARKER,
    PRIVATE_KEY_RULE,
    MaskRule,
)

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
    index = _TriggerIndex(text)
    for rule in MASK_RULES:
        masked = _apply(rule, text, index)
        if masked is not text:
            text, index = masked, _TriggerIndex(masked)
    return _mask_open_private_key(text)


def _apply(rule: MaskRule, text: str, index: _TriggerIndex) -> str:
    """`rule` over `text`; returns `text` itself (the same object) when nothing matched."""
    regions = index.regions(rule)
    if regions is None:
        return rule.pattern.sub(rule.marker, text)
    pieces: list[str] = []
    done = 0
    for start, end in regions:
        masked, count = rule.pattern.subn(rule.marker, text[start:end])
        if count:
            pieces += (text[done:start], masked)
            done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


class _TriggerIndex:
    """Which lines of one text hold which trigger, found with `str.find` and shared by rules.

    A line-confined rule run on just its trigger lines gives the same result as on the
    whole text: a guard sees the same nothing-before at a line start as after a newline.
    """

    def __init__(self, text: str) -> None:
        self._lowered = text.lower()
        # Lowercasing can change lengths (rare Unicode); positions would then not fit `text`.
        self._aligned = len(self._lowered) == len(text)
        self._lines: dict[str, list[tuple[int, int]]] = {}

    def regions(self, rule: MaskRule) -> list[tuple[int, int]] | None:
        """Spans to run `rule` on, or None for the whole text."""
        if rule.literal_first:
            return None
        if not self._aligned:
            return None if rule.may_match(self._lowered) else []
        spans: list[tuple[int, int]] = []
        for trigger in rule.triggers:
            spans += self._trigger_lines(trigger)
        return _merge(spans)

    def _trigger_lines(self, trigger: str) -> list[tuple[int, int]]:
        cached = self._lines.get(trigger)
        if cached is not None:
            return cached
        lowered, spans = self._lowered, []
        hit = lowered.find(trigger)
        while hit != -1:  # resume after the line found, so many hits on one line cost one step
            end = lowered.find("\n", hit)
            end = len(lowered) if end == -1 else end
            spans.append((lowered.rfind("\n", 0, hit) + 1, end))
            hit = lowered.find(trigger, end)
        self._lines[trigger] = spans
        return spans


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
    index = _TriggerIndex(text)
    for rule in MASK_RULES:
        regions = index.regions(rule)
        for start, end in [(0, len(text))] if regions is None else regions:
            spans.extend((start + m.start(), start + m.end())
                         for m in rule.pattern.finditer(text[start:end]))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined (touching ones stay apart)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
