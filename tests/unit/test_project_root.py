"""Project discovery takes a `.git` for a repository only when git would: an empty `.git` (the mount
point a sandbox such as Codex's leaves in /tmp), a FIFO or a stray file marks nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runner.cli.project_root import discover_project_root, is_git_marker


def _start(tmp_path: Path) -> Path:
    start = tmp_path / "work" / "pkg"
    start.mkdir(parents=True)
    return start


def test_a_repository_made_by_git_is_the_project(tmp_path: Path) -> None:
    """`git init` above the current folder makes that folder the project."""
    start = _start(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path / "work")], check=True)
    assert discover_project_root(start, None) == tmp_path / "work"


def test_a_gitdir_pointer_file_is_a_repository(tmp_path: Path) -> None:
    """A worktree's or submodule's `.git` file (`gitdir: …`) marks the project."""
    start = _start(tmp_path)
    (tmp_path / "work" / ".git").write_text("gitdir: ../real/.git/worktrees/work\n")
    assert discover_project_root(start, None) == tmp_path / "work"


@pytest.mark.parametrize("kind", ["empty folder", "empty file", "other file", "fifo", "dangling link"])
def test_what_git_would_not_use_marks_nothing(tmp_path: Path, kind: str) -> None:
    """An empty `.git` folder or file, a file without `gitdir:`, a FIFO (never opened for a blocking
    read) or a dangling link is no repository: the current folder stays the project."""
    start = _start(tmp_path)
    marker = tmp_path / "work" / ".git"
    if kind == "empty folder":
        marker.mkdir()
    elif kind == "empty file":
        marker.touch()
    elif kind == "other file":
        marker.write_text("not a pointer\n")
    elif kind == "fifo":
        os.mkfifo(marker)
    else:
        marker.symlink_to(tmp_path / "missing")
    assert not is_git_marker(marker)
    assert discover_project_root(start, None) == start


def test_an_empty_git_folder_above_does_not_hide_the_repository_below(tmp_path: Path) -> None:
    """A sandbox's empty `.git` in a shared parent (as in /tmp) loses to the real repository nearer."""
    (tmp_path / ".git").mkdir()
    start = _start(tmp_path)
    assert discover_project_root(start, None) == start
    subprocess.run(["git", "init", "-q", str(start)], check=True)
    assert discover_project_root(start, None) == start
