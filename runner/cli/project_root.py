"""Which folder is the project: `--project`, else the nearest folder up with `.claude/`, then `.git`,
as git finds its repository; else the current folder.

The user's own `~/.claude/` (Claude Code's settings) is not a project marker, so a fresh folder
under the home directory stays its own project.
"""

from __future__ import annotations

from pathlib import Path

from runner.cli.env import Environment


def discover_project_root(start: Path, home: Path | None) -> Path:
    """The nearest ancestor of `start` (itself included) with `.claude/`, else with `.git`, else `start`."""
    start = start.resolve()
    chain = [start, *start.parents]
    for folder in chain:
        if folder != home and (folder / ".claude").is_dir():
            return folder
    for folder in chain:
        if (folder / ".git").exists():
            return folder
    return start


def project_from(given: Path | None, env: Environment) -> Path:
    """`--project DIR` (relative to the current folder), else the discovered root."""
    if given is not None:
        return (env.cwd / given).resolve()
    home = env.environ.get("HOME")
    return discover_project_root(env.cwd, Path(home).resolve() if home else None)
