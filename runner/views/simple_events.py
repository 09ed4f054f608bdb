"""Simple events of a detail view as text, column by column: most events of a long task need no work.

An event is simple when its content is a flat object of strings that display masking leaves as
they are (the view's `SafeStrings.unchanged`), its heading fits the screen and it has no masking
note. Events of one type with the same keys share a `str.format` template — the heading, then the
main field and each `key: value` under it, as `event_body` orders them — so their text is made by
C-level `map`s over columns of values, not per event. Body lines wider than the screen are found
by one search over the joined text and wrapped as `Para` wraps them (`finish`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from runner.logs.stored_task import RawEvent
from runner.views.event_content import MAIN_FIELDS, MAX_EVENT_CHARS, QUOTED_FIELDS, credential_key
from runner.views.plain import cell_len, one_cell_text, sgr, wrap

if TYPE_CHECKING:
    from runner.views.safe_text import SafeStrings

INDENT = "    "  # under an event's heading: its body and its masking note
Plan = tuple[str | None, tuple[str, ...]]  # (main field, the other keys in order)
_Shape = tuple[str, int, str | None]  # (template, longest text whose body is not cut, lone main field)
_CLOCK = slice(11, 19)  # HH:MM:SS of a stamp in the store's form (`stored_task.stored_form` checked it)


class Shapes:
    """Templates of simple events by (event type, content keys), at one width and colour."""

    def __init__(self, shown: SafeStrings, styles: dict[str, str], width: int, color: bool) -> None:
        self.shown, self.styles, self.width, self.color = shown, styles, width, color
        self._plans: dict[tuple[str, ...], Plan | None] = {}
        self._shapes: dict[tuple[str, tuple[str, ...]], _Shape | None] = {}

    def plan(self, keys: tuple[str, ...]) -> Plan | None:
        """(main field, other keys) when every key is shown as it is and names no credential (`_flat`'s rule)."""
        if keys not in self._plans:
            plan = None
            if all(self.shown(key) == key and not credential_key(key) for key in keys):
                main = next((key for key in MAIN_FIELDS if key in keys), None)
                plan = (main, tuple(key for key in keys if key != main))
            self._plans[keys] = plan
        return self._plans[keys]

    def shape(self, kind: str, keys: tuple[str, ...]) -> _Shape | None:
        if (kind, keys) not in self._shapes:
            self._shapes[kind, keys] = self._make(kind, keys)
        return self._shapes[kind, keys]

    def _make(self, kind: str, keys: tuple[str, ...]) -> _Shape | None:
        shown = self.shown(kind)
        plan = self.plan(keys)
        if plan is None or cell_len(f"  [00:00:00] {shown}") > self.width or shown != shown.rstrip():
            return None  # a heading that does not fit is folded by the general path
        tail = sgr(shown, self.styles.get(kind, "bold")) if self.color else shown
        main, rest = plan
        body = [] if main is None else [_field(keys, main, quoted=main in QUOTED_FIELDS)]
        body += [f"{_literal(key)}: {_field(keys, key)}" for key in rest]
        template = f"  [{{0}}] {_literal(tail)}" + "".join(f"\n{INDENT}{part}" for part in body)
        empty = [""] * (len(keys) + 1)
        overhead = len(template.format(*empty)) - len("\n".join(part.format(*empty) for part in body))
        lone = main if main is not None and main not in QUOTED_FIELDS and not rest else None
        return template, MAX_EVENT_CHARS + overhead + len("00:00:00"), lone


def _field(keys: tuple[str, ...], key: str, *, quoted: bool = False) -> str:
    place = f"{{{keys.index(key) + 1}}}"  # argument 0 is the clock, then the values in the content's order
    return f'"{place}"' if quoted else place


def _literal(text: str) -> str:
    """`text` as literal text of a `str.format` template."""
    return text.replace("{", "{{").replace("}", "}}")


def simple_texts(events: list[RawEvent], shapes: Shapes) -> list[str | None]:
    """Each event's heading and body lines (not yet wrapped), or None where the general path shows it."""
    texts: list[str | None] = [None] * len(events)
    contents = list(map(itemgetter("content"), events))
    shape_of = list(zip(map(itemgetter("event_type"), events), map(tuple, contents), strict=True))
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for key, run in groupby(range(len(events)), shape_of.__getitem__):  # runs of one shape, found in C
        groups.setdefault(key, []).extend(run)
    clocks = [stamp[_CLOCK] for stamp in map(itemgetter("timestamp"), events)]
    unchanged = shapes.shown.unchanged
    for (kind, keys), indexes in groups.items():
        shape = shapes.shape(kind, keys)
        if shape is None:
            continue
        template, longest, lone = shape
        grouped = list(map(contents.__getitem__, indexes))
        columns = [list(map(itemgetter(key), grouped)) for key in keys]
        made = list(map(template.format, map(clocks.__getitem__, indexes), *columns))
        for index, text in zip(indexes, made, strict=True):
            texts[index] = text
        refused = _refused(indexes, columns, unchanged, keys.index(lone) if lone is not None else None)
        if max(map(len, made)) > longest:  # a body over MAX_EVENT_CHARS is cut by the general path
            refused += [index for index, text in zip(indexes, made, strict=True) if len(text) > longest]
        for index in refused:
            texts[index] = None
    for index in [index for index, event in enumerate(events) if "masked" in event]:
        texts[index] = _with_note(texts[index], events[index]["masked"], shapes)
    return texts


def _with_note(text: str | None, masked: dict[str, int], shapes: Shapes) -> str | None:
    """The event's text with its masking note (what was hidden, by which rule) under the body; in colour
    the note is dim, which the general path draws."""
    if text is None or not masked:
        return text
    note = shapes.shown("masked: " + ", ".join(f"{rule} ×{number}" for rule, number in masked.items()))
    return None if shapes.color or "\n" in note else f"{text}{_BREAK}{note}"


def _refused(indexes: list[int], columns: list[list[Any]], unchanged: set[str], lone: int | None) -> list[int]:
    """The events of a group a value of which is not a string shown as it is, or whose lone main field is
    empty (an empty body shows no line at all)."""
    refused: list[int] = []
    for column in columns:
        try:
            if unchanged.issuperset(column):
                continue
        except TypeError:  # an unhashable value: a list or an object
            pass
        refused += [index for index, value in zip(indexes, column, strict=True)
                    if type(value) is not str or value not in unchanged]
    if lone is not None:
        refused += [index for index, value in zip(indexes, columns[lone], strict=True) if not value]
    return refused


def finish(text: str, width: int, room: int, color: bool) -> list[str]:
    """Simple events' lines: body lines wrapped as `Para` wraps them, when wider than the screen or
    holding a tab; without colour, no trailing spaces. Text of one-cell characters without tabs
    finds its long lines by one search and wraps them together (`_wrap_long_lines`)."""
    if one_cell_text(text) and "\t" not in text and width > len(INDENT):
        if max(map(len, text.split("\n"))) > width:
            text = _wrap_long_lines(text, room)
        lines = text.split("\n")
        return lines if color or (" \n" not in text and not text.endswith(" ")) else list(map(str.rstrip, lines))
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith(INDENT) and (not line.isascii() or "\t" in line or len(line) > width) \
                and ("\t" in line or cell_len(line) > width):
            para_lines(line[len(INDENT):], "", out, room, color)
        else:
            out.append(line if color else line.rstrip())
    return out


def _wrap_long_lines(text: str, room: int) -> str:
    """`text` with each body line wider than `room` (after the indent) wrapped: printable ASCII lines
    all at once by one pass of the fitting-pieces search over them, joined (`plain.ascii_wrap`'s rule),
    any other line by `wrap`."""
    parts = _long_body_lines(room).split(text)  # text, long line, text, long line, ..., text
    long_lines = parts[1::2]
    joined = "\n".join(long_lines)
    printable = joined.isascii() and "".join(long_lines).isprintable()  # (one cell a character, spaces the blanks)
    pieces = _pieces_or_breaks(room).findall(joined) if printable else []
    if pieces and sum(map(len, pieces)) == len(joined):  # no word folded: every line's pieces, in order
        wrapped = "\x00".join(pieces).replace("\x00\n\x00", "\x01").replace("\x00", _BREAK).split("\x01")
    else:
        wrapped = [_BREAK.join(wrap(line, room)) for line in long_lines]
    parts[1::2] = map(_BREAK.__add__, wrapped)
    return "".join(parts)


@lru_cache(maxsize=8)
def _pieces_or_breaks(room: int) -> re.Pattern[str]:
    """`plain._fitting_pieces` over several lines joined by line breaks, each break a match of its own."""
    return re.compile(f"[^\n]{{0,{room - 1}}}[^ \n](?= |\n|\\Z) *|\n")


@lru_cache(maxsize=8)
def _long_body_lines(room: int) -> re.Pattern[str]:
    """Body lines wider than `room` after the indent (found from the line break before them: no
    heading starts with the indent, and the text starts with a heading)."""
    return re.compile(f"\n{INDENT}([^\n]{{{room + 1},}})")


_BREAK = "\n" + INDENT


def para_lines(text: str, style: str, out: list[str], room: int, color: bool) -> None:
    """`Para(text, style, lead=[(INDENT, "")])` at `room` cells after the indent: pieces that fit are
    not wrapped (a short ASCII text without tabs fits line by line when it fits whole)."""
    if len(text) <= room and text.isascii() and "\t" not in text:
        pieces = text.split("\n")
    else:
        pieces = wrap(text, room)
    if not color:
        out += map(str.rstrip, map(INDENT.__add__, pieces))
    else:
        out += [INDENT + sgr(piece, style) if style else INDENT + piece for piece in pieces]
