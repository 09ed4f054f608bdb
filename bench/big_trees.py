"""Synthetic project trees shaped like real ones, for the big-repository benchmarks.

`build_tree(root, files)`: `files` small source files at depth 4 to 7 in folders of about 17
(the shape of a monorepo's packages), a `node_modules/` of as many files (pruned by name, never
scanned), a `dist/` build output named in `.gitignore`, and optionally a git work tree with
everything committed. Deterministic: the same arguments give the same tree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FILES_PER_FOLDER = 17
SUFFIXES = (".ts", ".tsx", ".py", ".json", ".md", ".css")
GITIGNORE_TEXT = "dist/\ncoverage/\n*.log\n"


def source_path(index: int) -> str:
    """The relative path of source file `index` (stable, so a bench can pick files to change)."""
    folder = index // FILES_PER_FOLDER
    depth = 2 + folder % 4  # with packages/pNN/mNNN: 4 to 7 components
    middle = "/".join(f"d{(folder >> (2 * level)) % 4}" for level in range(depth - 2))
    suffix = SUFFIXES[index % len(SUFFIXES)]
    return f"packages/p{folder % 40:02d}/m{folder:05d}/{middle}/file{index}{suffix}"


def _write_many(root: Path, paths: list[str], text: bytes) -> None:
    made: set[str] = set()
    for relative in paths:
        folder = os.path.dirname(relative)
        if folder not in made:
            os.makedirs(root / folder, exist_ok=True)
            made.add(folder)
        with open(root / relative, "wb") as handle:
            handle.write(text)


def build_tree(root: Path, files: int, *, git: bool, noise: int | None = None) -> None:
    """The tree described in the module doc; `noise` files in node_modules (default: `files`)."""
    root.mkdir(parents=True, exist_ok=True)
    _write_many(root, [source_path(i) for i in range(files)], b"export const value = 1;\n" * 4)
    noise_count = files if noise is None else noise
    _write_many(root, [f"node_modules/@scope/lib{i // 50:04d}/dist/f{i}.js" for i in range(noise_count)], b"x\n")
    _write_many(root, [f"dist/bundle{i}.js" for i in range(max(files // 20, 1))], b"built\n")
    (root / ".gitignore").write_text(GITIGNORE_TEXT + "node_modules/\n")
    if git:
        commit_all(root)


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=True)
    return done.stdout.decode()


def commit_all(root: Path) -> None:
    """`git init` plus one commit of everything not ignored; the index is refreshed afterwards."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "tree")
    git(root, "status", "--porcelain")


def git_status_floor(root: Path) -> None:
    """The reference: one `git status` as a user would run it (index already refreshed)."""
    subprocess.run(["git", "status", "--porcelain=v2", "-z", "--untracked-files=all"], cwd=root,
                   capture_output=True, check=True)
