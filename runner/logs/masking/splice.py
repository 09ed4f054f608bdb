"""Putting a masked text together: each span replaced by its marker, then the table's `then` rules.

Both steps cost in proportion to the spans and markers, not to the text: a megabyte of output
with a few hundred secrets is copied once, and a `then` rule (`{[MASKED:JSON_CREDENTIAL]}` →
`[MASKED:JSON_CREDENTIAL]`) runs only on the lines that hold its marker. That is exact because
every match of a `then` pattern holds the rule's own marker and stays on one line — which
`line_local` checks of each pattern; a pattern that might not is run over the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from runner.logs.masking.table import MaskRule

ONE_MARKER = "[MASKED:PRIVATE_KEY]"  # a key block is one marker, however many lines it had
_SMALL = 4096  # below this a `then` pattern simply runs over the whole text
# Pattern pieces that may match a line break or look past a line's ends (any character, a negated
# class, whitespace classes, escapes of a newline, anchors): a pattern holding one is not line-local.
_MAY_CROSS_LINES = re.compile(r"\\[nsSWDAZ]|\\x0a|\\u000a|\\012|(?<!\\)[.^$]|\[\^", re.IGNORECASE)


def splice(text: str, spans: Iterable[tuple[int, int, str]], then_rules: Sequence[MaskRule]) -> str:
    """`text` with each (start, end, marker) span replaced by its marker — once per line the
    span runs over, so the text keeps its line breaks (except a private key: one marker) —
    and then `apply_then`. Spans are sorted and do not overlap."""
    pieces: list[str] = []
    done = 0
    for start, end, marker in spans:
        breaks = text.count("\n", start, end) if marker != ONE_MARKER else 0
        pieces += (text[done:start], "\n".join([marker] * (breaks + 1)) if breaks else marker)
        done = end
    pieces.append(text[done:])
    return apply_then("".join(pieces), then_rules)


def apply_then(masked: str, then_rules: Sequence[MaskRule]) -> str:
    """Each rule's `then` substitution (the match becomes the rule's marker), in table order."""
    for rule in then_rules:
        if rule.then is not None and rule.marker in masked:
            if len(masked) < _SMALL or not line_local(rule):
                masked = rule.then.sub(rule.marker, masked)
            else:
                masked = _sub_on_marked_lines(rule.then, rule.marker, masked)
    return masked


def line_local(rule: MaskRule) -> bool:
    """Whether every match of the rule's `then` pattern holds its marker and no line break:
    the marker is written out in the pattern with no group or alternative that could leave it
    out, and nothing in the pattern can match a newline or look past a line's ends."""
    return _line_local(rule.then_source or "", rule.marker)


@lru_cache(maxsize=64)  # asked once per masked block of the stream: the answer depends on the two strings only
def _line_local(source: str, marker_text: str) -> bool:
    marker = re.escape(marker_text)
    return (marker in source and source[source.index(marker) + len(marker):][:1] not in ("?", "*", "{")
            and "|" not in source and "(" not in source and _MAY_CROSS_LINES.search(source) is None)


def _sub_on_marked_lines(pattern: re.Pattern[str], marker: str, text: str) -> str:
    """`pattern.sub(marker, text)` for a line-local pattern, run only on the lines holding `marker`."""
    pieces: list[str] = []
    done = 0
    at = text.find(marker)
    while at != -1:
        start = text.rfind("\n", done, at) + 1  # `done` is 0 or a line break, so never before it
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        pieces += (text[done:start], pattern.sub(marker, text[start:end]))
        done = end
        at = text.find(marker, end)
    pieces.append(text[done:])
    return "".join(pieces)
