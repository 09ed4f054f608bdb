"""`LoggingLimits`: how long logs are kept and how large a task, a session and the logs folder may grow,
and how such sizes are written (`format_size`, binary units as the limits are).

Data only (no pydantic), used by the resolved settings and by retention; it lives with the logs so
that retention never imports the config. The config file's `logging` table is validated against
`config_schema.LoggingLimits` (the same fields, with their bounds) and resolved into this.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class LoggingLimits:
    """Retention and size limits of the logs folder (DESIGN §10), as resolved from the `logging` table."""

    retention_days: float = 30
    max_task_log_size_mb: float = 10
    max_session_log_size_mb: float = 100
    max_total_log_size_mb: float = 1024
    max_event_size_mb: float = 1


def format_size(size: int) -> str:
    """`512 B`, `2.3 KB`, `5.2 MB`, `1.1 GB` (binary units, as the limits are)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
