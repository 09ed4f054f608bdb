"""Asking git what may have changed in a work tree, without writing to it or running its programs.

Every call: no optional locks (the index is never rewritten by us), `core.fsmonitor` off, none of
the caller's `GIT_*` variables (a hook's `GIT_DIR` would point elsewhere), no terminal prompt,
submodules not entered. git runs a repository's *filter* programs when it re-reads a changed file;
a work tree whose own config (`.git/config`, not the user's global one) defines one is not asked
(`GitUnusable`), and the caller scans the tree instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

GIT_TIMEOUT_S = 300.0
_ZERO_IDS = frozenset({"0" * 40, "0" * 64})
_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
_PROGRAM_KEYS = (".clean", ".process")


class GitUnusable(Exception):
    """git cannot (or must not) be asked about this project; the message says why."""


class NotARepository(GitUnusable):
    """The project is not in a git work tree (or git is not installed): the normal case for a scan."""


@dataclass(frozen=True)
class Repository:
    """Where the project sits in its work tree."""

    top: Path
    prefix: str  # the project root relative to the top, "" or "sub/dir/"
    common_dir: Path  # where the shared config and hooks live (a worktree's main .git)


@dataclass
class Status:
    """One `git status --porcelain=v2` reading, paths relative to the project root."""

    head: str | None = None  # the commit HEAD names; None on an unborn branch
    listed: set[str] = field(default_factory=set)  # every path git reports as not clean
    in_head: set[str] = field(default_factory=set)  # listed paths that HEAD has
    nested: set[str] = field(default_factory=set)  # untracked folders git does not enter (other repos)


def git_environment() -> dict[str, str]:
    """The caller's environment without `GIT_*`, with a plain locale and no prompts or optional locks."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    return env


def run_git(cwd: Path | str, args: Sequence[str], *, timeout: float = GIT_TIMEOUT_S) -> bytes:
    """stdout of `git -c core.fsmonitor=false ARGS` in `cwd`; GitUnusable when it fails."""
    argv = ["git", "--no-optional-locks", "-c", "core.fsmonitor=false", *args]
    try:
        done = subprocess.run(argv, cwd=cwd, env=git_environment(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnusable(f"git {args[0]} could not run: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnusable(f"git {args[0]} failed: {message[-1] if message else f'exit {done.returncode}'}")
    return done.stdout


def find_repository(root: Path) -> Repository:
    """The work tree holding `root`; GitUnusable outside one, inside `.git`, or where it is ignored."""
    try:
        out = run_git(root, ["rev-parse", "--path-format=absolute", "--is-inside-work-tree", "--show-toplevel",
                             "--git-common-dir", "--show-prefix"]).decode("utf-8", "surrogateescape")
    except GitUnusable as exc:
        if "not a git repository" in str(exc) or "could not run" in str(exc):
            raise NotARepository(str(exc)) from exc
        raise
    lines = out.split("\n")
    if len(lines) < 4 or lines[0] != "true":
        raise NotARepository("not inside a git work tree")
    prefix = lines[3]
    if prefix and run_git_ok(root, ["check-ignore", "-q", "--", "."]):
        raise GitUnusable("the project folder is ignored by its repository")
    return Repository(top=Path(lines[1]), prefix=prefix, common_dir=Path(lines[2]))


def run_git_ok(cwd: Path, args: Sequence[str]) -> bool:
    """True when the git command exits 0."""
    try:
        run_git(cwd, args)
    except GitUnusable:
        return False
    return True


def refuse_repository_programs(root: Path) -> None:
    """GitUnusable when the work tree's own config defines a filter program git status would run."""
    listing = run_git(root, ["config", "--list", "--show-scope", "-z"])
    tokens = listing.split(b"\0")
    for scope, entry in zip(tokens[0::2], tokens[1::2], strict=False):
        key = entry.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        if scope in (b"local", b"worktree", b"command") and key.startswith("filter.") and key.endswith(_PROGRAM_KEYS):
            raise GitUnusable(f"the repository's own config sets {key}, a program git status would run")


def _relative(path: bytes, prefix: bytes) -> str | None:
    if not path.startswith(prefix):
        return None
    return os.fsdecode(path[len(prefix):])


def parse_status(output: bytes, prefix: str) -> Status:
    """Read `git status --porcelain=v2 -z` output (paths are relative to the work tree's top).

    The output is decoded once, as `os.fsdecode` decodes each path (the codec is stateless and NUL
    is ASCII, so the split strings are the same): a big change lists a path per changed file."""
    status = Status()
    listed, in_head, cut = status.listed, status.in_head, len(prefix)
    tokens = iter(output.decode(_FS_ENCODING, _FS_ERRORS).split("\0"))
    for token in tokens:
        kind = token[:2]
        if kind == "1 ":  # the usual entry: an ordinary change
            fields = token.split(" ", 8)
            path = fields[8]
        elif kind == "? ":
            if token.startswith(prefix, 2):
                path = token[2 + cut:]
                (status.nested if path.endswith("/") else listed).add(path.rstrip("/"))
            continue
        elif kind == "2 " or kind == "u ":
            fields = token.split(" ", 9 if kind == "2 " else 10)
            path = fields[-1]
            original = next(tokens, "") if kind == "2 " else ""
            if original.startswith(prefix) and original:
                listed.add(original[cut:])
        else:
            if token.startswith("# branch.oid "):
                oid = token[len("# branch.oid "):]
                status.head = None if oid == "(initial)" else oid
            continue
        if not path.startswith(prefix) or fields[2][0] == "S":
            continue  # outside the project, or a submodule (scanned as a subtree)
        path = path[cut:]
        listed.add(path)
        if kind == "u " or fields[6] not in _ZERO_IDS:
            in_head.add(path)
    return status


def read_status(root: Path, prefix: str) -> Status:
    """Every path git sees as changed, added or untracked under `root` (`.gitignore` honoured)."""
    output = run_git(root, ["status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all", "--ignored=no",
                            "--ignore-submodules=all", "--no-renames", "--", "."])
    return parse_status(output, prefix)


def changed_between(root: Path, prefix: str, old: str | None, new: str | None) -> dict[str, str]:
    """Paths whose committed content differs between two commits: path → A, D, M or T."""
    if old == new:
        return {}
    raw_prefix = os.fsencode(prefix)
    if old is None or new is None:
        listing = run_git(root, ["ls-tree", "-r", "-z", "--full-tree", "--name-only", new or old or "HEAD",
                                 "--", prefix or "."])
        letter = "A" if old is None else "D"
        return {path: letter for raw in listing.split(b"\0") if raw
                and (path := _relative(raw, raw_prefix)) is not None}
    tokens = run_git(root, ["diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new,
                            "--", "."]).split(b"\0")
    changed: dict[str, str] = {}
    for raw_letter, raw in zip(tokens[0::2], tokens[1::2], strict=False):
        path = _relative(raw, raw_prefix)
        if path is not None and raw_letter:
            changed[path] = raw_letter.decode("ascii", "replace")[:1]
    return changed


def submodule_paths(repository: Repository) -> list[str]:
    """Submodule folders under the project (from `.gitmodules`), relative to the project root."""
    modules = repository.top / ".gitmodules"
    if not modules.is_file() or modules.is_symlink():
        return []
    try:
        out = run_git(repository.top, ["config", "--file", ".gitmodules", "-z", "--get-regexp",
                                       r"^submodule\..*\.path$"])
    except GitUnusable:
        return []
    paths = []
    for entry in out.split(b"\0"):
        parts = entry.split(b"\n", 1)
        if len(parts) == 2:
            relative = _relative(parts[1].rstrip(b"/"), os.fsencode(repository.prefix))
            if relative:
                paths.append(relative)
    return paths
