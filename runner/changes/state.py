"""What one look at a project holds (`ProjectState`), and what changed between two looks (`ChangeSet`)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from runner.changes.git import Repository, Status
from runner.changes.scan import Scan, fingerprint
from runner.changes.sensitive import SensitiveState


class Method(StrEnum):
    """How a state was taken: git's own view of the work tree, or a scan of every folder."""

    GIT = "git status"
    SCAN = "scan"


@dataclass
class GitLook:
    """A work tree as git reports it: the paths not clean, their files on disk, and HEAD."""

    repository: Repository
    head: str | None
    status: Status
    disk: dict[str, bytes | None]  # each counted listed path: fingerprint, or None when not a file
    digests: dict[str, bytes] = field(default_factory=dict)  # racy listed files, when hashed
    subtrees: dict[str, Scan] = field(default_factory=dict)  # nested repositories and submodules


@dataclass
class ProjectState:
    """The project at one instant; `git` or `scan` is set, as `method` says."""

    root: Path
    taken_at_ns: int
    method: Method
    sensitive: SensitiveState
    scan: Scan | None = None
    git: GitLook | None = None
    note: str | None = None  # why git was not used, when the project is in a work tree
    reused: bool = False  # the previous task's "after", proven unchanged since


@dataclass(frozen=True)
class ChangeSet:
    """Counted files a task created, modified and deleted (sorted), and how far to trust the list."""

    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # created or modified regular files: size now
    sensitive: list[str] = field(default_factory=list)  # hidden files of SENSITIVE_PATTERNS that changed
    incomplete: list[str] = field(default_factory=list)  # why changes may be missing; empty when complete
    method: str = Method.SCAN.value

    @property
    def changed(self) -> int:
        return len(self.created) + len(self.modified) + len(self.deleted)


def look(root: Path, relative: str) -> bytes | None:
    """The fingerprint of a counted path now: a regular file or a symlink, else None."""
    try:
        info = os.lstat(os.path.join(root, relative))
    except OSError:
        return None
    if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
        return fingerprint(info)
    return None
