"""Simple events of a detail view as text, column by column: most events of a long task need no work.

An event is simple when its content is a flat object of strings that display masking leaves as
they are (the view's `SafeStrings.unchanged`), its heading fits the screen and its masking note
(if any) is drawn without colour. Events of one type with the same keys share a shape — the
literal text around the clock and each value: the heading, then the main field and each
`key: value` line under it, as `event_body` orders them — so their text is made by C-level
`map`s and joins over columns of values, not per event. What a value needs besides is found
per column too (`_column_needs`): a line wider than the screen is wrapped as `Para` wraps it
(`wrapped_lines`, all of a column's long lines in one search), and the few values whose line
holds a tab, a character not surely one cell wide or whitespace at its end go through `finish`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import itemgetter, methodcaller, ne, or_
from typing import TYPE_CHECKING, Any, TypeVar, cast

from runner.logs.stored_task import EVENT_FIELDS, RawEvent, StoredColumns
from runner.views.event_content import (
    MAIN_FIELDS,
    MAX_EVENT_CHARS,
    QUOTED_FIELDS,
    credential_key,
    cut_note,
)
from runner.views.plain import cell_len, one_cell_text, printable_ascii, sgr, wrap

if TYPE_CHECKING:
    from runner.views.safe_text import SafeStrings

T = TypeVar("T")

INDENT = "    "  # under an event's heading: its body and its masking note
BREAK = "\n" + INDENT  # between an event's lines below its heading
Plan = tuple[str | None, tuple[str, ...]]  # (main field, the other keys in order)
_CLOCK = itemgetter(slice(11, 19))  # HH:MM:SS of a stamp in the store's form (`stored_read.stored_form` checked it)
_LAST = itemgetter(slice(-1, None))  # a value's last character ("" when empty)
_SPACE = re.compile(r"\s")  # what `str.rstrip` strips
_RSTRIP_SPACES = methodcaller("rstrip", " ")


@dataclass(frozen=True)
class Shape:
    """The text of an event of one type and keys: `literals[0]`, argument `order[0]`, `literals[1]`, ... where
    argument 0 is the clock and argument k + 1 the content's k-th value (in the content's order)."""

    literals: tuple[str, ...]
    order: tuple[int, ...]
    lines: tuple[tuple[str, str], ...]  # each value's (text before, text after) on its line, in the content's order
    most: int  # the values' total length past which the body is cut (`cut_body`: the general path)
    lone: int | None  # the lone main field: empty, it shows no line at all (general path)
    plain_keys: bool  # the keys' texts are one cell a character, without tabs: a line's cells are its length

    def texts(self, arguments: list[list[str]]) -> Iterator[str]:
        """Each event's text from the columns of its arguments."""
        parts: list[Any] = []
        for literal, argument in zip(self.literals, self.order, strict=False):
            parts += [repeat(literal), arguments[argument]]
        return map("".join, zip(*parts, repeat(self.literals[-1])))


class Shapes:
    """Shapes of simple events by (event type, content keys), at one width and colour."""

    def __init__(self, shown: SafeStrings, styles: dict[str, str], width: int, color: bool, task_id: str) -> None:
        self.shown, self.styles, self.width, self.color = shown, styles, width, color
        self.task_id = task_id  # named in the note under a cut body
        self.room = max(width - len(INDENT), 1)  # cells of a body line after the indent
        self._plans: dict[tuple[str, ...], Plan | None] = {}
        self._shapes: dict[tuple[str, tuple[str, ...]], Shape | None] = {}

    def plan(self, keys: tuple[str, ...]) -> Plan | None:
        """(main field, other keys) when every key is shown as it is and names no credential (`_flat`'s rule)."""
        if keys not in self._plans:
            plan = None
            if all(self.shown(key) == key and not credential_key(key) and "\n" not in key for key in keys):
                main = next((key for key in MAIN_FIELDS if key in keys), None)
                plan = (main, tuple(key for key in keys if key != main))
            self._plans[keys] = plan
        return self._plans[keys]

    def shape(self, kind: str, keys: tuple[str, ...]) -> Shape | None:
        if (kind, keys) not in self._shapes:
            self._shapes[kind, keys] = self._make(kind, keys)
        return self._shapes[kind, keys]

    def _make(self, kind: str, keys: tuple[str, ...]) -> Shape | None:
        shown = self.shown(kind)
        plan = self.plan(keys)
        if plan is None or cell_len(f"  [00:00:00] {shown}") > self.width or shown != shown.rstrip() \
                or self.width <= len(INDENT):
            return None  # a heading that does not fit is folded by the general path
        main, rest = plan
        around = {key: (f"{key}: ", "") for key in rest}
        if main is not None:
            around[main] = ('"', '"') if main in QUOTED_FIELDS else ("", "")
        literals, order = ["  ["], [0]
        tail = f"] {sgr(shown, self.styles.get(kind, 'bold')) if self.color else shown}"
        for key in ([] if main is None else [main]) + list(rest):
            literals.append(tail + BREAK + around[key][0])
            order.append(keys.index(key) + 1)
            tail = around[key][1]
        literals.append(tail)
        body = sum(len(before) + len(after) for before, after in around.values()) + max(len(keys) - 1, 0)
        lone = keys.index(main) if main is not None and main not in QUOTED_FIELDS and not rest else None
        keys_text = "".join(keys)
        plain_keys = one_cell_text(keys_text) and "\t" not in keys_text
        return Shape(tuple(literals), tuple(order), tuple(around[key] for key in keys), MAX_EVENT_CHARS - body, lone,
                     plain_keys)


class EventColumns:
    """The events' values read once, by (event type, content keys): what the view masks (`strings`) and
    what the texts of its simple events are made of, at any width (`simple_texts`)."""

    def __init__(self, events: list[RawEvent], read: StoredColumns | None = None) -> None:
        """`read`: the fields of `events` as the stored read's check took them, if it did."""
        self.events = events
        contents = read.contents if read else list(map(itemgetter("content"), events))
        self.clocks = list(map(_CLOCK, read.stamps if read else map(itemgetter("timestamp"), events)))
        kinds = read.kinds if read else list(map(itemgetter("event_type"), events))
        self.groups: list[tuple[str, tuple[str, ...], Sequence[int], list[list[Any]]]] = []
        for (kind, keys), indexes in _groups(kinds, contents).items():
            grouped = _picked(contents, indexes)
            self.groups.append((kind, keys, indexes, [list(map(itemgetter(key), grouped)) for key in keys]))

    def strings(self) -> Iterator[str]:
        """Every content key, then every string value (the keys once each)."""
        keys = dict.fromkeys(key for _, keys, _, _ in self.groups for key in keys)
        columns = [column if set(map(type, column)) == {str} else [value for value in column if type(value) is str]
                   for _, _, _, group in self.groups for column in group]
        return chain(keys, *columns)


def simple_texts(columns: EventColumns, shapes: Shapes) -> list[str | None]:
    """Each event's lines as one text, as the general path draws them, or None where the general path must."""
    events = columns.events
    texts: list[str | None] = [None] * len(events)
    for kind, keys, indexes, values in columns.groups:
        shape = shapes.shape(kind, keys)
        if shape is not None:
            made = _group_texts(_picked(columns.clocks, indexes), values, shape, shapes)
            if type(indexes) is range:  # one run of events
                texts[indexes.start:indexes.stop] = made
            else:
                for index, text in zip(indexes, made, strict=True):
                    texts[index] = text
    for index in positions(list(map(len, events)), len(EVENT_FIELDS) + 1):  # events with a masking note (`stored_form`)
        texts[index] = _with_note(texts[index], events[index]["masked"], shapes)
    return texts


def _groups(kinds: list[str], contents: list[dict[str, Any]]) -> dict[tuple[str, tuple[str, ...]], Sequence[int]]:
    """The events' positions by (event type, content keys), in order, found run by run (a long task's runs are
    long): a group of one run is a `range`."""
    groups: dict[tuple[str, tuple[str, ...]], Sequence[int]] = {}
    if not kinds:
        return groups
    keys = list(map(tuple, contents))
    changes = list(map(or_, map(ne, kinds[1:], kinds), map(ne, keys[1:], keys)))  # where a run ends, at C speed
    starts = [0, *(k + 1 for k in positions(changes, True)), len(kinds)]
    for start, end in zip(starts, starts[1:], strict=False):
        found = groups.get((kinds[start], keys[start]))
        if found is None:
            groups[kinds[start], keys[start]] = range(start, end)
        else:
            if type(found) is range:
                found = groups[kinds[start], keys[start]] = list(found)
            cast(list[int], found).extend(range(start, end))
    return groups


def _picked(values: list[T], indexes: Sequence[int]) -> list[T]:
    """The values at `indexes`: a slice when they are one run (a range)."""
    if type(indexes) is range:
        return values if len(indexes) == len(values) else values[indexes.start:indexes.stop]
    return list(map(values.__getitem__, indexes))


def _group_texts(clocks: list[str], columns: list[list[Any]], shape: Shape, shapes: Shapes) -> list[str | None]:
    """The texts of one shape's events from their clocks and the columns of their values (None where the
    general path draws the event)."""
    columns = list(columns)
    refused = _refused(columns, shapes.shown.unchanged, shape.lone)  # (its values become "")
    lengths = [list(map(len, column)) for column in columns]
    sizes = {k: size for k, size in _cut(lengths, shape.most).items() if k not in refused}
    odd: set[int] = set() if shape.plain_keys else set(range(len(clocks)))
    shown = []
    for number, column in enumerate(columns):
        before, after = shape.lines[number]
        strange, long = _column_needs(column, lengths[number], shapes.room - len(before) - len(after))
        odd.update(strange)
        long = [k for k in long if k not in odd and k not in refused and k not in sizes]
        if long:
            column = list(column)  # the values as drawn: long ones wrapped
            lines = [before + column[k] + after for k in long]
            for k, text in zip(long, wrapped_lines(lines, shapes.room, shapes.color), strict=True):
                if text.startswith(before) and text.endswith(after):
                    column[k] = text[len(before):len(text) - len(after)]
                else:  # a break fell inside the text before the value: `finish` draws the event
                    odd.add(k)
        shown.append(column)
    texts: list[str | None] = list(shape.texts([clocks, *shown]))
    if sizes:
        refused.update(_cut_texts(texts, sizes, clocks, columns, shape, shapes))
    for k in odd - refused:  # (a wrapped value's lines fit: `finish` leaves them as they are)
        texts[k] = "\n".join(finish(cast(str, texts[k]), shapes.width, shapes.room, shapes.color))
    for k in refused:
        texts[k] = None
    return texts


def _cut_texts(texts: list[str | None], sizes: dict[int, int], clocks: list[str], columns: list[list[str]],
               shape: Shape, shapes: Shapes) -> list[int]:
    """The texts of events whose body is cut (`cut_body`) where the cut falls inside the first body line's value:
    that line up to the cut, then the note (`cut_note`); returns the others, which the general path draws."""
    if len(shape.order) < 2:
        return list(sizes)
    first = shape.order[1] - 1  # the column of the first body line
    before = shape.lines[first][0]
    keep = MAX_EVENT_CHARS - len(before)  # of the first value, when the cut falls inside it
    cut = [k for k in sizes if 0 < keep <= len(columns[first][k])]
    values = [columns[first][k][:keep] for k in cut]
    needs, long = _column_needs(values, list(map(len, values)), shapes.room - len(before))
    strange = set(needs)
    long = [n for n in long if n not in strange]
    for n, text in zip(long, wrapped_lines([before + values[n] for n in long], shapes.room, shapes.color), strict=True):
        if text.startswith(before):
            values[n] = text[len(before):]
        else:  # a break fell inside the text before the value
            strange.add(n)
    head = shape.literals[0], shape.literals[1]
    for n, k in enumerate(cut):
        note = cut_note(sizes[k] - shape.most, shapes.task_id)
        text = f"{head[0]}{clocks[k]}{head[1]}{values[n]}{BREAK}{note}"
        plain_note = len(note) <= shapes.room and one_cell_text(note) and "\t" not in note and note == note.rstrip()
        texts[k] = text if plain_note and n not in strange and shape.plain_keys \
            else "\n".join(finish(text, shapes.width, shapes.room, shapes.color))
    drawn = set(cut)
    return [k for k in sizes if k not in drawn]


def _cut(lengths: list[list[int]], most: int) -> dict[int, int]:
    """The events whose values (of these `lengths`, a list a column) are longer than `most` together (their
    body is cut): {position: their length}."""
    if sum(map(max, lengths)) <= most:
        return {}  # (the usual case, told at C speed)
    sizes = map(sum, zip(*lengths, strict=True))
    return {k: size for k, size in enumerate(sizes) if size > most}


def _column_needs(column: list[str], sizes: list[int], limit: int) -> tuple[list[int], list[int]]:
    """Positions of the values `finish` must draw (a tab, a line break, a character not surely one cell wide,
    whitespace at the end or nothing at all: the line is stripped), and of those longer than `limit`.
    Each distinct value is checked once (a column of streams or statuses holds a few); `sizes` are the values'
    lengths."""
    distinct = list(dict.fromkeys(column))  # (their hashes are known: `SafeStrings.prepare` took them)
    joined = "".join(distinct)
    odd = [value for value in distinct if "\t" in value or "\n" in value or not one_cell_text(value)] \
        if "\t" in joined or "\n" in joined or not one_cell_text(joined) else []
    ends = "".join(map(_LAST, distinct))
    if len(ends) < len(distinct) or _SPACE.search(ends):
        odd += [value for value in distinct if not value or value[-1].isspace()]
    long = list(compress(range(len(column)), map(limit.__lt__, sizes))) if max(sizes, default=0) > limit else []
    return _positions_of(column, set(odd)) if odd else [], long


def _positions_of(values: list[str], wanted: set[str]) -> list[int]:
    """Where any of `wanted` stands in `values`."""
    return list(compress(range(len(values)), map(wanted.__contains__, values)))


def _refused(columns: list[list[Any]], unchanged: set[str], lone: int | None) -> set[int]:
    """Positions of the events of a group a value of which is not a string shown as it is, or whose lone main
    field is empty (an empty body shows no line at all). A refused value is blanked in a copy of its column put
    in `columns` (the lists it held are left as they are): every value left is a string."""
    refused: set[int] = set()
    for number, column in enumerate(columns):
        try:
            if unchanged.issuperset(column):
                continue
        except TypeError:  # an unhashable value: a list or an object
            pass
        bad = [k for k, value in enumerate(column) if type(value) is not str or value not in unchanged]
        refused.update(bad)
        columns[number] = column = list(column)  # (the view's columns stay as read)
        for k in bad:
            column[k] = ""  # not shown from here: the general path draws the event
    if lone is not None:
        refused.update(k for k, value in enumerate(columns[lone]) if not value)
    return refused


def _with_note(text: str | None, masked: dict[str, int], shapes: Shapes) -> str | None:
    """The event's text with its masking note (what was hidden, by which rule) under the body; in colour
    the note is dim, which the general path draws."""
    if text is None or not masked:
        return text
    note = shapes.shown("masked: " + ", ".join(f"{rule} ×{number}" for rule, number in masked.items()))
    if shapes.color or "\n" in note:
        return None
    noted = f"{text}{BREAK}{note}"
    if len(note) > shapes.room or "\t" in note or not one_cell_text(note) or note != note.rstrip():
        return "\n".join(finish(noted, shapes.width, shapes.room, shapes.color))
    return noted


def finish(text: str, width: int, room: int, color: bool) -> list[str]:
    """An event's lines: body lines wrapped as `Para` wraps them, when wider than the screen or
    holding a tab; without colour, no trailing whitespace."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith(INDENT) and (not line.isascii() or "\t" in line or len(line) > width) \
                and ("\t" in line or cell_len(line) > width):
            para_lines(line[len(INDENT):], "", out, room, color)
        else:
            out.append(line if color else line.rstrip())
    return out


def wrapped_lines(lines: list[str], room: int, color: bool) -> list[str]:
    """Each line (wider than `room`) wrapped as `Para` wraps it, its pieces joined by `BREAK` (without colour,
    no trailing whitespace before a break): printable ASCII lines all at once by one pass of the fitting-pieces
    search over them (`plain.ascii_wrap`'s rule), any other line by `wrap`."""
    joined = "\n".join(lines)
    printable = printable_ascii("".join(lines))  # (one cell a character, spaces the blanks)
    # Lines of many screens each (cut bodies of megabytes of output) are searched faster one at a time.
    together = printable and len(joined) <= _ONE_SEARCH_LINE_CHARS * len(lines)
    pieces = _pieces_or_breaks(room).findall(joined) if together else []
    if pieces and sum(map(len, pieces)) == len(joined):  # no word folded: every line's pieces, in order
        shown = pieces if color else map(_RSTRIP_SPACES, pieces)
        return "\x00".join(shown).replace("\x00\n\x00", "\x01").replace("\x00", BREAK).split("\x01")
    strip = (lambda piece: piece) if color else str.rstrip
    return [BREAK.join(map(strip, wrap(line, room))) for line in lines]


_ONE_SEARCH_LINE_CHARS = 500  # the longest lines, on average, wrapped by one search over all of them


@lru_cache(maxsize=8)
def _pieces_or_breaks(room: int) -> re.Pattern[str]:
    """`plain._fitting_pieces` over several lines joined by line breaks, each break a match of its own."""
    return re.compile(f"[^\n]{{0,{room - 1}}}[^ \n](?= |\n|\\Z) *|\n")


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


def positions(values: list[Any], wanted: object) -> list[int]:
    """Where `wanted` stands in `values`, found by `list.index` (a C-level scan between finds)."""
    found: list[int] = []
    try:
        while True:
            found.append(values.index(wanted, found[-1] + 1 if found else 0))
    except ValueError:
        return found
