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


def splice(text: str, spans: Sequence[tuple[int, int, str]], then_rules: Sequence[MaskRule],
           may_hold_markers: bool = True) -> str:
    """`text` with each (start, end, marker) span replaced by its marker — once per line the
    span runs over, so the text keeps its line breaks (except a private key: one marker) —
    and then `apply_then`. Spans are sorted and do not overlap.

    A long text holding no marker of its own, whose `then` patterns are all line-local, gets
    `then` on the rebuilt lines only (`splice_by_lines`): no second copy of the whole text.
    `may_hold_markers=False` says the caller knows there is none (the prefilter's scan looked
    for `[masked:`), which spares a search of the whole text (half a millisecond per MB)."""
    if (len(text) >= _SMALL and (not may_hold_markers or "[MASKED:" not in text)
            and all(line_local(rule) for rule in then_rules)):
        return splice_by_lines(text, spans, then_rules)
    return apply_then(_replaced(text, spans, 0, len(text)), then_rules)


def _replaced(text: str, spans: Iterable[tuple[int, int, str]], begin: int, end: int) -> str:
    """`text[begin:end]` with each span (all inside it) replaced by its marker, once per line."""
    pieces: list[str] = []
    _replace_into(pieces, text, spans, begin, end)
    return "".join(pieces)


def _replace_into(pieces: list[str], text: str, spans: Iterable[tuple[int, int, str]], begin: int, end: int) -> None:
    """`_replaced`'s pieces appended to `pieces` (a caller joining once copies the text once)."""
    done = begin
    for start, stop, marker in spans:
        breaks = text.count("\n", start, stop) if marker != ONE_MARKER else 0
        pieces += (text[done:start], "\n".join([marker] * (breaks + 1)) if breaks else marker)
        done = stop
    pieces.append(text[done:end])


def splice_by_lines(text: str, spans: Sequence[tuple[int, int, str]], then_rules: Sequence[MaskRule]) -> str:
    """`splice` for line-local `then` rules and a text holding no marker before masking: only
    the lines of the spans that share lines with a `then` rule's marker are rebuilt apart and
    given `apply_then` (without that marker no `then` can match on them); every other span is
    replaced in place, in the same one pass that copies the lines between."""
    pieces: list[str] = []
    done = index = 0
    for first, stop in _then_groups(text, spans, {rule.marker for rule in then_rules}):
        begin = max(text.rfind("\n", done, spans[first][0]) + 1, done)  # the group's first line start
        line_end = _line_end(text, spans[stop - 1][1])
        _replace_into(pieces, text, spans[index:first], done, begin)
        pieces.append(apply_then(_replaced(text, spans[first:stop], begin, line_end), then_rules))
        done, index = line_end, stop
    _replace_into(pieces, text, spans[index:], done, len(text))
    return "".join(pieces)


def _then_groups(text: str, spans: Sequence[tuple[int, int, str]], then_markers: set[str]) -> list[tuple[int, int]]:
    """(first, stop) index ranges of the spans that share lines, directly or through each
    other, with a span given a `then` rule's marker. Two neighbouring spans share a line when
    no line break lies between the end of one and the start of the next."""
    groups: list[tuple[int, int]] = []
    taken = 0  # spans before this index belong to a group already
    for marked in [at for at, span in enumerate(spans) if span[2] in then_markers]:
        if marked < taken:
            continue
        first, stop = marked, marked + 1
        while first > taken and text.find("\n", spans[first - 1][1], spans[first][0]) == -1:
            first -= 1
        while stop < len(spans) and text.find("\n", spans[stop - 1][1], spans[stop][0]) == -1:
            stop += 1
        groups.append((first, stop))
        taken = stop
    return groups


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end == -1 else end


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
