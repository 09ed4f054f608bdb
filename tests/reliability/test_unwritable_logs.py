"""A logs folder the runner cannot write: something in the way, or permissions removed.

The runner must say so with `ERROR: ...` and `HINT: ...`, never show a traceback, and run no task
(a task it cannot log must not run at all). Something in the way is exit 1; a folder it may not
write (a read-only file system, another user's `.claude/`, an immutable folder) is exit 73, with
one ERROR line on stderr naming the folder and why (issue 18 item 6).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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


def assert_refused_at_start(run_code: int, stdout: str, stderr: str, project: Path, code: int = 1) -> str:
    """ERROR and HINT lines, exit `code`, and no task ran; returns the ERROR line."""
    text = stdout + stderr
    lines = text.splitlines()
    error = next((i for i, line in enumerate(lines) if line.startswith("ERROR: ")), None)
    assert run_code == code and error is not None, text
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
    """Permissions removed from the logs folder (empty, or holding an earlier session): ERROR + HINT, exit 73."""
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
    error = assert_refused_at_start(run.code, run.stdout, run.stderr, project, code=73)
    figure(f"unwritable logs read-only {', '.join(locked)} ({how}, {'with' if history else 'without'} a session): "
           f"exit 73, {error[:100]}")


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


ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None,
                               reason="mounting a read-only tmpfs needs root and mount(8)")


@contextmanager
def read_only_mount(folder: Path, populate: Callable[[Path], None]) -> Iterator[Path]:
    """A fresh 1 MB tmpfs at `folder`, filled by `populate`, then remounted read-only; unmounted after."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        populate(folder)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def assert_one_error_on_stderr(run_code: int, stdout: str, stderr: str, project: Path) -> str:
    """Exit 73, nothing on stdout, stderr exactly one ERROR and one HINT line, no task run; the ERROR line."""
    assert run_code == 73, (stdout, stderr)
    assert stdout == "", stdout
    lines = stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("ERROR: ") and lines[1].startswith("HINT: "), stderr
    assert not (project / "ran.txt").exists(), "a task ran although it could not be logged"
    return lines[0]


@ROOT_ONLY
def test_a_read_only_project_is_one_error_on_stderr_and_exit_73(tmp_path: Path) -> None:
    """A project on a read-only file system: one ERROR naming the logs folder and "read-only file
    system" on stderr, a HINT with what to do, exit 73, nothing run."""
    with read_only_mount(tmp_path / "proj", lambda root: (root / "README.md").write_text("hi\n")) as project:
        run = run_pm(SHELL, stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    error = assert_one_error_on_stderr(run.code, run.stdout, run.stderr, project)
    assert error == (f"ERROR: cannot write the task logs in {project}/.claude/logs: "
                     f"{project} is on a read-only file system"), error
    assert "writable copy of the project (--project-root <copy>)" in run.stderr
    assert run.stderr.splitlines()[1].startswith("HINT: keep the logs elsewhere with --logs-dir DIR "
                                                 "(or PM_RUNNER_LOGS_DIR)"), run.stderr
    figure(f"read-only project: exit 73, {error[:100]}")


@ROOT_ONLY
def test_a_read_only_project_runs_with_logs_dir_and_logs_list_reads_them_there(tmp_path: Path) -> None:
    """The way out the exit-73 HINT names: `--logs-dir DIR` runs every task of a read-only project and
    `pm-runner logs list --logs-dir DIR` lists them; nothing is written in the project."""
    logs = tmp_path / "outside" / "logs"
    populate = lambda root: (root / "README.md").write_text("hi\n")  # noqa: E731
    with read_only_mount(tmp_path / "proj", populate) as project:
        run = run_pm([*SHELL, "--logs-dir", str(logs)], stdin="cat README.md\necho second\n", cwd=project,
                     expect=None)
        listed = run_pm(["logs", "list", "--json", "--logs-dir", str(logs)], cwd=project)
        assert sorted(p.name for p in project.iterdir()) == ["README.md"]
    assert_no_traceback(run)
    assert run.code == 0 and run.stdout.count("RESULT: COMPLETE") == 2 and "  | hi" in run.stdout, run.transcript()
    tasks = json.loads(listed.stdout)["tasks"]
    assert [(task["prompt_summary"], task["status"]) for task in tasks] == [("cat README.md", "complete"),
                                                                           ("echo second", "complete")]
    figure(f"read-only project with --logs-dir: exit 0, {len(tasks)} tasks listed from {logs.name}/")


@ROOT_ONLY
@pytest.mark.parametrize("missing", [False, True], ids=["existing-dir", "dir-to-create"])
def test_a_read_only_logs_dir_is_exit_73_naming_it_and_the_flag(tmp_path: Path, missing: bool) -> None:
    """A --logs-dir on a read-only mount (or to be created under one): one ERROR naming that folder, a HINT
    to pass another --logs-dir, exit 73, nothing run."""
    project = tmp_path / "proj"
    project.mkdir()
    with read_only_mount(tmp_path / "ro", lambda _root: None) as mount:
        logs = mount / "logs" if missing else mount
        run = run_pm([*SHELL, "--logs-dir", str(logs)], stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    error = assert_one_error_on_stderr(run.code, run.stdout, run.stderr, project)
    verb = "cannot create the logs folder" if missing else "cannot write the task logs in"
    assert error.startswith(f"ERROR: {verb} {logs}") and error.endswith(f"{mount} is on a read-only file system"), error
    assert run.stderr.splitlines()[1].startswith("HINT: pass a folder you can write to --logs-dir"), run.stderr
    assert not (project / ".claude").exists()


@ROOT_ONLY
def test_a_read_only_logs_folder_mount_is_one_error_on_stderr(tmp_path: Path) -> None:
    """Only `.claude/logs` on a read-only mount (the project writable): the ERROR names that folder."""
    project = tmp_path / "proj"
    with read_only_mount(project / ".claude" / "logs", lambda _logs: None) as logs:
        run = run_pm(SHELL, stdin=SCRIPT, cwd=project, expect=None)
    assert_no_traceback(run)
    error = assert_one_error_on_stderr(run.code, run.stdout, run.stderr, project)
    assert error.endswith(f"{logs} is on a read-only file system"), error


def _without_root_powers() -> list[str]:
    """A prefix running a command as root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, so file
    modes apply to it as to any user (the interpreter under /root stays usable, unlike `nobody`)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv(1) to run the runner with file permissions enforced")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def _foreign_claude(project: Path, mode: int) -> str:
    """`.claude/` owned by another user (uid 65534) with `mode`; returns that user's name."""
    import pwd

    claude = project / ".claude"
    claude.mkdir(parents=True)
    os.chown(claude, 65534, 65534)
    claude.chmod(mode)
    try:
        return pwd.getpwuid(65534).pw_name
    except KeyError:
        return "uid 65534"


def _run_as_user(prefix: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    from tests.helpers.cli import runner_env

    return subprocess.run([*prefix, sys.executable, "-m", "runner", *SHELL], input=SCRIPT, cwd=project,
                          env=runner_env(), capture_output=True, text=True, timeout=120)


def test_a_claude_folder_of_another_user_says_whose_it_is_and_what_is_missing(tmp_path: Path) -> None:
    """`.claude/` made by another user (0755): exit 73 naming its owner, its mode and the missing write
    permission, with the chown that gives it back."""
    prefix = _without_root_powers()
    project = tmp_path / "proj"
    owner = _foreign_claude(project, 0o755)
    run = _run_as_user(prefix, project)
    assert "Traceback" not in run.stderr
    error = assert_one_error_on_stderr(run.returncode, run.stdout, run.stderr, project)
    assert error == (f"ERROR: cannot write the task logs in {project}/.claude/logs: the folder {project}/.claude "
                     f"belongs to {owner} (drwxr-xr-x) and root has no write (w) permission on it"), error
    assert f"sudo chown -R root {project}/.claude" in run.stderr


def test_a_closed_claude_folder_of_another_user_is_not_a_missing_file(tmp_path: Path) -> None:
    """`.claude/` of another user with mode 0700: the config it cannot look into is not reported as
    "Permission denied" on a file that does not exist, but as the folder, its owner and the search
    permission missing; `logs list` says the same."""
    prefix = _without_root_powers()
    project = tmp_path / "proj"
    owner = _foreign_claude(project, 0o700)
    run = _run_as_user(prefix, project)
    assert "Traceback" not in run.stderr and run.returncode == 1, run
    reason = f"the folder {project}/.claude belongs to {owner} (drwx------) and root has no search (x) permission on it"
    assert run.stderr.splitlines()[0] == f"ERROR: cannot read {project}/.claude/runner.config.json: {reason}"
    listed = subprocess.run([*prefix, sys.executable, "-m", "runner", "logs", "list"], cwd=project,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 1 and reason in listed.stderr, listed
