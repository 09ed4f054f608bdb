"""`parse_status` reads real `git status --porcelain=v2 -z` output the way a per-path `os.fsdecode` would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from runner.changes.git import Status, parse_status

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
ZERO = (b"0" * 40, b"0" * 64)


def git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True,
                          check=True).stdout


def reference_parse(output: bytes, prefix: str) -> Status:
    """The parser as it was: bytes split first, each path decoded alone."""
    status, raw_prefix = Status(), os.fsencode(prefix)

    def relative(path: bytes) -> str | None:
        return os.fsdecode(path[len(raw_prefix):]) if path.startswith(raw_prefix) else None
    tokens = iter(output.split(b"\0"))
    for token in tokens:
        if token.startswith(b"# branch.oid "):
            oid = token[len(b"# branch.oid "):].decode("ascii")
            status.head = None if oid == "(initial)" else oid
        elif token[:2] == b"? " and (path := relative(token[2:])) is not None:
            (status.nested if path.endswith("/") else status.listed).add(path.rstrip("/"))
        elif token[:2] in (b"1 ", b"2 ", b"u "):
            fields = token.split(b" ", {b"1 ": 8, b"2 ": 9, b"u ": 10}[token[:2]])
            if token[:2] == b"2 " and (original := relative(next(tokens, b""))):
                status.listed.add(original)
            path = relative(fields[-1])
            if path is not None and not fields[2].startswith(b"S"):
                status.listed.add(path)
                if token[:2] == b"u " or fields[6] not in ZERO:
                    status.in_head.add(path)
    return status


def _messy_repository(root: Path) -> None:
    """Modified, deleted, staged-new, renamed, conflicted and untracked paths, some not UTF-8 or with spaces."""
    root.mkdir()
    git(root, "init", "-q")
    names = [b"plain.txt", b"with space.txt", b"bad\xff.txt", "caf\u00e9.md".encode(), b"sub/inner.txt",
             b"sub/gone.txt", b"sub/old name.txt", b"clash.txt"]
    for name in names:
        path = root / os.fsdecode(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"one\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    git(root, "checkout", "-qb", "other")
    (root / "clash.txt").write_bytes(b"other\n")
    git(root, "commit", "-qam", "other")
    git(root, "checkout", "-q", "-")
    (root / "clash.txt").write_bytes(b"mine\n")
    git(root, "commit", "-qam", "mine")
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True)
    for name in (b"plain.txt", b"bad\xff.txt", b"sub/inner.txt"):
        (root / os.fsdecode(name)).write_bytes(b"two\n")
    (root / "sub" / "gone.txt").unlink()
    git(root, "mv", "sub/old name.txt", "sub/new name.txt")
    (root / os.fsdecode(b"sub/new\xfe.txt")).write_bytes(b"new\n")
    git(root, "add", "--", os.fsdecode(b"sub/new\xfe.txt"))
    (root / "untracked \u00e9.txt").write_bytes(b"u\n")
    nested = root / "sub" / "nested"
    nested.mkdir()
    git(nested, "init", "-q")
    (nested / "x.txt").write_bytes(b"x\n")


@pytest.mark.parametrize("prefix", ["", "sub/"])
def test_parsed_paths_equal_a_per_path_decoding(tmp_path: Path, prefix: str) -> None:
    """Every kind of entry (changed, renamed, conflicted, untracked, nested repository), names not UTF-8 or
    with spaces, at the top and in a subfolder: the one-decode parser gives what per-path decoding gave."""
    root = tmp_path / "repo"
    _messy_repository(root)
    output = git(root, "status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all")
    assert b"\n2 " in output.replace(b"\0", b"\n") and b"\nu " in output.replace(b"\0", b"\n")
    parsed, reference = parse_status(output, prefix), reference_parse(output, prefix)
    assert (parsed.head, parsed.listed, parsed.in_head, parsed.nested) == \
        (reference.head, reference.listed, reference.in_head, reference.nested)
    expected_here = {"inner.txt", "gone.txt", "new name.txt", "old name.txt", os.fsdecode(b"new\xfe.txt")}
    assert parsed.listed >= (expected_here if prefix else {"plain.txt", os.fsdecode(b"bad\xff.txt"), "clash.txt"})
