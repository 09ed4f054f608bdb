"""A logs folder the runner cannot write: something in the way, or permissions removed.

The runner must say so with `ERROR: ...` and `HINT: ...`, exit 1, never show a traceback, and
run no task (a task it cannot log must not run at all).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent
from tests.reliability.support import assert_no_traceback, figure

SHELL = ["repl", "--executor", "shell"]
SCRIPT = "touch ran.txt\necho second\n"


def file_at(relative: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("in the way\n")
    return make


def folder_at(relative: str) -> Callable[[Path], None]:
    def make(project: Path) -> None:
        (project / relative).mkdir(parents=True)
    return make


IN_THE_WAY = {
    "logs-is-a-file": file_at(".claude/logs"),
    "claude-is-a-file": file_at(".claude"),
    "sessions-is-a-file": file_at(".claude/logs/sessions"),
    "global-lock-is-a-folder": folder_at(".claude/logs/.lock"),
    "global-index-is-a-folder": folder_at(".claude/logs/index.json"),
}


def assert_refused_at_start(run_code: int, stdout: str, stderr: str, project: Path) -> str:
    """ERROR and HINT lines, exit 1, and no task ran; returns the ERROR line."""
    text = stdout + stderr
    lines = text.splitlines()
    error = next((i for i, line in enumerate(lines) if line.startswith("ERROR: ")), None)
    assert run_code == 1 and error is not None, text
    assert error + 1 < len(lines) and lines[error + 1].startswith("HINT: "), text
    assert "RESULT:" not in stdout and "> echo second" not in stdout, text
    assert not (project / "ran.txt").exists(), "a task ran although it could not be logged"
    return lines[error]


@pytest.mark.parametrize("name", list(IN_THE_WAY))
def test_something_in_the_way_is_a_clear_error(tmp_path: Path, name: str) -> None:
    """A file where a folder should be (or the reverse): ERROR + HINT, exit 1, no traceback, no task run."""
    project = tmp_path / "proj"
    project.mkdir()
    IN_THE_WAY[name](project)
    run = run_pm(SHELL, stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    error = assert_refused_at_start(run.code, run.stdout, run.stderr, project)
    figure(f"unwritable logs {name}: exit 1, {error[:110]}")


@contextmanager
def read_only(folders: list[Path]) -> Iterator[str]:
    """Make folders unwritable: mode 0500, or for root (who ignores modes) the immutable attribute."""
    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(0o500)
        try:
            yield "mode 0500"
        finally:
            for folder in folders:
                folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, folders)], capture_output=True).returncode:
        pytest.skip("running as root, and the immutable attribute is not available here")
    try:
        yield "immutable (chattr +i, as root)"
    finally:
        subprocess.run([chattr, "-i", *map(str, folders)], check=True)


@pytest.mark.parametrize(("history", "locked"), [(False, ["."]), (True, [".", "sessions"])],
                         ids=["empty-logs-folder", "logs-and-sessions-folders"])
def test_read_only_logs_folder_is_a_clear_error(tmp_path: Path, history: bool, locked: list[str]) -> None:
    """Permissions removed from the logs folder (empty, or holding an earlier session): ERROR + HINT, exit 1."""
    project = tmp_path / "proj"
    project.mkdir()
    logs = project / ".claude" / "logs"
    if history:
        run_pm(SHELL, stdin="echo earlier\n", cwd=project)
    else:
        logs.mkdir(parents=True)
    with read_only([logs / name for name in locked]) as how:
        run = run_pm(SHELL, stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    error = assert_refused_at_start(run.code, run.stdout, run.stderr, project)
    figure(f"unwritable logs read-only {', '.join(locked)} ({how}, {'with' if history else 'without'} a session): "
           f"exit 1, {error[:100]}")


def test_a_read_only_logs_folder_whose_files_can_take_a_session_logs_it_whole(tmp_path: Path) -> None:
    """Only the logs folder itself read-only, its index files and sessions folder writable: every task is logged.

    A new session needs a folder in `sessions/` and one line appended to the existing global index
    journal, nothing created in the logs folder itself: the tasks run, and every one is on disk.
    """
    project = tmp_path / "proj"
    project.mkdir()
    run_pm(SHELL, stdin="echo earlier\n", cwd=project)
    with read_only([project / ".claude" / "logs"]) as how:
        run = run_pm(SHELL, stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    assert run.code == 0 and run.stdout.count("RESULT: COMPLETE") == 2, run.transcript()
    logs = assert_logs_consistent(project)
    assert sorted(log.prompt_summary for log in logs) == ["echo earlier", "echo second", "touch ran.txt"]
    figure(f"unwritable logs read-only . only ({how}, with a session): the 2 tasks ran and are logged")
