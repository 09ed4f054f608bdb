"""`fingerprints_of`: the listed paths' fingerprints, stat'ed folder by folder, equal a per-path lstat."""

from __future__ import annotations

import os
from pathlib import Path

from runner.changes.rules import counts
from runner.changes.scan import fingerprints_of
from runner.changes.state import look


def test_fingerprints_by_folder_equal_a_lstat_per_counted_path(tmp_path: Path) -> None:
    """Files, links, a fifo, gone files and folders, hidden and dependency paths: the same answers as
    `look` on each counted path, and no entry for a path that does not count."""
    for relative in ("top.txt", "a/b/c.txt", "a/b/d.txt", "a/e.txt", "node_modules/x/y.js", ".hidden/f.txt",
                     "a/.env", "bad\udcff/f.txt"):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (tmp_path / "a" / "link").symlink_to("e.txt")
    os.mkfifo(tmp_path / "a" / "fifo")
    paths = ["top.txt", "a/b/c.txt", "a/b/d.txt", "a/e.txt", "a/link", "a/fifo", "a/b", "gone.txt", "no/such/dir.txt",
             "node_modules/x/y.js", ".hidden/f.txt", "a/.env", "bad\udcff/f.txt", "a//e.txt", ""]
    found = fingerprints_of(str(tmp_path), paths)
    expected = {path: look(tmp_path, path) for path in paths if counts(path)}
    assert found == expected
    assert found["a/b/c.txt"] is not None and found["a/link"] is not None
    assert found["a/fifo"] is None and found["a/b"] is None and found["no/such/dir.txt"] is None


def test_a_path_through_a_symlinked_folder_is_not_followed(tmp_path: Path) -> None:
    """A listed file whose folder is now a symlink (to a folder outside) counts as gone, not as the file behind it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.txt").write_text("secret\n")
    project = tmp_path / "p"
    project.mkdir()
    (project / "dir").symlink_to(outside, target_is_directory=True)
    assert fingerprints_of(str(project), ["dir/f.txt"]) == {"dir/f.txt": None}
