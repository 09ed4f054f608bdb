"""Views of thousands of rows as plain strings: styled lines and a table, without rich.

rich measures and renders every cell as objects, which costs milliseconds per row: a list of
10,000 tasks took seconds. The list, the tree and `/tasks` are made of short one-line cells,
so they are built here with string operations and rendered in one pass, plain or with the
few SGR colours the views use. `render_to_text` and the terminal print a `Block` directly;
it also renders through rich (`__rich_console__`) where a rich `Group` holds it.

Every text given to these classes is already safe (masked and neutralised by `safe_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

Span = tuple[str, str]  # (text, style): a style is "", or words among bold, dim, red, green, yellow, cyan
Justify = Literal["left", "right"]
ELLIPSIS = "…"
_SGR_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


# Characters that surely take one cell each (checked against `_char_cells` by a unit test): Latin,
# general punctuation, arrows, box drawing and block elements. Only text holding any other
# character is measured character by character.
_ONE_CELL = "\x00-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u259f"
_NOT_ONE_CELL = re.compile(f"[^{_ONE_CELL}]")


def one_cell_text(text: str) -> bool:
    """Whether every character of `text` surely takes one cell (so its cells are its length).

    Text of the Latin-1 range (one byte a character: a masking note's `×`, accented words) is
    told by a C-level encode instead of the character class, which tests each character.
    """
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:  # a character past U+00FF: the class decides
        return _NOT_ONE_CELL.search(text) is None
    return "\xad" not in text  # the soft hyphen: the one Latin-1 character the class leaves out


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def printable_ascii(text: str) -> bool:
    """`text.isascii() and text.isprintable()` (one cell a character, spaces the only blanks), told by a
    C-level encode and `bytes.translate` deleting the printable bytes: `str.isprintable` looks each
    character up in the Unicode tables, ~8 times slower on megabytes of output lines."""
    return text.isascii() and not text.encode("ascii").translate(None, _PRINTABLE_ASCII)


def cell_len(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) characters take two, combining marks none."""
    if one_cell_text(text):
        return len(text)
    return sum(map(_CELLS.__getitem__, text))


class _CellsOf(dict[str, int]):
    """Cells of each character met so far: the tree's guides and arrows are measured once, not per line."""

    def __missing__(self, char: str) -> int:
        cells = self[char] = _char_cells(char)
        return cells


_CELLS = _CellsOf()


def _char_cells(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cut_to(text: str, width: int) -> str:
    """`text` cut to `width` cells, ending in an ellipsis when it was longer."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for char in text:
        cells = _char_cells(char)
        if used + cells > width - 1:
            break
        kept.append(char)
        used += cells
    return "".join(kept) + ELLIPSIS


_WORD = re.compile(r"\s*\S+\s*")


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells, broken between words (a longer word is folded).

    The same rule as rich's word wrap: greedy, each word carrying the spaces after it, a word
    wider than the line cut into pieces; tabs are expanded to 8 columns first.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        line = _expand_tabs(line) if "\t" in line else line
        if cell_len(line) <= width:
            lines.append(line)
        elif printable_ascii(line):
            lines += ascii_wrap(line, max(width, 1))
        else:
            lines += _wrap_line(line, max(width, 1))
    return lines


def _expand_tabs(line: str, size: int = 8) -> str:
    """Each tab as a space, then spaces up to the next tab stop (counted in cells, as rich does)."""
    parts = line.split("\t")
    out, position = [], 0
    for part in parts[:-1]:
        piece = part + " "
        position += cell_len(piece)
        pad = -position % size
        out.append(piece + " " * pad)
        position += pad
    return "".join(out) + parts[-1]


def _wrap_line(line: str, width: int) -> list[str]:
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for match in _WORD.finditer(line):
        start, word = match.start(), match.group()
        size = cell_len(word.rstrip())
        if width - offset >= size:
            offset += cell_len(word)
        elif size > width:  # fold the word across lines
            pieces = _chop(word, width)
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = cell_len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    bounds = [0, *breaks, len(line)]
    return [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def ascii_wrap(line: str, width: int) -> list[str]:
    """`_wrap_line` for printable ASCII, a line of output at a time instead of a word at a time.

    From a line's start, every word whose last letter falls within the width fits; the first
    word that does not either starts the next line or, wider than a line, is folded from its
    start into pieces of `width`. Long output lines of 10 MB logs wrap in milliseconds: when no
    word is folded, one regular-expression pass takes the pieces (`_fitting_pieces`).
    """
    pieces = _fitting_pieces(width).findall(line)
    if sum(map(len, pieces)) == len(line):  # no word had to be folded (a piece cannot start at one)
        return pieces
    breaks: list[int] = []
    size = len(line)
    start, done = 0, 0  # where the current output line starts; where the words taken so far end
    while start + width < size:
        word = _first_overflowing_word(line, done, start + width)
        if word is None:
            break
        word_start, text_end = word
        word_end = _spaces_end(line, text_end, size)
        if text_end - word_start > width:  # fold: pieces of `width` from the word's start
            cuts = range(word_start, word_end, width)
            breaks += [cut for cut in cuts if cut]
            start = cuts[-1]
        else:  # the word starts the next line (offset > 0 here: it starts after `start`)
            breaks.append(word_start)
            start = word_start
        done = word_end
    bounds = [0, *breaks, size]
    return [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


@lru_cache(maxsize=16)
def _fitting_pieces(width: int) -> re.Pattern[str]:
    """One wrapped piece: the longest run of words whose letters end within `width` (the spaces after
    them included, as each word carries its spaces). Where a word must be folded (its letters, with the
    line's leading spaces for the first word, are wider than a line) no piece starts: `findall` skips
    ahead, and the pieces no longer add up to the line."""
    return re.compile(f".{{0,{width - 1}}}[^ ](?= |$) *")


def _first_overflowing_word(line: str, done: int, limit: int) -> tuple[int, int] | None:
    """(start, end of its letters) of the first word after `done` whose letters end past `limit`, or None.

    A word is its letters and the spaces after them; the line's first word also holds the
    spaces before them.
    """
    if line[limit] == " ":
        text_start = _spaces_end(line, limit, len(line))
        if text_start == len(line):
            return None  # only spaces after the limit: everything fits
    else:
        text_start = line.rfind(" ", done, limit) + 1 or done
    text_end = line.find(" ", text_start)
    text_end = len(line) if text_end == -1 else text_end
    word_start = done if _spaces_end(line, done, text_start) == text_start else text_start
    return word_start, text_end


_SPACES = re.compile(" *")


def _spaces_end(line: str, start: int, end: int) -> int:
    """Where the run of spaces at `start` ends (before `end`): matched in place, no copy of the rest of the line."""
    match = _SPACES.match(line, start, end)
    return match.end() if match is not None else start


def _chop(word: str, width: int) -> list[str]:
    pieces, piece, used = [], "", 0
    for char in word:
        cells = _char_cells(char)
        if used + cells > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += cells
    return [*pieces, piece] if piece else pieces


def sgr(text: str, style: str) -> str:
    """`text` in `style` as SGR escape codes (only the views' own styles; anything else is ignored)."""
    codes = ";".join(_SGR_CODES[word] for word in style.split() if word in _SGR_CODES)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes and text else text


@runtime_checkable
class PlainView(Protocol):
    """A view that renders itself to text at a width (no rich needed)."""

    def to_text(self, width: int, *, color: bool) -> str: ...


@dataclass
class Line:
    """One line of spans; over-long, it is cut with an ellipsis (`cut`) or folded onto more lines."""

    spans: list[Span]
    cut: bool = True

    @classmethod
    def of(cls, text: str, style: str = "", *, cut: bool = True) -> Line:
        return cls([(text, style)], cut=cut)

    def lines(self, width: int) -> Iterator[list[Span]]:
        total = cell_len("".join([text for text, _ in self.spans]))
        if total <= width:
            yield self.spans
        elif self.cut:
            yield _cut_spans(self.spans, width)
        else:
            yield from _fold_spans(self.spans, width)


def _cut_spans(spans: list[Span], width: int) -> list[Span]:
    kept: list[Span] = []
    room = width
    for text, style in spans:
        size = cell_len(text)
        if size < room:
            kept.append((text, style))
            room -= size
            continue
        # At the edge: cut here (an exact fit still needs the ellipsis, since more follows).
        kept.append((cut_to(text + (" " if size == room else ""), room), style))
        break
    return kept


def _fold_spans(spans: list[Span], width: int) -> Iterator[list[Span]]:
    line: list[Span] = []
    room = max(width, 1)
    for text, style in spans:
        while text:
            take, used = 0, 0
            while take < len(text) and used + _char_cells(text[take]) <= room:
                used += _char_cells(text[take])
                take += 1
            if take == 0 and not line:
                take, used = 1, _char_cells(text[0])  # a character wider than the line: alone on its line
            if take:
                line.append((text[:take], style))
                text, room = text[take:], room - used
            if text:
                yield line
                line, room = [], max(width, 1)
    if line:
        yield line


@dataclass
class Para:
    """Text wrapped at the width between words, after a lead (a label, an indent); later lines hang under it."""

    text: str
    style: str = ""
    lead: list[Span] = field(default_factory=list)

    def lines(self, width: int) -> Iterator[list[Span]]:
        indent = sum(cell_len(text) for text, _ in self.lead)
        for k, piece in enumerate(wrap(self.text, max(width - indent, 1))):
            yield [*(self.lead if k == 0 else [(" " * indent, "")]), (piece, self.style)]

    def plain_lines(self, width: int) -> list[str]:
        """`lines` as plain text (what `_line_text` makes of them without colour), without the spans."""
        lead = "".join([text for text, _ in self.lead])
        indent = cell_len(lead)
        pieces = wrap(self.text, max(width - indent, 1))
        if not pieces:
            return []
        pad = " " * indent
        return [(lead + pieces[0]).rstrip(), *[(pad + piece).rstrip() for piece in pieces[1:]]]


@dataclass
class Column:
    """A column: its header, how its cells line up, and its cells (one per row; a cell may hold newlines)."""

    header: str
    justify: Justify = "left"
    width: int | None = None  # fixed width, else the widest cell
    cells: list[str] = field(default_factory=list)
    styles: list[str] | None = None  # a style per row, or none for the whole column

    def lines(self) -> list[str]:
        joined = "\n".join(self.cells)
        return joined.split("\n") if "\n" in joined else self.cells

    def natural(self) -> int:
        if self.width is not None:
            return self.width
        lines = self.lines()
        sizes = map(len, lines) if "".join(lines).isascii() else map(cell_len, lines)
        return max(cell_len(self.header), max(sizes, default=0))


class Table:
    """Columns of cells separated by `gap` spaces, a header in bold, a rule under it.

    Built column by column so widths are measured at C speed and each line is one
    `str.format` (padding done in C); only cells that are not ASCII, are styled (in colour)
    or hold several lines take the slower path. A table wider than the width it is drawn
    at has each line cut with an ellipsis.
    """

    def __init__(self, columns: list[Column], gap: int = 1) -> None:
        self.columns = columns
        self.gap = gap

    def widths(self) -> list[int]:
        return [column.natural() for column in self.columns]

    def natural_width(self) -> int:
        return sum(self.widths()) + self.gap * (len(self.columns) - 1)

    def text_lines(self, width: int, *, color: bool) -> list[str]:
        widths = self.widths()
        total = sum(widths) + self.gap * (len(widths) - 1)
        header = self._row_spans([(c.header, "bold") for c in self.columns], widths)
        out = [_line_text(spans, color) for line in (Line(header), Line.of("─" * total))
               for spans in line.lines(width)]
        rows = len(self.columns[0].cells) if self.columns else 0
        if total > width:  # too wide: each line cut to the width
            for k in range(rows):
                out += [_line_text(spans, color) for spans in self._cell_lines(k, widths, width)]
            return out
        prepared = [self._prepared(column, size, color) for column, size in zip(self.columns, widths, strict=True)]
        template = (" " * self.gap).join("{}" if ready else f"{{:{'>' if c.justify == 'right' else '<'}{size}}}"
                                         for c, size, (_, ready) in zip(self.columns, widths, prepared, strict=True))
        folded = {k for c in self.columns if "\n" in "".join(c.cells) for k, cell in enumerate(c.cells) if "\n" in cell}
        finish = (lambda text: text) if color else str.rstrip
        for k, cells in enumerate(zip(*(cells for cells, _ in prepared), strict=True)):
            if k in folded:
                out += [_line_text(spans, color) for spans in self._cell_lines(k, widths, width)]
            else:
                out.append(finish(template.format(*cells)))
        return out

    def _prepared(self, column: Column, size: int, color: bool) -> tuple[list[str], bool]:
        """The column's cells for the template, and whether they are already padded (and styled)."""
        styled = color and column.styles is not None
        if not styled and "".join(column.cells).isascii():
            return column.cells, False
        styles = column.styles if styled and column.styles is not None else [""] * len(column.cells)
        right = column.justify == "right"
        ready = []
        for text, style in zip(column.cells, styles, strict=True):
            pad = " " * (size - cell_len(text)) if "\n" not in text else ""
            shown = sgr(text, style) if style else text
            ready.append(pad + shown if right else shown + pad)
        return ready, True

    def _row_spans(self, cells: list[Span], widths: list[int]) -> list[Span]:
        spans: list[Span] = []
        for i, (text, style) in enumerate(cells):
            pad = " " * (widths[i] - cell_len(text))
            if i:
                spans.append((" " * self.gap, ""))
            spans += [(pad, ""), (text, style)] if self.columns[i].justify == "right" else [(text, style), (pad, "")]
        return spans

    def _cell_lines(self, k: int, widths: list[int], width: int) -> Iterator[list[Span]]:
        """Row `k` as lines of spans (a cell with newlines makes the row taller), each cut to `width`."""
        parts = [(c.cells[k].split("\n"), c.styles[k] if c.styles else "") for c in self.columns]
        for line in range(max(len(texts) for texts, _ in parts)):
            cells = [(texts[line] if line < len(texts) else "", style) for texts, style in parts]
            yield from Line(self._row_spans(cells, widths)).lines(width)


def spans_text_lines(spans: list[Span], width: int, *, color: bool, cut: bool = True) -> list[str]:
    """`Line(spans, cut=cut)` rendered at `width` (without making the Line when it fits)."""
    text = "".join([part for part, _ in spans])
    if cell_len(text) <= width:
        return [_line_text(spans, color) if color else text.rstrip()]
    return [_line_text(line, color) for line in Line(spans, cut=cut).lines(width)]


class LineSource(Protocol):
    """Lines of a `Block` rendered by themselves at a width (a table; a detail view's events)."""

    def text_lines(self, width: int, *, color: bool) -> list[str]: ...


@runtime_checkable
class TextSource(LineSource, Protocol):
    """A `LineSource` that also gives its lines as one text (joined by line breaks; "" for no lines), so a
    view of thousands of lines is not split into lines only to be joined again."""

    def text(self, width: int, *, color: bool) -> str: ...


def _line_text(spans: list[Span], color: bool) -> str:
    if color:
        return "".join(sgr(text, style) if style else text for text, style in spans)
    return "".join(text for text, _ in spans).rstrip()


@dataclass
class Block:
    """A view as lines: what `render` prints at a width, plain or in colour."""

    lines: list[Line | Para | LineSource] = field(default_factory=list)

    def add(self, line: Line | Para | LineSource | str, style: str = "") -> None:
        self.lines.append(Line.of(line, style) if isinstance(line, str) else line)

    def text_lines(self, width: int, *, color: bool) -> list[str]:
        out: list[str] = []
        for line in self.lines:
            if isinstance(line, Line):
                out += spans_text_lines(line.spans, width, color=color, cut=line.cut)
            elif isinstance(line, Para):
                # plain text: the lead and the pieces as strings
                out += line.plain_lines(width) if not color else [_line_text(s, color) for s in line.lines(width)]
            else:  # a Table, or other lines that render themselves
                out += line.text_lines(width, color=color)
        return out

    def to_text(self, width: int, *, color: bool) -> str:
        """The text at `width` cells, ending with a newline; without colour, no trailing spaces."""
        out: list[str] = []
        for line in self.lines:
            if not isinstance(line, Line | Para) and isinstance(line, TextSource):  # (a protocol's check is slow)
                text = line.text(width, color=color)
                out += [text] if text else []
            else:
                out += Block([line]).text_lines(width, color=color)
        return "\n".join(out) + "\n" if out else ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        for line in self.text_lines(options.max_width, color=True):
            yield Text.from_ansi(line, no_wrap=True, overflow="crop")
