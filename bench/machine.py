"""The machine line printed with every run: CPU model, cores, Python, OS, and the scratch filesystem.

Figures only compare within one run, but a reader comparing two RESULTS.md files needs to
know whether the disk, the CPU or the interpreter changed underneath them.
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    python: str
    system: str
    temp_dir: str
    filesystem: str

    def line(self) -> str:
        return (f"{self.cpu}, {self.cores} cores, Python {self.python}, {self.system}; "
                f"scratch folders in {self.temp_dir} ({self.filesystem})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo where there is one, else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash in octal (`\040`).
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def filesystem_type(path: Path) -> str:
    """The type of the filesystem holding `path` (the longest mount point above it), or "unknown"."""
    target = str(path.resolve())
    best, kind = "", "unknown"
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) < 3:
                    continue
                point = _unescape_mount(fields[1])
                inside = target == point or target.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except OSError:
        return "unknown"
    return kind


def describe(temp_dir: Path) -> Machine:
    return Machine(
        cpu=cpu_model(),
        cores=os.cpu_count() or 1,
        python=f"{platform.python_implementation()} {platform.python_version()}",
        system=f"{platform.system()} {platform.release()}",
        temp_dir=str(temp_dir),
        filesystem=filesystem_type(temp_dir),
    )
