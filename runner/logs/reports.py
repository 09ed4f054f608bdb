"""Reports kept with the logs: `<project>/.claude/logs/reports/<session_id>.html`, private and atomic.

The folder is made 0700 like every log folder and is never a symbolic link (a link could carry
the report out of the logs); the file is written 0600 through the store's atomic, durable write.
"""

from __future__ import annotations

from pathlib import Path

from runner.errors import StoreError
from runner.ids import IdKind, validate
from runner.logs.store import durable
from runner.logs.store.paths import LogPaths, ensure_private_dir

REPORTS = "reports"


def reports_dir(paths: LogPaths) -> Path:
    return paths.logs_dir / REPORTS


def save_session_report(paths: LogPaths, session_id: str, html: str) -> Path:
    """Write the session's HTML report (replacing an older one) and return its path."""
    folder = reports_dir(paths)
    for link in (paths.logs_dir, folder):
        if link.is_symlink():
            raise StoreError(f"{link} is a symbolic link; reports are only written inside the logs folder",
                             hint=f"remove the link {link}, or write the report elsewhere: "
                                  "pm-runner logs report --format html --output FILE")
    ensure_private_dir(folder, stop_at=paths.logs_dir.parent)
    path = folder / f"{validate(IdKind.SESSION, session_id)}.html"
    durable.write_atomic(path, html.encode("utf-8"), durable=True)
    return path
