"""Index journals (DESIGN §3): an index is a snapshot plus the row changes appended since, last one wins.

An index — a session's task rows, or the project's session rows — is two files:

- the snapshot, `index.json`: a JSON object whose `journal` field is its generation G and whose
  rows field (`entries`, `sessions`) lists rows;
- the journal, `index.G.jsonl`: one row per line, appended (under the index's lock) whenever a
  row changes, so a change costs one line whatever the index's size.

A reader takes the snapshot's rows and lets each journal row replace the row with the same key
(or join the end, in the order rows first appear). A torn or invalid line is skipped.

Compaction (under the lock) creates the empty journal G+1, writes the snapshot naming G+1 with
every row (durably: its folder fsync also makes the new journal's entry durable), then removes
journal G. A journal is therefore only ever appended to, and a crash between the two steps
leaves journal G behind, named by no snapshot: its lines are never applied twice (they are in
the new snapshot), and the next compaction removes it. A snapshot without a `journal` field
(written before index journals existed) is generation 0 and has no journal.
A snapshot is laid out one row per line after a header line (`row_count` rows): whitespace to a
JSON parser, and the way `index_tail` finds the newest rows without parsing the others.

A reader checks that the snapshot did not change while it read both files (a compaction in
between) and reads again if it did. Reads are cached by the snapshot's identity: while it is
unchanged only the bytes appended to the journal since the last read are parsed.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from runner.logs.store import safe_files
from runner.logs.store.journal import Journal
from runner.logs.store.safe_files import Limit

JOURNAL_FIELD = "journal"
ROW_COUNT_FIELD = "row_count"  # rows in the snapshot (written since the one-row-per-line layout)
_JOURNAL_NAME = re.compile(r"index\.([0-9]{1,12})\.jsonl", re.ASCII)
_READ_TRIES = 3
_CACHE_SIZE = 16

Identity = tuple[int, int, int, int]
Row = dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """What kind of index: the snapshot's rows field and the key that names a row."""

    rows_field: str
    key: str


SESSION_INDEX = Layout("entries", "task_id")
GLOBAL_INDEX = Layout("sessions", "session_id")


# -- file operations ------------------------------------------------------------------------------
# Every file operation of this module goes through these few functions, all of them the
# link-refusing, private-mode primitives of `safe_files` (issue 9).


def _lstat(path: Path) -> os.stat_result | None:
    return safe_files.lstat(path)


def _read(path: Path) -> bytes:
    """A whole regular file within the index size limit (OSError otherwise: a link, a FIFO, a huge file)."""
    return safe_files.read_bytes(path, limit=Limit.INDEX)


def _create_empty(path: Path) -> None:
    """A new empty 0600 file in place of anything that was there."""
    safe_files.unlink(path)
    os.close(safe_files.open_append(path))


def _write_atomic(path: Path, data: bytes, *, durable_write: bool) -> None:
    safe_files.write_atomic(path, data, durable=durable_write)


def _unlink(path: Path) -> None:
    safe_files.unlink(path)


def _names(folder: Path) -> list[str]:
    return safe_files.list_names(folder)


def identity_of(path: Path) -> Identity | None:
    """(device, inode, size, mtime) of a regular file (a link is not followed); None when unusable."""
    try:
        st = _lstat(path)
    except (OSError, ValueError):
        return None
    if st is None or not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def journal_path(snapshot: Path, generation: int) -> Path:
    """`index.json` of generation G -> `index.G.jsonl` next to it."""
    return snapshot.with_name(f"{snapshot.stem}.{generation}.jsonl")


@dataclass
class Loaded:
    """An index as read: the snapshot's other fields, the merged rows and where the journal stands."""

    header: dict[str, Any]
    generation: int
    by_key: dict[str, Row]
    journal_lines: int = 0
    snapshot_identity: Identity | None = None
    journal_end: int = 0  # bytes of the journal parsed: up to (and with) its last newline
    journal_updated_at: str = ""  # the latest `updated_at` among the journal's rows
    _rows: list[Row] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[Row]:
        """The rows in order (a row a journal line adds comes after the snapshot's)."""
        if self._rows is None:
            self._rows = list(self.by_key.values())
        return self._rows

    def apply(self, updates: list[Row], key: str) -> None:
        for row in updates:
            self.by_key[row[key]] = row
            stamp = row.get("updated_at")
            if type(stamp) is str and stamp > self.journal_updated_at:
                self.journal_updated_at = stamp
        self.journal_lines += len(updates)
        if updates:
            self._rows = None


# Parsed indexes by snapshot path: unchanged snapshot identity means unchanged snapshot content
# (every snapshot write is an atomic replace: a new inode), and its journal only ever grows.
_cache: dict[str, Loaded] = {}


def read_index(snapshot: Path, layout: Layout) -> Loaded | None:
    """The index merged from snapshot and journal; None when the snapshot is missing or not an index.

    The result is shared with later calls (a cache): callers must not change it.
    """
    loaded: Loaded | None = None
    for _ in range(_READ_TRIES):
        before = identity_of(snapshot)
        if before is None:
            return None
        cached = _cache.get(str(snapshot))
        if cached is not None and cached.snapshot_identity == before:
            loaded = _read_tail(snapshot, cached, layout)
        else:
            loaded = _read_whole(snapshot, layout)
        if loaded is None:
            return None
        if identity_of(snapshot) == before:  # no compaction ran while both files were read
            loaded.snapshot_identity = before
            _remember(snapshot, loaded)
            return loaded
    return loaded  # compacted under us at every try: still a consistent state as of one of them


def _remember(snapshot: Path, loaded: Loaded) -> None:
    if str(snapshot) not in _cache and len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[str(snapshot)] = loaded


def forget(snapshot: Path) -> None:
    """Drop the cached read of an index (after a write that did not go through here)."""
    _cache.pop(str(snapshot), None)


def _read_whole(snapshot: Path, layout: Layout) -> Loaded | None:
    try:
        document = orjson.loads(_read(snapshot))
    except (OSError, ValueError):
        return None
    if type(document) is not dict:
        return None
    rows = document.pop(layout.rows_field, [])
    generation = document.pop(JOURNAL_FIELD, 0)
    document.pop(ROW_COUNT_FIELD, None)  # the snapshot's alone: the journal may add rows
    if type(rows) is not list or type(generation) is not int or generation < 0:
        return None
    key = layout.key
    by_key = {row[key]: row for row in rows if type(row) is dict and type(row.get(key)) is str}
    loaded = Loaded(header=document, generation=generation, by_key=by_key)
    return _read_tail(snapshot, loaded, layout) if generation else loaded


def _read_tail(snapshot: Path, loaded: Loaded, layout: Layout) -> Loaded | None:
    """`loaded` with the journal lines appended since it was read (a copy: the cached one stays as it was)."""
    try:
        data = _read(journal_path(snapshot, loaded.generation))
    except FileNotFoundError:
        data = b""
    except OSError:
        return None  # a link, a FIFO or a huge file in the journal's place: the index is unusable
    end = data.rfind(b"\n") + 1  # a last line without its newline may still be being written
    if end <= loaded.journal_end:
        return loaded
    updated = Loaded(header=loaded.header, generation=loaded.generation, by_key=dict(loaded.by_key),
                     journal_lines=loaded.journal_lines, journal_end=end,
                     journal_updated_at=loaded.journal_updated_at)
    updated.apply(parse_lines(data[loaded.journal_end:end], layout.key), layout.key)
    return updated


def parse_lines(data: bytes, key: str) -> list[Row]:
    """The valid rows of journal bytes, in order; torn, fenced or foreign lines are skipped."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    try:  # one parse for the usual case, every line whole
        parsed = orjson.loads(b"[" + b",".join(lines) + b"]")
    except orjson.JSONDecodeError:
        parsed = []
        for line in lines:
            try:
                parsed.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
    return [row for row in parsed if type(row) is dict and type(row.get(key)) is str]


# -- writing (the caller holds the index's lock) ------------------------------------------------


def row_bytes(row: Row) -> bytes:
    """One row as the snapshot and the journal store it."""
    return orjson.dumps(row)


def write_snapshot(snapshot: Path, header: dict[str, Any], rows: Iterable[bytes], layout: Layout,
                   generation: int, *, durable: bool) -> Identity | None:
    """Compaction: the empty journal `generation`, then the snapshot naming it, then older journals go.

    `rows` are `row_bytes` of every row, in order. The snapshot is one JSON object laid out a row
    per line after a first line holding the header (with `row_count`), so a reader of the newest
    rows reads the file from its end (`index_tail`). Returns the new snapshot's identity.
    """
    if generation < 1:
        raise ValueError("a written snapshot starts a journal generation (>= 1)")
    stored = list(rows)
    _create_empty(journal_path(snapshot, generation))  # a leftover of this generation is never applied
    head = orjson.dumps({**header, JOURNAL_FIELD: generation, ROW_COUNT_FIELD: len(stored)})
    field_name = orjson.dumps(layout.rows_field)
    data = b"".join((head[:-1], b",", field_name, b":[\n", b",\n".join(stored), b"\n]}"))
    _write_atomic(snapshot, data, durable_write=durable)
    forget(snapshot)
    remove_old_journals(snapshot, keep=generation)
    return identity_of(snapshot)


def next_generation(snapshot: Path, current: int) -> int:
    """The generation a new snapshot takes: past `current` and past every journal left in the folder."""
    try:
        names = _names(snapshot.parent)
    except OSError:
        names = []
    found = [int(m.group(1)) for name in names if (m := _JOURNAL_NAME.fullmatch(name))]
    return max([current, *found]) + 1


def remove_old_journals(snapshot: Path, *, keep: int) -> None:
    """Delete the journals of generations other than `keep` (best effort: no snapshot names them)."""
    try:
        names = _names(snapshot.parent)
    except OSError:
        return
    for name in names:
        match = _JOURNAL_NAME.fullmatch(name)
        if match is not None and int(match.group(1)) != keep:
            try:
                _unlink(snapshot.with_name(name))
            except OSError:
                continue


def is_journal_name(name: str) -> bool:
    return _JOURNAL_NAME.fullmatch(name) is not None


def append_row(snapshot: Path, generation: int, line: bytes, *, sync: bool) -> None:
    """Append one row to the journal of `generation` (opened and closed: for rare writers like the global index)."""
    journal = Journal(journal_path(snapshot, generation))
    try:
        journal.append(line, sync=sync)
    finally:
        journal.close(quiet=True)
