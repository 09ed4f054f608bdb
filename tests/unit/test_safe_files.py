"""safe_files: no link followed at any component, no FIFO or device opened, no hard-linked file written, reads capped.

Every case uses real links, FIFOs and hard links on the real filesystem; a FIFO that were opened
for reading would block, so each call runs under a watchdog that fails the test instead.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from runner.logs.store import safe_files
from runner.logs.store.safe_files import Limit, UnsafeFileError

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> T:
    """Run `call` in a thread; fail (instead of hanging the suite) if it does not return in time."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the call did not return within {seconds} s (it blocked)"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(project, its .claude/logs folder, a folder outside the project holding a precious file)."""
    project = tmp_path / "project"
    logs = project / ".claude" / "logs"
    logs.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    return project, logs, outside


def test_reading_through_a_linked_folder_is_refused(layout: tuple[Path, Path, Path]) -> None:
    """A link at any component below the project root is refused with UnsafeFileError naming that component."""
    _, logs, outside = layout
    (logs / "sessions").symlink_to(outside)
    with pytest.raises(UnsafeFileError) as caught:
        safe_files.read_bytes(logs / "sessions" / "precious.txt", limit=Limit.SMALL)
    assert caught.value.path == logs / "sessions" and caught.value.problem == "a symbolic link"


def test_a_linked_file_is_never_read(layout: tuple[Path, Path, Path]) -> None:
    """A link in a file's place is refused, even when it points at a readable regular file."""
    _, logs, outside = layout
    (logs / "index.json").symlink_to(outside / "precious.txt")
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        safe_files.read_bytes(logs / "index.json", limit=Limit.SMALL)


def test_a_fifo_is_never_opened(layout: tuple[Path, Path, Path]) -> None:
    """Reading, appending to or truncating a FIFO is refused at once ("not a regular file (a FIFO)"), never waited on."""
    _, logs, _ = layout
    fifo = logs / "task-005.json"
    os.mkfifo(fifo)
    for call in (lambda: safe_files.read_bytes(fifo, limit=Limit.SMALL), lambda: safe_files.open_append(fifo),
                 lambda: safe_files.truncate(fifo), lambda: safe_files.open_lock(fifo)):
        with pytest.raises(UnsafeFileError) as caught:
            within(5, call)
        assert caught.value.problem == "not a regular file (a FIFO)"


def test_a_link_to_dev_zero_is_not_read(layout: tuple[Path, Path, Path]) -> None:
    """A link to /dev/zero is refused before anything is read (it would read until memory ran out)."""
    _, logs, _ = layout
    (logs / "index.json").symlink_to("/dev/zero")
    with pytest.raises(UnsafeFileError):
        within(5, lambda: safe_files.read_bytes(logs / "index.json", limit=Limit.INDEX))


def test_reads_are_capped(layout: tuple[Path, Path, Path]) -> None:
    """A file over its limit is refused, not read into memory."""
    _, logs, _ = layout
    big = logs / "index.json"
    big.write_bytes(b"x" * 2048)
    assert safe_files.read_bytes(big, limit=4096) == b"x" * 2048
    with pytest.raises(UnsafeFileError, match="limit"):
        safe_files.read_bytes(big, limit=1024)


def test_a_hard_linked_file_is_never_written_into(layout: tuple[Path, Path, Path]) -> None:
    """Append and truncate refuse a file with two links; the other name's content stays intact."""
    _, logs, outside = layout
    journal = logs / "task-001.events.jsonl"
    os.link(outside / "precious.txt", journal)
    mode = os.stat(journal).st_mode
    with pytest.raises(UnsafeFileError, match="hard-linked"):
        safe_files.open_append(journal)
    with pytest.raises(UnsafeFileError, match="hard-linked"):
        safe_files.truncate(journal)
    with pytest.raises(UnsafeFileError, match="hard-linked"):
        safe_files.read_bytes(journal, limit=Limit.SMALL, single_link=True)
    assert (outside / "precious.txt").read_text() == "keep me\n"
    assert os.stat(outside / "precious.txt").st_mode == mode  # not even chmod-ed


def test_an_atomic_write_replaces_a_link_instead_of_writing_through_it(layout: tuple[Path, Path, Path]) -> None:
    """write_atomic over a link (or a hard link) replaces the entry; the file it pointed at is untouched."""
    _, logs, outside = layout
    (logs / "index.json").symlink_to(outside / "precious.txt")
    os.link(outside / "precious.txt", logs / "session.json")
    safe_files.write_atomic(logs / "index.json", b"{}", durable=True)
    safe_files.write_atomic(logs / "session.json", b"{}", durable=False)
    assert (outside / "precious.txt").read_text() == "keep me\n"
    assert not (logs / "index.json").is_symlink() and (logs / "index.json").read_bytes() == b"{}"
    assert os.stat(outside / "precious.txt").st_nlink == 1


def test_writing_below_a_linked_folder_is_refused(layout: tuple[Path, Path, Path]) -> None:
    """No write, append, folder creation or unlink happens through a linked folder."""
    project, logs, outside = layout
    (logs / "sessions").symlink_to(outside)
    target = logs / "sessions" / "precious.txt"
    calls: list[Callable[[], object]] = [
        lambda: safe_files.write_atomic(target, b"x", durable=False), lambda: safe_files.open_append(target),
        lambda: safe_files.unlink(target), lambda: safe_files.make_private_folders(logs / "sessions" / "new"),
        lambda: safe_files.remove_entry(target), lambda: safe_files.truncate(target),
    ]
    for call in calls:
        with pytest.raises(UnsafeFileError):
            call()
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_removing_a_folder_never_follows_links_inside_it(layout: tuple[Path, Path, Path]) -> None:
    """remove_entry deletes a real folder and the links in it as links; their targets survive."""
    _, logs, outside = layout
    doomed = logs / "sessions" / "sess-20200101-001"
    doomed.mkdir(parents=True)
    (doomed / "up").symlink_to(outside)
    (doomed / "file").symlink_to(outside / "precious.txt")
    os.mkfifo(doomed / "fifo")
    assert within(5, lambda: safe_files.remove_entry(doomed))
    assert not doomed.exists()
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_removing_a_link_in_a_folders_place_removes_only_the_link(layout: tuple[Path, Path, Path]) -> None:
    """remove_entry on a link to a folder unlinks the link; the folder and its files stay."""
    _, logs, outside = layout
    (logs / "raw").mkdir()
    link = logs / "raw" / "sess-20200101-001"
    link.symlink_to(outside)
    assert safe_files.remove_entry(link)
    assert not os.path.lexists(link) and (outside / "precious.txt").exists()


def test_a_linked_claude_folder_is_refused(tmp_path: Path) -> None:
    """`.claude` itself is below the project root: a link there is refused like any other."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    (elsewhere / "logs").mkdir(parents=True)
    (project / ".claude").symlink_to(elsewhere)
    with pytest.raises(UnsafeFileError) as caught:
        safe_files.check_folder(project / ".claude" / "logs")
    assert caught.value.path == project / ".claude"
    assert not safe_files.is_folder(project / ".claude" / "logs")


def test_the_project_root_itself_may_be_reached_through_a_link(tmp_path: Path) -> None:
    """The user chose the project root: links above `.claude` are the user's own and are followed."""
    real = tmp_path / "real"
    (real / ".claude" / "logs").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(real)
    safe_files.write_atomic(tmp_path / "alias" / ".claude" / "logs" / "index.json", b"{}", durable=False)
    assert (real / ".claude" / "logs" / "index.json").read_bytes() == b"{}"


def test_new_files_and_folders_are_private_whatever_the_umask(tmp_path: Path) -> None:
    """Files created here are 0600 and folders 0700 even under umask 0."""
    old = os.umask(0)
    try:
        safe_files.make_private_folders(tmp_path / ".claude" / "logs" / "sessions")
        os.close(safe_files.open_append(tmp_path / ".claude" / "logs" / "retention.jsonl"))
        safe_files.write_atomic(tmp_path / ".claude" / "logs" / "index.json", b"{}", durable=False)
    finally:
        os.umask(old)
    for folder in (".claude", ".claude/logs", ".claude/logs/sessions"):
        assert stat.S_IMODE(os.stat(tmp_path / folder).st_mode) == 0o700
    for name in ("retention.jsonl", "index.json"):
        assert stat.S_IMODE(os.stat(tmp_path / ".claude" / "logs" / name).st_mode) == 0o600


def test_anchor_of_splits_as_pathlib_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The string-built anchor and components equal pathlib's for absolute, relative and odd paths."""
    monkeypatch.chdir(tmp_path)
    for raw in ("/a/b/.claude/logs/x.json", "/a/.claude/b/.claude/c", "/a/b/c", "/a", "rel/.claude/logs",
                "rel//x/./y/../z", "/a/b/.claude", ".claude/logs/"):
        parts = Path(os.path.abspath(raw)).parts
        cut = max((i for i, part in enumerate(parts) if part == ".claude"), default=len(parts) - 1)
        assert safe_files.anchor_of(Path(raw)) == (Path(*parts[:cut]), parts[cut:]), raw
    with pytest.raises(ValueError, match="no folder to anchor it"):
        safe_files.anchor_of(Path("/"))


def test_a_relative_path_is_resolved_against_the_working_folder_of_each_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Absolute paths are remembered, relative ones are not: after a chdir the same relative name
    reaches the file in the new working folder."""
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "f.txt").write_text(name)
    relative = Path("f.txt")
    for name in ("one", "two", "one"):
        monkeypatch.chdir(tmp_path / name)
        assert safe_files.read_bytes(relative, limit=Limit.TASK_FILE) == name.encode()
        with safe_files.parent_fd(tmp_path / name / "f.txt") as (folder, leaf):
            handle = os.open(leaf, os.O_RDONLY, dir_fd=folder)
            try:
                assert os.read(handle, 10) == name.encode()
            finally:
                os.close(handle)
