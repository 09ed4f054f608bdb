"""The project's session list, `logs/index.json` plus its journal: one `SessionSummary` row per session.

Rows change rarely — when a session is created, released, recovered or trimmed by retention —
and each change is one journal line (`index_journal`). A row's counts are final once its
`ended_at` is set; while it is not (the session is live, or its runner died), `LogReader`
counts the session's own index instead. The index is a cache of the session folders: when it
is missing, does not parse or lacks a session, it is rebuilt from them. Writers hold the
global lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from runner.ids import IdKind, is_valid
from runner.logs.store import index_journal, indexes
from runner.logs.store.index_journal import GLOBAL_INDEX, Row
from runner.logs.store.paths import LogPaths
from runner.logs.vocabulary import TaskStatus

if TYPE_CHECKING:  # imported where rows are validated or made: `read_session_ids` needs no pydantic
    from runner.logs.models import (
        GlobalIndex,
        SessionIndex,
        SessionMeta,
        SessionSummary,
        StatusCounts,
    )

COMPACT_MIN_LINES = 256
_STATUS_NAMES = tuple(status.value for status in TaskStatus)


def session_summary(session_id: str, meta: SessionMeta | None, index: SessionIndex) -> SessionSummary:
    """The global-index row of a session, from its metadata and its index."""
    from runner.logs.models import SessionSummary

    started = meta.started_at if meta else (index.entries[0].started_at if index.entries else index.updated_at)
    return SessionSummary(
        session_id=session_id, started_at=started, updated_at=index.updated_at,
        project_root=meta.project_root if meta else None, executor=meta.executor if meta else None,
        task_count=len(index.entries), counts=indexes.counts_of(index.entries),
        ended_at=meta.ended_at if meta else None,
    )


def counts_of_rows(rows: Iterable[Row]) -> StatusCounts:
    """Tasks by status over stored rows (a row with an unknown status is not counted)."""
    from runner.logs.models import StatusCounts

    found = Counter(row.get("status") for row in rows)
    return StatusCounts(**{name: found[name] for name in _STATUS_NAMES})


def read_session_ids(paths: LogPaths) -> list[str] | None:
    """The session ids of the index's rows as stored, or None when it is missing or a row has no valid id.

    What finding the latest session needs: one parse, no model (the rows' other fields are
    validated by `read_global_index` when a listing shows them).
    """
    loaded = index_journal.read_index(paths.global_index, GLOBAL_INDEX)
    if loaded is None:
        return None
    ids: list[str] = []
    for row in loaded.rows:
        session_id = row.get("session_id")
        if not is_valid(IdKind.SESSION, session_id):
            return None
        ids.append(str(session_id))
    return ids


def read_global_index(paths: LogPaths) -> GlobalIndex | None:
    """The session rows, or None when the index is missing or does not validate."""
    from runner.logs.models import GlobalIndex

    loaded = index_journal.read_index(paths.global_index, GLOBAL_INDEX)
    if loaded is None:
        return None
    try:
        return GlobalIndex.model_validate({**loaded.header, "sessions": loaded.rows})
    except ValueError:
        return None


def rebuild_global_index(paths: LogPaths, now: str) -> GlobalIndex:
    """One row per session folder that has metadata or an index, from those files."""
    from runner.logs.models import GlobalIndex

    rows: list[SessionSummary] = []
    for session_id in indexes.session_ids_on_disk(paths):
        meta = indexes.read_session_meta(paths, session_id)
        index = indexes.read_session_index(paths, session_id)
        if index is None:
            if meta is None and not indexes.task_ids_on_disk(paths, session_id):
                continue  # a folder whose creator died before writing anything
            index = indexes.rebuild_session_index(paths, session_id, now)
        rows.append(session_summary(session_id, meta, index))
    return GlobalIndex(updated_at=now, sessions=rows)


def put_global_row_locked(paths: LogPaths, row: SessionSummary, now: str, *, durable_write: bool) -> None:
    """Replace one session's row (caller holds the global lock): one journal line, or a new snapshot when due."""
    from runner.logs.models import GlobalIndex

    loaded = index_journal.read_index(paths.global_index, GLOBAL_INDEX)
    due = loaded is None or not loaded.generation or loaded.journal_lines >= max(COMPACT_MIN_LINES,
                                                                                 len(loaded.by_key))
    if not due and loaded is not None:
        line = index_journal.row_bytes(row.model_dump(mode="json"))
        index_journal.append_row(paths.global_index, loaded.generation, line, sync=durable_write)
        return
    current = read_global_index(paths) or rebuild_global_index(paths, now)
    rows = {r.session_id: r for r in current.sessions}
    rows[row.session_id] = row
    ordered = sorted(rows.values(), key=lambda r: indexes.session_sort_key(r.session_id))
    write_global_index_locked(paths, GlobalIndex(updated_at=now, sessions=ordered), durable_write=True)


def write_global_index_locked(paths: LogPaths, index: GlobalIndex, *, durable_write: bool) -> None:
    """Replace the whole session list with a new snapshot (caller holds the global lock)."""
    path = paths.global_index
    current = index_journal.read_index(path, GLOBAL_INDEX)
    generation = index_journal.next_generation(path, current.generation if current else 0)
    index_journal.write_snapshot(path, {"updated_at": index.updated_at},
                                 (index_journal.row_bytes(r.model_dump(mode="json")) for r in index.sessions),
                                 GLOBAL_INDEX, generation, durable=durable_write)
