"""What the marker lines of each text file were when the task started, so Q2/Q3 count only added ones.

A line an agent added is one that is in the file now more times than it was at the start (a
multiset difference: moving a line is not adding it). Only lines holding a Q2/Q3 marker matter,
so that is all the baseline keeps — per file, a count of its marker lines — after reading each
text file once when the task starts (the files a scan of the project counts, `.gitignore` honoured,
as change detection counts them), within `MAX_FILE_BYTES` per file and `MAX_TOTAL_BYTES` in all. A
file modified later that had no baseline (too large, past the total, unreadable, past the scan's
cap) is reported as not checked, never guessed.
"""

from __future__ import annotations

import stat
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runner.changes.scan import fingerprint_fields, scan_tree
from runner.review.markers import omission_marker, todo_marker
from runner.review.text_files import read_text

MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024


def has_marker(line: str) -> bool:
    return todo_marker(line) is not None or omission_marker(line) is not None


def marker_lines(text: str) -> Counter[str]:
    """How many times each line that holds a Q2/Q3 marker occurs (lines compared without trailing blanks)."""
    return Counter(line.rstrip() for line in text.splitlines() if has_marker(line))


@dataclass(frozen=True)
class Baseline:
    """Marker lines per file at the start of the task; `unknown` files have no baseline, and why."""

    markers: Mapping[str, Counter[str]] = field(default_factory=dict)
    unknown: Mapping[str, str] = field(default_factory=dict)
    # Set when the scan stopped at its cap: files it did not reach (not in `seen`) have no baseline.
    partial: str | None = None
    seen: frozenset[str] = frozenset()

    def knows(self, path: str) -> bool:
        return path not in self.unknown and (self.partial is None or path in self.seen)

    def why_unknown(self, path: str) -> str:
        return self.unknown.get(path) or self.partial or "not read when the task started"


def take_baseline(root: Path) -> Baseline:
    """Scan the project, read each regular file in path order, and keep its marker lines."""
    markers: dict[str, Counter[str]] = {}
    unknown: dict[str, str] = {}
    budget = MAX_TOTAL_BYTES
    scan = scan_tree(str(root))
    entries = scan.by_path()
    for path in sorted(entries):
        size, _mtime, _ctime, _inode, kind = fingerprint_fields(entries[path])
        if kind != stat.S_IFREG:
            continue
        if size > MAX_FILE_BYTES:
            unknown[path] = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB when the task started"
            continue
        if size > budget:
            unknown[path] = "past the baseline's total read budget when the task started"
            continue
        read = read_text(root, path, MAX_FILE_BYTES)
        budget -= size
        if read.text is None:
            if read.skip != "binary":
                unknown[path] = f"{read.skip} when the task started"
            continue
        found = marker_lines(read.text)
        if found:
            markers[path] = found
    if scan.truncated:
        partial = f"the project has more than {scan.limit:,} files; the scan stopped before this one"
        return Baseline(markers, unknown, partial, frozenset(entries))
    return Baseline(markers, unknown)


def added_marker_lines(text: str, before: Counter[str] | None) -> list[tuple[int, str]]:
    """(line number, line) of each marker line in `text` beyond the count the file had at the start."""
    left = Counter(before or {})
    added: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not has_marker(line):
            continue
        key = line.rstrip()
        if left[key] > 0:
            left[key] -= 1
        else:
            added.append((number, line))
    return added
