"""`.gitignore` matching for the scan outside git, checked against git itself on the same trees."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.changes.ignore import parse_rule, translate
from runner.changes.scan import scan_tree

FILES = [
    "app.log", "keep.log", "src/debug.log", "build/out.o", "src/build/x.c", "dist/a.js", "src/dist/b.js",
    "docs/guide.md", "docs/api/ref.md", "docs/api/ref.txt", "tmp/t1", "src/tmp/t2", "a/b/c/d.txt",
    "foo1", "foo12", "ax", "bx", "dx", "ey", "ay", "#hash", "trailing ", "sub/one.txt", "sub/deep/two.txt",
    "sub/important.txt", "sub/other.txt", "x/y/z/q.md", "bracket]", "star*name", "src/a.o", "nested/keep.o",
]
PATTERNS = [
    "*.log", "!keep.log", "/build", "dist/", "docs/**/*.md", "**/tmp", "a/**", "foo?", "[abc]x", "[!a]y",
    "\\#hash", "trailing\\ ", "sub/*.txt", "x/**/q.md", "star\\*name", "*.o", "[[:digit:]]*",
]


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=True).stdout


def git_not_ignored(root: Path) -> set[str]:
    """The files git would consider (untracked and not ignored), the oracle for our scan."""
    out = git(root, "ls-files", "-z", "--others", "--exclude-standard")
    paths = (os.fsdecode(item) for item in out.split(b"\0") if item)
    return {path for path in paths if not any(part.startswith(".") for part in path.split("/"))}


def build(root: Path, files: list[str], ignores: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    for folder, text in ignores.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / ".gitignore").write_text(text)


def test_scan_honours_gitignore_exactly_as_git_does(tmp_path: Path) -> None:
    """A rich set of patterns (anchors, `**`, brackets, escapes, negation, nested files) ignores what git ignores."""
    build(tmp_path, FILES, {"": "\n".join(PATTERNS) + "\n# a comment\n\n", "sub": "!important.txt\ndeep/\n",
                            "nested": "!keep.o\n"})
    assert set(scan_tree(str(tmp_path)).by_path()) == git_not_ignored(tmp_path)


def test_a_file_in_an_ignored_folder_cannot_be_reincluded(tmp_path: Path) -> None:
    """As in git, `!` does not bring back a file whose folder is ignored."""
    build(tmp_path, ["out/keep.txt", "out/drop.txt", "src/a.py"], {"": "out/\n!out/keep.txt\n"})
    assert set(scan_tree(str(tmp_path)).by_path()) == git_not_ignored(tmp_path) == {"src/a.py"}


def test_symlinked_gitignore_is_not_followed(tmp_path: Path) -> None:
    """A `.gitignore` that is a symlink is not read (git refuses to follow it too)."""
    build(tmp_path, ["a.log", "b.txt"], {})
    (tmp_path / "rules").write_text("*.log\n")
    (tmp_path / ".gitignore").symlink_to(tmp_path / "rules")
    assert set(scan_tree(str(tmp_path)).by_path()) == {"a.log", "b.txt", "rules"}


@pytest.mark.parametrize("line", ["", "   ", "# comment", "!", "/"])
def test_blank_comment_and_empty_patterns_are_not_rules(line: str) -> None:
    """Lines that say nothing give no rule."""
    assert parse_rule(line) is None


def test_translate_keeps_star_inside_one_folder() -> None:
    """`*` and `?` never cross a slash; `**/` spans folders."""
    import re
    assert re.fullmatch(translate("a/*.c"), "a/x.c") and not re.fullmatch(translate("a/*.c"), "a/b/x.c")
    assert re.fullmatch(translate("a/**/x.c"), "a/x.c") and re.fullmatch(translate("a/**/x.c"), "a/b/c/x.c")


_SEGMENTS = st.sampled_from(["a", "b", "ab", "x1", "*", "?", "**", "[ab]", "[!a]", "*.c", "b*"])
_PATTERN = st.builds(lambda neg, lead, parts, trail: ("!" if neg else "") + ("/" if lead else "") + "/".join(parts)
                     + ("/" if trail else ""), st.booleans(), st.booleans(), st.lists(_SEGMENTS, min_size=1, max_size=3),
                     st.booleans())
_TREE = ["a", "b", "ab", "x1", "a.c", "b.c", "a/a", "a/b.c", "a/x1/b", "b/a/a.c", "ab/ab/ab", "x1/a/b/c.c"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns=st.lists(_PATTERN, min_size=1, max_size=4))
def test_random_patterns_agree_with_git(tmp_path_factory: pytest.TempPathFactory, patterns: list[str]) -> None:
    """For random patterns over a fixed tree, the scan keeps exactly the files git does not ignore."""
    root = tmp_path_factory.mktemp("ignore")
    # Folders and files cannot share a name: put each file under f/ to keep the tree valid.
    build(root, [f"f/{path}" if path in ("a", "b", "ab", "x1") else path for path in _TREE],
          {"": "\n".join(patterns) + "\n"})
    assert set(scan_tree(str(root)).by_path()) == git_not_ignored(root), patterns
