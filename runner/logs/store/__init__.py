"""The log store: where TaskLogs live on disk and how they are written, locked and read back.

Split by concern: `paths` (layout, id checks, 0700 folders), `safe_files` (every open,
read, write and delete under `.claude`: no links followed, no FIFOs opened, reads capped; 0600
files, atomic durable writes), `codec` (the serialise/parse pair), `journal` (per-task event
journal, snapshot + journal reads), `locks`, `indexes` (rows, rebuilds), `context` (what
writers share), `sessions` (opening, taking over and releasing a session), `rawlog` (raw
executor output) and `reader` (`LogReader`, the read API). This module re-exports the
public face, each name imported from its module on first use (PEP 562): a REPL that only
checks its logs folder at start loads `paths` and `safe_files`, not the reader and the
indexes. Nothing here imports rich.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from runner.logs.vocabulary import Durability

if TYPE_CHECKING:
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

__all__ = [
    "Durability", "LogPaths", "LogReader", "dumps", "parse_global_index", "parse_session_index",
    "parse_session_meta", "parse_task_log", "write_atomic",
]

# Each re-exported name and the module of this package it comes from.
_HOMES = {"dumps": "codec", "parse_global_index": "codec", "parse_session_index": "codec",
          "parse_session_meta": "codec", "parse_task_log": "codec", "LogPaths": "paths",
          "LogReader": "reader", "write_atomic": "safe_files"}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found once: later uses read the module's own attribute
    return value
