"""Text as it reads once unwrapped, with the way back to the wrapped positions.

A secret can be written so no rule sees it: inside a shell-quoted command line where each
quote became `'"'"'` (or `'\\''`), or in JSON output whose characters are `\\uXXXX` escapes.
The masker also looks at these views of the text; a match found in a view is mapped back
to the characters of the original text that spell it, and those are masked.

Only the lines around a wrapping need unwrapping: a view covers whole lines, from the line
before the first wrapped one to the line after the last, joined with the next such region
when that starts within `REGION_GAP` characters. A match that touches a region's edge may
continue past it; the engine then searches the whole text's view instead (`whole`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_SHELL_QUOTES = re.compile(r"'\"'\"'|'\\''")
_JSON_ESCAPES = re.compile(r"\\u([0-9A-Fa-f]{4})|\\/")
REGION_GAP = 4096  # closer regions are joined: fewer, larger views cost less per character


@dataclass(frozen=True)
class View:
    """`text` as unwrapped, and for each piece where it starts in the view and the original."""

    text: str
    view_starts: list[int]
    original_starts: list[int]
    original_length: int
    kind: str = "json"  # "shell" or "json"
    offset: int = 0  # where the unwrapped region starts in the original text

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that spell view characters `start` to `end`."""
        return (self.offset + self._to_original(start, left=True),
                self.offset + self._to_original(end, left=False))

    def cut_short(self, start: int, end: int, total: int) -> bool:
        """True when a match from `start` to `end` touches an edge of this region that is not
        an edge of the original text (of length `total`): it may continue past it."""
        return (start == 0 and self.offset > 0) or (
            end >= len(self.text) and self.offset + self.original_length < total)

    def _to_original(self, pos: int, *, left: bool) -> int:
        index = bisect.bisect_right(self.view_starts, pos) - 1
        if index < 0:
            return pos
        offset = pos - self.view_starts[index]
        piece_end = self.view_starts[index + 1] if index + 1 < len(self.view_starts) else None
        original = self.original_starts[index]
        next_original = (self.original_starts[index + 1] if index + 1 < len(self.original_starts)
                         else self.original_length)
        if piece_end is not None and piece_end - self.view_starts[index] == 1 \
                and next_original - original > 1:
            # a replaced escape: one view character for several original ones
            return original if left or offset == 0 else next_original
        return min(original + offset, next_original)


def views(text: str) -> list[View]:
    """The unwrapped views of the whole of `text` (none for ordinary text)."""
    found = []
    if "'\"'\"'" in text or "'\\''" in text:
        found.append(whole(text, "shell"))
    if "\\u" in text or "\\/" in text:
        found.append(whole(text, "json"))
    return found


def whole(text: str, kind: str) -> View:
    """The view of the whole text of one kind of wrapping."""
    return _build(text, kind, 0, len(text))


def views_near(text: str, shell_at: Sequence[int], escapes_at: Sequence[int]) -> list[View]:
    """Views of the regions around the given (sorted) positions of each kind of wrapping."""
    return [_build(text, kind, start, end)
            for kind, positions in (("shell", shell_at), ("json", escapes_at))
            for start, end in regions(text, positions)]


def regions(text: str, positions: Sequence[int]) -> list[tuple[int, int]]:
    """Whole lines around each position, from the line before to the line after, joined when
    closer than `REGION_GAP`. Each line is looked at at most twice."""
    found: list[tuple[int, int]] = []
    last_line = 0  # where the newest region's last line starts
    for pos in positions:
        if found and pos < last_line:
            continue  # a line with the line after it already inside the region
        if found and pos <= found[-1][1]:  # on the region's last line: take the next one too
            start, line_end = found[-1][0], found[-1][1]
        else:
            line_start = text.rfind("\n", 0, pos) + 1
            start = text.rfind("\n", 0, line_start - 1) + 1 if line_start else 0
            line_end = _line_end(text, pos)
        end = _line_end(text, line_end + 1)
        last_line = line_end + 1
        if found and start - found[-1][1] < REGION_GAP:
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return found


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", min(pos, len(text)))
    return len(text) if end == -1 else end


def _decode_escape(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return "/"
    char = chr(int(match.group(1), 16))
    return char if not 0xD800 <= ord(char) <= 0xDFFF else "\ufffd"


_KINDS: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = {
    "shell": (_SHELL_QUOTES, lambda match: "'"), "json": (_JSON_ESCAPES, _decode_escape)}


def _build(text: str, kind: str, region_start: int, region_end: int) -> View:
    pattern, replace = _KINDS[kind]
    pieces: list[str] = []
    view_starts: list[int] = []
    original_starts: list[int] = []
    view_pos = 0
    done = region_start
    for match in pattern.finditer(text, region_start, region_end):
        if match.start() > done:  # unchanged text before the escape
            view_starts.append(view_pos)
            original_starts.append(done - region_start)
            pieces.append(text[done:match.start()])
            view_pos += match.start() - done
        replacement = replace(match)
        view_starts.append(view_pos)
        original_starts.append(match.start() - region_start)
        pieces.append(replacement)
        view_pos += len(replacement)
        done = match.end()
    if done < region_end:
        view_starts.append(view_pos)
        original_starts.append(done - region_start)
        pieces.append(text[done:region_end])
    return View("".join(pieces), view_starts, original_starts, region_end - region_start, kind, region_start)
