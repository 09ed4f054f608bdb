"""Snapshots of a project tree and their diff: which files a task created, modified and deleted.

A snapshot records, for every regular file and symlink under the root (symlinks are never
followed; dot-entries, `node_modules`, `__pycache__` and virtualenvs are skipped), its size,
mtime_ns, ctime_ns and inode. Files changed within the racy window before a snapshot also
get a content digest, so a same-size rewrite inside one timestamp tick is still seen.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

EXCLUDED_DIR_NAMES = frozenset({"node_modules", "__pycache__", "venv"})
VENV_MARKER = "pyvenv.cfg"
# Coarse file systems stamp whole seconds; anything changed this close to a snapshot is "racy".
RACY_WINDOW_NS = 2_000_000_000
HASH_MAX_FILE_BYTES = 1024 * 1024
HASH_MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 500_000


class FileStat(NamedTuple):
    """What is compared between two snapshots; `digest` only for racy small files."""

    is_link: bool
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    digest: bytes | None = None

    def same_stat(self, other: FileStat) -> bool:
        return self[:5] == other[:5]


@dataclass(frozen=True)
class TreeSnapshot:
    """Every tracked entry under `root`, keyed by relative POSIX path."""

    root: Path
    taken_at_ns: int
    entries: Mapping[str, FileStat]
    truncated: bool = False
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreeDiff:
    """Sorted relative paths that appeared, changed or disappeared between two snapshots."""

    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return len(self.created) + len(self.modified) + len(self.deleted)


def is_excluded(name: str, path: str, is_dir: bool) -> bool:
    """Dot-entries are never scanned; neither are dependency, cache and virtualenv folders."""
    if name.startswith("."):
        return True
    if not is_dir:
        return False
    return name in EXCLUDED_DIR_NAMES or os.path.exists(os.path.join(path, VENV_MARKER))


def _walk(root: str, unreadable: list[str]) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Yield (relative path, entry) for every file and symlink, iteratively and without following links."""
    stack = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            unreadable.append(prefix or ".")
            continue
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_excluded(entry.name, entry.path, is_dir):
                continue
            if is_dir:
                stack.append((relative + "/", entry.path))
            else:
                yield relative, entry


def digest_file(path: Path | str) -> bytes | None:
    """A content digest, or None when the file cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).digest()
    except OSError:
        return None


def snapshot_tree(root: Path) -> TreeSnapshot:
    """Scan `root` once; fast enough for tens of thousands of files (see bench/)."""
    taken_at = time.time_ns()
    racy_after = taken_at - RACY_WINDOW_NS
    hash_budget = HASH_MAX_TOTAL_BYTES
    entries: dict[str, FileStat] = {}
    unreadable: list[str] = []
    truncated = False
    for relative, entry in _walk(str(root), unreadable):
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        link = stat.S_ISLNK(info.st_mode)
        if not link and not stat.S_ISREG(info.st_mode):
            continue
        digest = None
        racy = max(info.st_mtime_ns, info.st_ctime_ns) >= racy_after
        if racy and not link and info.st_size <= min(HASH_MAX_FILE_BYTES, hash_budget):
            digest = digest_file(entry.path)
            hash_budget -= info.st_size
        entries[relative] = FileStat(link, info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                     info.st_ino, digest)
        if len(entries) >= MAX_ENTRIES:
            truncated = True
            break
    return TreeSnapshot(Path(root), taken_at, entries, truncated, tuple(unreadable))


def _unchanged(path: str, before: FileStat, after: FileStat, after_root: Path) -> bool:
    if not before.same_stat(after):
        return False
    if before.digest is None:
        return True
    # The file was racy when first seen: only its content can tell. Re-read it if needed.
    current = after.digest if after.digest is not None else digest_file(after_root / path)
    return current == before.digest


def diff_snapshots(before: TreeSnapshot, after: TreeSnapshot) -> TreeDiff:
    """Created, modified and deleted paths. Only racy files are ever re-read; nothing else touches disk."""
    old, new = before.entries, after.entries
    created = sorted(path for path in new if path not in old)
    deleted = sorted(path for path in old if path not in new)
    modified = sorted(
        path for path, stat_after in new.items()
        if path in old and not _unchanged(path, old[path], stat_after, after.root)
    )
    return TreeDiff(created, modified, deleted)
