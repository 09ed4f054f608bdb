"""The hidden files a task could change to act later, read directly before and after every task.

Verification does not count hidden paths (seed 003 §2.7.3), so a task that edits a CI workflow,
a git hook or `.git/config`, an `.env` file, or Claude Code's settings and commands would pass
unseen. These locations are few and small: each is listed and fingerprinted on every look, with a
content digest for files up to `DIGEST_MAX_BYTES`. Labels are project-relative (`.git/hooks/x`
even when a worktree keeps its hooks elsewhere); links are recorded, never followed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from runner.changes.rules import is_env_file
from runner.changes.scan import digest_file, fingerprint

DIGEST_MAX_BYTES = 1024 * 1024
MAX_SENSITIVE_ENTRIES = 5_000

SensitiveState = dict[str, bytes]


def git_dir_of(root: Path) -> Path | None:
    """The folder holding the project's git config and hooks: `.git`, or a worktree's common dir."""
    dot_git = root / ".git"
    try:
        info = os.lstat(dot_git)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return dot_git
    if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
        return None
    text = dot_git.read_text("utf-8", "replace").strip()
    if not text.startswith("gitdir:"):
        return None
    git_dir = (root / text.removeprefix("gitdir:").strip()).resolve()
    common = git_dir / "commondir"
    if common.is_file():
        return (git_dir / common.read_text("utf-8", "replace").strip()).resolve()
    return git_dir


def _look(path: str) -> bytes | None:
    """Fingerprint plus digest (small regular files) of one path, or None when absent."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return None
    print_ = fingerprint(info)
    if stat.S_ISREG(info.st_mode) and info.st_size <= DIGEST_MAX_BYTES:
        print_ += digest_file(path) or b""
    return print_


def _walk(folder: Path, label: str, state: SensitiveState) -> None:
    """Every entry below `folder` (links recorded, not followed), labelled `label/...`."""
    stack = [(str(folder), label)]
    while stack and len(state) < MAX_SENSITIVE_ENTRIES:
        current, current_label = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            entry_label = f"{current_label}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, entry_label))
                continue
            seen = _look(entry.path)
            if seen is not None:
                state[entry_label] = seen


def _root_env_files(root: Path, state: SensitiveState) -> None:
    try:
        with os.scandir(root) as listing:
            names = [entry.name for entry in listing if is_env_file(entry.name)]
    except OSError:
        return
    for name in names:
        seen = _look(str(root / name))
        if seen is not None:
            state[name] = seen


def read_sensitive(root: Path, git_dir: Path | None, extra: Iterable[str] = ()) -> SensitiveState:
    """Every sensitive file as it is now; `extra` adds project-relative paths found elsewhere
    (`.env*` files the scan or git passed in sub-folders)."""
    state: SensitiveState = {}
    _walk(root / ".github" / "workflows", ".github/workflows", state)
    _walk(root / ".claude" / "commands", ".claude/commands", state)
    try:
        with os.scandir(root / ".claude") as listing:
            settings = [e.name for e in listing if e.name.startswith("settings") and e.name.endswith(".json")]
    except OSError:
        settings = []
    for name in settings:
        seen = _look(str(root / ".claude" / name))
        if seen is not None:
            state[f".claude/{name}"] = seen
    if git_dir is not None:
        _walk(git_dir / "hooks", ".git/hooks", state)
        seen = _look(str(git_dir / "config"))
        if seen is not None:
            state[".git/config"] = seen
    _root_env_files(root, state)
    for relative in extra:
        if relative not in state:
            seen = _look(str(root / relative))
            if seen is not None:
                state[relative] = seen
    return state


def sensitive_changes(before: SensitiveState, after: SensitiveState) -> list[str]:
    """Sensitive paths created, changed or removed between two looks, sorted."""
    changed = {path for path, seen in after.items() if before.get(path) != seen}
    changed.update(path for path in before if path not in after)
    return sorted(changed)
