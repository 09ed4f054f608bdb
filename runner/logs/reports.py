"""Reports kept with the logs: `<logs folder>/reports/<session_id>.html` (`.claude/logs/` unless --logs-dir), private and atomic.

The folder is made 0700 like every log folder and never reached through a symbolic link (a link
could carry the report out of the logs): `safe_files` refuses a link at any component below the
project root. The file is written 0600 through the store's atomic, durable write.
"""

from __future__ import annotations

from pathlib import Path

from runner.ids import IdKind, validate
from runner.logs.store import safe_files
from runner.logs.store.paths import LogPaths, ensure_private_dir, unsafe_store_error
from runner.logs.store.safe_files import UnsafeFileError

REPORTS = "reports"


def reports_dir(paths: LogPaths) -> Path:
    return paths.logs_dir / REPORTS


def save_session_report(paths: LogPaths, session_id: str, html: str) -> Path:
    """Write the session's HTML report (replacing an older one) and return its path."""
    folder = reports_dir(paths)
    ensure_private_dir(folder)
    path = folder / f"{validate(IdKind.SESSION, session_id)}.html"
    try:
        safe_files.write_atomic(path, html.encode("utf-8"), durable=True)
    except UnsafeFileError as exc:
        raise unsafe_store_error(exc) from None
    return path
