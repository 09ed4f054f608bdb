"""The masking pass over one text: exact env values, then the rule table, then an open private key.

The rules all run on the same text and their matches are joined, so one rule's match that
swallows the start of another secret cannot hide that secret from the rule that finds it.

`mask_text` here works on a text of any size in one pass; `runner.logs.masking` is the
public face and routes very large texts through the stream masker's bounded windows.
"""

from __future__ import annotations

import re

from runner.logs.masking.env import env_secrets
from runner.logs.masking.rules import (
    HEADER_RE,
    MASK_RULES,
    PRIVATE_KEY_MARKER,
    PRIVATE_KEY_RULE,
    MaskRule,
    Scan,
)

MASKING_ERROR = "[MASKING_ERROR: content_hidden]"


def mask_text(text: str) -> str:
    """Every layer, in order; any failure yields `MASKING_ERROR`, never the original text."""
    try:
        return _mask(text)
    except Exception:  # fail closed: whatever went wrong, the input must not come back
        return MASKING_ERROR


# `task-` holds the OpenAI trigger `sk-`, and task ids are everywhere; the OPENAI_KEY guard
# rejects `sk-` after a plain letter anyway (and `a` after `t` is no escape's end).
_TRIGGER_REGEX = {"sk-": "(?<!ta)sk-"}
_trigger_cache: dict[int, re.Pattern[str]] = {}


def _any_trigger(rules: tuple[MaskRule, ...]) -> re.Pattern[str]:
    """One search for every literal some layer needs: a rule trigger, a key header, a marker.

    Every rule match holds one of its rule's triggers (pinned by the trigger-shortcut
    property tests), so a text with none of them, no env value and no `BEGIN` needs no work.
    """
    pattern = _trigger_cache.get(id(rules))
    if pattern is None:
        literals = {trigger for rule in rules for trigger in rule.triggers} | {"begin", "[masked:"}
        ordered = sorted(literals, key=len, reverse=True)
        pattern = re.compile("|".join(_TRIGGER_REGEX.get(t, re.escape(t)) for t in ordered))
        _trigger_cache.clear()
        _trigger_cache[id(rules)] = pattern
    return pattern


def _mask(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError("mask_text expects a str")
    lowered = lowercase(text)
    env_hits = env_secrets().matches(text)
    if not env_hits and _any_trigger(MASK_RULES).search(lowered) is None:
        return text  # the common case: short ids, timestamps, ordinary output lines
    # Cut at an unterminated key header first: a rule whose match covers the header line
    # (`password: -----BEGIN ...`) must not hide the header and so let the key body through.
    open_at = _open_key_start(text)
    tail = "" if open_at is None else PRIVATE_KEY_MARKER
    if open_at is not None:  # lowercase() keeps positions, so the copies cut alike
        text, lowered = text[:open_at], lowered[:open_at]
        env_hits = [hit for hit in env_hits if hit[1] <= open_at]
    pieces: list[str] = []
    done = 0
    for start, end, marker in _intervals(text, lowered=lowered, env_hits=env_hits):
        pieces += (text[done:start], marker)
        done = end
    pieces.append(text[done:])
    text = "".join(pieces)
    for rule in MASK_RULES:
        if rule.then is not None and rule.marker in text:
            text = rule.then.sub(rule.marker, text)
    return text + tail


def _intervals(text: str, margin: int = 0, *, lowered: str | None = None,
               env_hits: list[tuple[int, int, str]] | None = None) -> list[tuple[int, int, str]]:
    """Every env value and rule match in `text`, overlapping ones joined, with one marker each.

    Everything is found in the same text and then joined, so one match cannot hide another
    secret: an env value inside a longer token (`AIza<value>...`) still lets GOOGLE_KEY see
    the whole token, and a value that swallowed the next secret's name
    (`--password=password: x`) still lets GENERIC_SECRET find that secret. A joined span
    is named after its first layer: an env value, else the first rule in table order.
    """
    index = _TriggerIndex(text, lowered)
    hits = env_secrets().matches(text) if env_hits is None else env_hits
    ranked = [(start, end, -1, marker) for start, end, marker in hits]
    ranked += [(start, end, order, rule.marker)
               for order, rule in enumerate(MASK_RULES) for start, end in index.spans(rule)]
    merged: list[tuple[int, int, int, str]] = []
    for start, end, rank, marker in sorted(ranked):
        start, end = max(start - margin, 0), min(end + margin, len(text))
        if merged and start < merged[-1][1]:
            last = merged[-1]
            best = (rank, marker) if rank < last[2] else (last[2], last[3])
            merged[-1] = (last[0], max(last[1], end), *best)
        else:
            merged.append((start, end, rank, marker))
    return [(start, end, marker) for start, end, _, marker in merged]


def lowercase(text: str) -> str:
    """`text` lowercased with every position still lined up (for ASCII-only patterns).

    `İ` is the one character whose lowercase is two characters; it is swapped for `ı`
    (also not ASCII) first. The Kelvin sign becomes `k`, which can only add matches.
    """
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.replace("\u0130", "\u0131").lower()


class _TriggerIndex:
    """One text, its lowercased copy, and where the triggers occur (shared by the rules).

    A line-confined rule run on just its trigger lines, or tried just at its triggers,
    finds what it would find scanning the whole text: a guard sees the same nothing-before
    at a line start as after a newline, and an ANCHORED match can start nowhere else.
    """

    def __init__(self, text: str, lowered: str | None = None) -> None:
        self.text = text
        self._lowered = lowercase(text) if lowered is None else lowered
        self._cache: dict[str, list[int]] = {}  # trigger -> every position, shared by rules

    def spans(self, rule: MaskRule) -> list[tuple[int, int]]:
        """Where `rule` matches this text, in order and without overlaps."""
        if rule.scan is Scan.WHOLE:
            return rule.spans(self.text, self._lowered)
        if rule.scan is Scan.ANCHORED:
            return self._anchored_spans(rule)
        regions: list[tuple[int, int]] = []
        for trigger in rule.triggers:
            regions += self._trigger_lines(trigger)
        found: list[tuple[int, int]] = []
        for start, end in _merge(regions):
            found += rule.spans(self.text, self._lowered, start, end)
        return found

    def _anchored_spans(self, rule: MaskRule) -> list[tuple[int, int]]:
        starts = sorted({hit for trigger in rule.triggers for hit in self._hits(trigger)})
        found: list[tuple[int, int]] = []
        done = line_end = 0
        for start in starts:
            if start < done:
                continue
            if start >= line_end:  # positions rise, so each line end is searched for once
                line_end = self._lowered.find("\n", start)
                line_end = len(self._lowered) if line_end == -1 else line_end
            span = rule.match_at(self.text, self._lowered, start, line_end, done)
            if span is not None:
                found.append(span)
                done = span[1]
        return found

    def _hits(self, trigger: str) -> list[int]:
        cached = self._cache.get(trigger)
        if cached is None:
            cached, hit = [], self._lowered.find(trigger)
            while hit != -1:
                cached.append(hit)
                hit = self._lowered.find(trigger, hit + 1)
            self._cache[trigger] = cached
        return cached

    def _trigger_lines(self, trigger: str) -> list[tuple[int, int]]:
        """The lines holding `trigger`; each search resumes after the line found."""
        lowered, spans = self._lowered, []
        hit = lowered.find(trigger)
        while hit != -1:
            end = lowered.find("\n", hit)
            end = len(lowered) if end == -1 else end
            spans.append((lowered.rfind("\n", 0, hit) + 1, end))
            hit = lowered.find(trigger, end)
        return spans


def _open_key_start(text: str) -> int | None:
    """Where the first private-key header that no footer closes starts, if there is one."""
    if "BEGIN" not in text:
        return None
    pos = 0
    while (header := HEADER_RE.search(text, pos)) is not None:
        block = PRIVATE_KEY_RULE.pattern.match(text, header.start())
        if block is None:
            return header.start()
        pos = block.end()
    return None


def has_open_private_key(text: str) -> bool:
    """True when `text` holds a private-key header that no footer in `text` closes."""
    return _open_key_start(text) is not None


def find_spans(rule: MaskRule, text: str) -> list[tuple[int, int]]:
    """Where one rule matches `text`, found the way the engine finds it (see `Scan`)."""
    return _TriggerIndex(text).spans(rule)


def secret_intervals(text: str, margin: int = 0) -> list[tuple[int, int]]:
    """Merged, sorted spans of `text` that some layer would mask, each widened by `margin`.

    The stream masker cuts an over-long line only outside these, so no secret is split
    between two masked pieces nor cut off from the context its rule looks at (the `://`
    before a URL password).
    """
    return [(start, end) for start, end, _ in _intervals(text, margin)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined (touching ones stay apart)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
