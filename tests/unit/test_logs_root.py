"""Choosing the logs folder (`runner/logs/store/logs_root.py`): flag over variable, resolved once, a trusted
anchor below which no link is followed, created 0700."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from runner.errors import LogsNotWritableError
from runner.logs.store import safe_files
from runner.logs.store.logs_root import ENV_VAR, LogsDirChoice, choose_logs_dir, prepare_logs_dir
from runner.logs.store.paths import LogPaths


def test_the_flag_wins_and_an_empty_variable_is_no_choice(tmp_path: Path) -> None:
    """Flag over PM_RUNNER_LOGS_DIR; neither (or an empty variable) keeps the default; relative paths use cwd."""
    env = {ENV_VAR: "from-env"}
    assert choose_logs_dir(Path("from-flag"), env, tmp_path) == LogsDirChoice(tmp_path / "from-flag", "--logs-dir")
    assert choose_logs_dir(None, env, tmp_path) == LogsDirChoice(tmp_path / "from-env", ENV_VAR)
    assert choose_logs_dir(None, {ENV_VAR: ""}, tmp_path) is None
    assert choose_logs_dir(None, {}, tmp_path) is None


def test_a_link_given_as_the_folder_is_resolved_once(tmp_path: Path) -> None:
    """The user's own link is followed at the choice; the folder the paths use is its target."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    choice = choose_logs_dir(Path("link"), {}, tmp_path)
    assert choice is not None and choice.path == tmp_path / "real"
    assert LogPaths(tmp_path / "proj", choice.path).sessions_dir == tmp_path / "real" / "sessions"


def test_below_a_chosen_folder_no_link_is_followed(tmp_path: Path) -> None:
    """The chosen folder is walked from its parent: a link as the folder itself or below it is refused."""
    logs = tmp_path / "logs"
    choose_logs_dir(logs, {}, tmp_path)
    assert safe_files.anchor_of(logs / "sessions" / "s") == (tmp_path, ("logs", "sessions", "s"))
    (tmp_path / "elsewhere").mkdir()
    logs.mkdir()
    (logs / "sessions").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(safe_files.UnsafeFileError, match="a symbolic link"):
        safe_files.make_private_folders(logs / "sessions" / "sess-20250101-001")
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_missing_folder_is_made_private_with_its_parents(tmp_path: Path) -> None:
    """prepare_logs_dir makes every missing folder 0700, whatever the umask; an existing one is kept."""
    logs = tmp_path / "a" / "b" / "logs"
    prepare_logs_dir(LogsDirChoice(logs, "--logs-dir"))
    for folder in (tmp_path / "a", tmp_path / "a" / "b", logs):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    prepare_logs_dir(LogsDirChoice(logs, "--logs-dir"))


def test_a_file_in_the_way_names_it_and_the_variable(tmp_path: Path) -> None:
    """A file where the folder (or one above it) should be: LogsNotWritableError naming the file and the source."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(LogsNotWritableError, match=rf"{tmp_path}/file is a regular file, not a folder") as caught:
        prepare_logs_dir(LogsDirChoice(tmp_path / "file" / "logs", ENV_VAR))
    assert f"(from {ENV_VAR})" in caught.value.message
