"""Reading one session for an export or a report, masked once.

Shared by `/logs --report` and `pm-runner logs export|report`: the logs package reads, the export
package masks, and this edge module puts the two together.
"""

from __future__ import annotations

from runner.export.masked import MaskedSession, mask_session
from runner.logs.export_source import read_session
from runner.logs.store import LogReader


def load_session(reader: LogReader, session_id: str, *, since_ms: int | None = None,
                 terminal_only: bool = False) -> MaskedSession:
    """Read a session and pass it through the one masking pass."""
    read = read_session(reader, session_id, since_ms=since_ms)
    return mask_session(read.session_id, read.logs, started_at=read.started_at, meta=read.meta,
                        terminal_only=terminal_only, logs_dir=reader.paths.shown_logs_dir)
