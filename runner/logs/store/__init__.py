"""The log store: where TaskLogs live on disk and how they are written, locked and read back.

Split by concern: `paths` (layout, id checks, 0700 folders), `safe_files` (every open,
read, write and delete under `.claude`: no links followed, no FIFOs opened, reads capped; 0600
files, atomic durable writes), `codec` (the serialise/parse pair), `journal` (per-task event
journal, snapshot + journal reads), `locks`, `indexes` (rows, rebuilds), `context` (what
writers share), `sessions` (opening, taking over and releasing a session), `rawlog` (raw
executor output) and `reader` (`LogReader`, the read API). This module re-exports the
public face; nothing here imports rich.
"""

from runner.logs.store.codec import (
    dumps,
    parse_global_index,
    parse_session_index,
    parse_session_meta,
    parse_task_log,
)
from runner.logs.store.paths import LogPaths
from runner.logs.store.reader import LogReader
from runner.logs.store.safe_files import write_atomic
from runner.logs.vocabulary import Durability

__all__ = [
    "Durability", "LogPaths", "LogReader", "dumps", "parse_global_index", "parse_session_index",
    "parse_session_meta", "parse_task_log", "write_atomic",
]
