"""The newest rows of a session index, read from the end of its snapshot: showing N tasks costs O(N).

A snapshot is written one row per line after a header line (`index_journal.write_snapshot`); a
session snapshot's header also holds `row_count` and `counts` (rows by status). So the last N
rows are the last N lines, found by reading the file backwards from its end in growing blocks,
and the session's totals come from the header. The journal (rows changed since the snapshot)
is read whole, as `read_index` does, and applied the same way: a row replaces the row with its
key, or joins the end.

Anything this reader cannot account for returns None and the caller reads the whole index
instead (`index_journal.read_index`): a snapshot written before this layout (read whole until
its next compaction rewrites it), a header without counts, rows out of task order, or a journal
row changing a task older than the rows read (its old status is unknown here). The answer is
therefore always the whole read's last rows and counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from runner.ids import counter_of
from runner.logs.store import index_journal, safe_files
from runner.logs.store.index_journal import JOURNAL_FIELD, ROW_COUNT_FIELD, SESSION_INDEX, Row
from runner.logs.store.safe_files import Limit

COUNTS_FIELD = "counts"  # a session snapshot's rows by status
_ROWS_START = b',"entries":[\n'
_END = b"\n]}"
_HEAD_BYTES = 4096  # the header line is a few hundred bytes
_ROW_BYTES_GUESS = 1024  # a stored row is about 500 bytes; the block doubles when it is not enough
_READ_TRIES = 3
_KEY = SESSION_INDEX.key


@dataclass(frozen=True)
class Tail:
    """The last rows of a merged session index, how many rows it has, and how many in each status."""

    header: dict[str, Any]
    rows: list[Row]
    total: int
    counts: dict[str, int]


def read_tail(snapshot: Path, count: int) -> Tail | None:
    """The last `count` (>= 1) rows of the session index at `snapshot` merged with its journal, or None
    when only a whole read can tell (see the module's docstring)."""
    for _ in range(_READ_TRIES):
        before = index_journal.identity_of(snapshot)
        if before is None:
            return None
        try:
            tail = _read(snapshot, max(count, 1))
        except (OSError, ValueError, IndexError):  # unreadable, not JSON, a key without a number
            return None
        if tail is None or index_journal.identity_of(snapshot) == before:
            return tail  # else a compaction ran while both files were read: again
    return None


def _read(snapshot: Path, count: int) -> Tail | None:
    with safe_files.opened_for_reading(snapshot) as (handle, st):
        if st.st_size > Limit.INDEX:
            return None
        head = os.pread(handle, min(st.st_size, _HEAD_BYTES), 0)
        start = head.find(b"\n") + 1
        header = _header(head[:start])
        if header is None or os.pread(handle, len(_END), st.st_size - len(_END)) != _END:
            return None
        rows = _last_rows(handle, start, st.st_size - len(_END), count)
    if rows is None or (len(rows) < count and len(rows) != header[ROW_COUNT_FIELD]):
        return None
    return _merge(header, rows, _journal_rows(snapshot, header[JOURNAL_FIELD]), count)


def _header(line: bytes) -> dict[str, Any] | None:
    """The snapshot's first line as a header with a generation, a row count and counts; None otherwise."""
    if not line.endswith(_ROWS_START):
        return None
    header = orjson.loads(line[:-len(_ROWS_START)] + b"}")
    if type(header) is not dict:
        return None
    generation, rows, counts = header.get(JOURNAL_FIELD), header.get(ROW_COUNT_FIELD), header.get(COUNTS_FIELD)
    if type(generation) is not int or generation < 1 or type(rows) is not int or type(counts) is not dict:
        return None
    if any(type(n) is not int or n < 0 for n in counts.values()) or sum(counts.values()) != rows:
        return None
    return header


def _last_rows(handle: int, start: int, end: int, count: int) -> list[Row] | None:
    """The last `count` rows between `start` and `end` (all of them when fewer), parsed; None when one is not a row."""
    block = count * _ROW_BYTES_GUESS
    while True:
        begin = max(start, end - block)
        lines = os.pread(handle, end - begin, begin).split(b"\n")
        if begin > start:
            lines = lines[1:]  # the first line may be cut
        if len(lines) >= count or begin == start:
            break
        block *= 2
    chosen = lines[-count:]
    if chosen == [b""]:  # no rows at all
        return []
    rows: list[Row] = orjson.loads(b"[" + b"\n".join(chosen).removesuffix(b",") + b"]")
    if not all(type(row) is dict and type(row.get(_KEY)) is str for row in rows):
        return None
    return rows


def _journal_rows(snapshot: Path, generation: int) -> list[Row]:
    try:
        data = safe_files.read_bytes(index_journal.journal_path(snapshot, generation), limit=Limit.INDEX)
    except FileNotFoundError:
        return []
    return index_journal.parse_lines(data[:data.rfind(b"\n") + 1], _KEY)


def _merge(header: dict[str, Any], rows: list[Row], changes: list[Row], count: int) -> Tail | None:
    """The snapshot's last rows with the journal's changes applied, as a whole read would give them."""
    counts = dict(header[COUNTS_FIELD])
    numbers = [counter_of(row[_KEY]) for row in rows]
    if any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
        return None  # not in task order: where a journal row belongs is unknown
    whole = len(rows) == header[ROW_COUNT_FIELD]
    merged = {row[_KEY]: row for row in rows}
    total = header[ROW_COUNT_FIELD]
    for row in changes:
        key, old = row[_KEY], merged.get(row[_KEY])
        if old is None:
            if not whole and counter_of(key) < numbers[0]:
                return None  # a change to a row not read
            total += 1
        elif not _count(counts, old, -1):
            return None
        if not _count(counts, row, 1):
            return None
        merged[key] = row
    shown = list(merged.values())[-count:]
    return Tail(header, shown, total, counts)


def _count(counts: dict[str, int], row: Row, step: int) -> bool:
    status = row.get("status")
    if type(status) is not str or status not in counts:
        return False
    counts[status] += step
    return True
