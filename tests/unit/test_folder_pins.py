"""Pinned folders (a session owner's session and tasks folders kept open): the walk is skipped, its checks are not."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.store import LogReader, folder_pins, safe_files
from runner.logs.store.safe_files import Limit, UnsafeFileError


@pytest.fixture
def pinned(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(a pinned folder inside a project's logs, a folder outside the project holding a precious file)."""
    folder = tmp_path / "project" / ".claude" / "logs" / "sessions" / "s"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    pin = safe_files.FolderPin(folder)
    try:
        yield folder, outside
    finally:
        pin.release()


def _opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    real_open = os.open

    def counting_open(path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        names.append(os.fsdecode(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", counting_open)
    return names


def test_a_file_of_a_pinned_folder_is_reached_without_the_walk(pinned: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing and reading a file of a pinned folder opens only that file (no folder on the way)."""
    folder, _ = pinned
    opened = _opens(monkeypatch)
    safe_files.write_atomic(folder / "a.json", b"{}", durable=False)
    assert safe_files.read_bytes(folder / "a.json", limit=Limit.SMALL) == b"{}"
    assert [name for name in opened if not name.startswith(".a.json.")] == ["a.json"]


def test_links_inside_a_pinned_folder_are_still_refused(pinned: tuple[Path, Path]) -> None:
    """A linked file or folder inside the pinned folder is refused exactly as without the pin."""
    folder, outside = pinned
    (folder / "index.json").symlink_to(outside / "precious.txt")
    (folder / "tasks").symlink_to(outside)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        safe_files.read_bytes(folder / "index.json", limit=Limit.SMALL)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        safe_files.open_append(folder / "index.json")
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        safe_files.write_atomic(folder / "tasks" / "precious.txt", b"x", durable=False)
    safe_files.write_atomic(folder / "index.json", b"{}", durable=False)  # replaces the link itself
    assert (outside / "precious.txt").read_text() == "keep me\n" and sorted(os.listdir(outside)) == ["precious.txt"]


def test_a_removed_pinned_folder_is_walked_again(pinned: tuple[Path, Path]) -> None:
    """A pinned folder removed and made anew is written through the new folder, never the removed one."""
    folder, _ = pinned
    shutil.rmtree(folder)
    folder.mkdir()
    safe_files.write_atomic(folder / "a.json", b"new", durable=False)
    assert (folder / "a.json").read_bytes() == b"new"


def test_a_released_pin_walks_again_and_refuses_a_link_in_the_folders_place(tmp_path: Path) -> None:
    """Once released, the path is walked again: a link put in the folder's place is refused."""
    folder = tmp_path / "project" / ".claude" / "logs"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    pin = safe_files.FolderPin(folder)
    pin.release()
    pin.release()  # idempotent
    shutil.rmtree(folder)
    folder.symlink_to(outside)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        safe_files.write_atomic(folder / "precious.txt", b"x", durable=False)
    assert os.listdir(outside) == [] and str(folder) not in folder_pins.pinned()


def test_a_manager_dropped_without_close_unpins_its_folders(tmp_path: Path) -> None:
    """Pins do not outlive their manager: one garbage-collected without close() releases them."""
    manager = TaskLogManager(tmp_path)
    manager.open_session()
    assert any(folder.startswith(str(tmp_path)) for folder in folder_pins.pinned())
    del manager
    gc.collect()
    assert not any(folder.startswith(str(tmp_path)) for folder in folder_pins.pinned())


def test_a_task_walks_no_folder_while_its_session_is_owned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole task lifecycle walks no folder (the owner pinned them); close releases every pin."""
    manager = TaskLogManager(tmp_path, durability=Durability.STRICT)
    session_id = manager.open_session().session_id

    def one_task() -> str:
        task = manager.create_task("count the folders opened")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
        for n in range(10):
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"line {n}"})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
        return task.task_id

    one_task()  # the free-space guard's first look at the logs folder (then once per MiB of output)
    opened = _opens(monkeypatch)
    task_id = one_task()
    walked = [name for name in opened if name in {str(tmp_path), ".claude", "logs", "sessions", session_id, "tasks"}]
    assert walked == []
    assert [folder for folder in folder_pins.pinned() if folder.startswith(str(tmp_path))] == [
        str(manager.paths.session_dir(session_id)), str(manager.paths.tasks_dir(session_id))]
    manager.close()
    assert [folder for folder in folder_pins.pinned() if folder.startswith(str(tmp_path))] == []
    assert LogReader(tmp_path).read_task(session_id, task_id).status is TaskStatus.COMPLETE
