"""Text as it reads once unwrapped, with the way back to the wrapped positions.

A secret can be written so no rule sees it: inside a shell-quoted command line where each
quote became `'"'"'` (or `'\\''`), or in JSON output whose characters are `\\uXXXX` escapes.
The masker also looks at these views of the text; a match found in a view is mapped back
to the characters of the original text that spell it, and those are masked.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_SHELL_QUOTES = re.compile(r"'\"'\"'|'\\''")
_JSON_ESCAPES = re.compile(r"\\u([0-9A-Fa-f]{4})|\\/")


@dataclass(frozen=True)
class View:
    """`text` as unwrapped, and for each piece where it starts in the view and the original."""

    text: str
    view_starts: list[int]
    original_starts: list[int]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that spell view characters `start` to `end`."""
        return self._to_original(start, left=True), self._to_original(end, left=False)

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


def views(text: str, *, shell: bool | None = None, escapes: bool | None = None) -> list[View]:
    """The unwrapped views `text` has (none for ordinary text). `shell` and `escapes` say
    whether the text holds shell-quoted quotes or JSON escapes, when the caller knows."""
    found = []
    if shell if shell is not None else ("'\"'\"'" in text or "'\\''" in text):
        found.append(_build(text, _SHELL_QUOTES, lambda match: "'"))
    if escapes if escapes is not None else ("\\u" in text or "\\/" in text):
        found.append(_build(text, _JSON_ESCAPES, _decode_escape))
    return found


def _decode_escape(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return "/"
    char = chr(int(match.group(1), 16))
    return char if not 0xD800 <= ord(char) <= 0xDFFF else "\ufffd"


def _build(text: str, pattern: re.Pattern[str], replace: object) -> View:
    pieces: list[str] = []
    view_starts: list[int] = []
    original_starts: list[int] = []
    view_pos = done = 0
    for match in pattern.finditer(text):
        if match.start() > done:  # unchanged text before the escape
            view_starts.append(view_pos)
            original_starts.append(done)
            pieces.append(text[done:match.start()])
            view_pos += match.start() - done
        replacement = replace(match)  # type: ignore[operator]
        view_starts.append(view_pos)
        original_starts.append(match.start())
        pieces.append(replacement)
        view_pos += len(replacement)
        done = match.end()
    if done < len(text):
        view_starts.append(view_pos)
        original_starts.append(done)
        pieces.append(text[done:])
    return View("".join(pieces), view_starts, original_starts, len(text))
