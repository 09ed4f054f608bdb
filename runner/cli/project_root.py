"""Which folder is the project: `--project`, else the nearest folder up with `.claude/`, then `.git`,
as git finds its repository; else the current folder.

The user's own `~/.claude/` (Claude Code's settings) is not a project marker, so a fresh folder
under the home directory stays its own project. A `.git` marks a repository only when git would take
it for one: a folder with a `HEAD` file, or a `gitdir:` pointer file. Sandboxes create empty `.git`
mount points under the folders they make read-only (Codex's Linux sandbox does so in `/tmp`), and
one of those must not turn `/tmp` into the project of every folder below it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from runner.cli.env import Environment

_GITDIR_POINTER = b"gitdir:"


def discover_project_root(start: Path, home: Path | None) -> Path:
    """The nearest ancestor of `start` (itself included) with `.claude/`, else with `.git`, else `start`."""
    start = start.resolve()
    chain = [start, *start.parents]
    for folder in chain:
        if folder != home and (folder / ".claude").is_dir():
            return folder
    for folder in chain:
        if is_git_marker(folder / ".git"):
            return folder
    return start


def is_git_marker(path: Path) -> bool:
    """Whether `path` is a `.git` git would use: a folder holding a regular `HEAD`, or a regular file
    starting with `gitdir:` (a worktree or submodule). Read without blocking: a FIFO is no marker."""
    try:
        if path.is_dir():
            return stat.S_ISREG((path / "HEAD").stat().st_mode)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(_GITDIR_POINTER)) == _GITDIR_POINTER
    except OSError:
        return False
    finally:
        os.close(fd)


def project_from(given: Path | None, env: Environment) -> Path:
    """`--project DIR` (relative to the current folder), else the discovered root."""
    if given is not None:
        return (env.cwd / given).resolve()
    home = env.environ.get("HOME")
    return discover_project_root(env.cwd, Path(home).resolve() if home else None)
