"""`LoggingLimits`: how long logs are kept and how large a task, a session and the logs folder may grow,
and how such sizes are written (`format_size`, binary units as the limits are).

Data only, shared by the config file's schema and by retention; it lives with the logs so that
retention never imports the config.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024


class LoggingLimits(BaseModel):
    """Retention and size limits of the logs folder (DESIGN §10); the `logging` table of the config file."""

    model_config = ConfigDict(extra="forbid")

    retention_days: float = Field(default=30, ge=0)
    max_task_log_size_mb: float = Field(default=10, gt=0)
    max_session_log_size_mb: float = Field(default=100, gt=0)
    max_total_log_size_mb: float = Field(default=1024, gt=0)
    max_event_size_mb: float = Field(default=1, gt=0)


def format_size(size: int) -> str:
    """`512 B`, `2.3 KB`, `5.2 MB`, `1.1 GB` (binary units, as the limits are)."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
