"""How many bytes the logs folder, each session and each task use on disk (retention's input).

A task's log is its snapshot plus its journal; its raw logs are counted apart. A
session's total also holds its metadata, index and lock. Totals of sessions are
cached in `logs/usage.json`, keyed by the identity of each session's index (its snapshot
and journal), so a start-up with nothing to do lists one folder per session instead of
stat-ing every file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from runner.ids import IdKind, is_valid
from runner.logs.store import indexes, safe_files
from runner.logs.store.paths import LogPaths, task_id_of_file
from runner.logs.store.safe_files import Limit

USAGE_CACHE = "usage.json"
_CACHE_VERSION = 2  # 2: keyed by the snapshot and journal of each index


@dataclass
class SessionUsage:
    """Bytes of one session: per task (log, raw) and in total."""

    session_id: str
    total: int = 0
    largest_log: int = 0
    log_bytes: dict[str, int] = field(default_factory=dict)  # snapshot + journal, by task id
    raw_bytes: dict[str, int] = field(default_factory=dict)  # raw executor output, by task id
    detailed: bool = False  # False when it came from the cache (totals only)

    def task_bytes(self, task_id: str) -> int:
        """Everything removing the task would free: its log and its raw logs."""
        return self.log_bytes.get(task_id, 0) + self.raw_bytes.get(task_id, 0)


Entry = tuple[str, os.stat_result]


def _entries(folder: Path) -> list[Entry]:
    """(name, lstat) of each entry of a real folder; a missing folder or a link in its place is empty."""
    try:
        return safe_files.list_entries(folder)
    except OSError:
        return []


def _size(entry: Entry) -> int:
    """Bytes of a regular file; links and special files count as nothing (they are never followed)."""
    return entry[1].st_size if stat.S_ISREG(entry[1].st_mode) else 0


def scan_session(paths: LogPaths, session_id: str) -> SessionUsage:
    """Stat every file of one session (its folder, its tasks and its raw logs)."""
    usage = SessionUsage(session_id, detailed=True)
    for entry in _entries(paths.session_dir(session_id)):
        usage.total += _size(entry)
    for entry in _entries(paths.tasks_dir(session_id)):
        size = _size(entry)
        usage.total += size
        task_id = task_id_of_file(entry[0])
        if task_id is not None:
            usage.log_bytes[task_id] = usage.log_bytes.get(task_id, 0) + size
    for entry in _entries(paths.raw_dir(session_id)):
        size = _size(entry)
        usage.total += size
        task_id = entry[0].split("_", 1)[0]
        if is_valid(IdKind.TASK, task_id):
            usage.raw_bytes[task_id] = usage.raw_bytes.get(task_id, 0) + size
    usage.largest_log = max(usage.log_bytes.values(), default=0)
    return usage


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under `folder` (symlinks are not followed)."""
    total = 0
    for entry in _entries(folder):
        if stat.S_ISDIR(entry[1].st_mode):
            total += folder_bytes(folder / entry[0])
        else:
            total += _size(entry)
    return total


def top_level_bytes(paths: LogPaths) -> int:
    """Files directly in the logs folder (global index, lock, retention log, this cache)."""
    return sum(_size(entry) for entry in _entries(paths.logs_dir))


def measure_sessions(paths: LogPaths, session_ids: list[str]) -> dict[str, SessionUsage]:
    """Usage of each session: from the cache when its index file is unchanged, else scanned.

    The cache is rewritten (not fsynced: it is only a cache) when anything changed.
    """
    cached = _read_cache(paths)
    fresh: dict[str, list[object]] = {}
    result: dict[str, SessionUsage] = {}
    for session_id in session_ids:
        ident = indexes.index_identity(paths, session_id)
        hit = cached.get(session_id)
        if ident is not None and hit is not None and hit[0] == ident and _ints(hit[1:]):
            result[session_id] = SessionUsage(session_id, total=_int(hit[1]), largest_log=_int(hit[2]))
        else:
            result[session_id] = scan_session(paths, session_id)
        usage = result[session_id]
        fresh[session_id] = [ident, usage.total, usage.largest_log]
    if fresh != cached:
        _write_cache(paths, fresh)
    return result


def _ints(values: list[object]) -> bool:
    return all(isinstance(v, int) and v >= 0 for v in values)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _read_cache(paths: LogPaths) -> dict[str, list[object]]:
    try:
        data = orjson.loads(safe_files.read_bytes(paths.logs_dir / USAGE_CACHE, limit=Limit.INDEX))
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return {}
    sessions = data.get("sessions")
    if not isinstance(sessions, dict):
        return {}
    return {sid: row for sid, row in sessions.items() if isinstance(row, list) and len(row) == 3}


def _write_cache(paths: LogPaths, sessions: dict[str, list[object]]) -> None:
    body = orjson.dumps({"version": _CACHE_VERSION, "sessions": sessions})
    try:
        safe_files.write_atomic(paths.logs_dir / USAGE_CACHE, body, durable=False)
    except OSError:
        pass  # a cache that cannot be saved only costs a rescan next time

