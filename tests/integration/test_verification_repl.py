"""Verification through the whole REPL: any file name, sensitive hidden files, dirty work trees, ignored builds."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent

SHELL = ["repl", "--executor", "shell"]


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_a_file_name_that_is_not_utf8_ends_with_its_real_status(tmp_path: Path) -> None:
    """`bad\\377.txt` is verified and logged (escaped, plus its bytes); the task completes and later lines run."""
    script = 'printf x > "$(printf "bad\\377.txt")"\necho after > after.txt\n'
    run = run_pm(SHELL, stdin=script, cwd=tmp_path)
    assert run.stdout.count("RESULT: COMPLETE") == 2, run.transcript()
    assert "Traceback" not in run.stderr
    first, second = assert_logs_consistent(tmp_path)
    assert first.artifacts.files_created == ["bad\\xff.txt"]
    (verified,) = first.verified_files
    assert verified.path == "bad\\xff.txt" and base64.b64decode(verified.path_b64 or "") == b"bad\xff.txt"
    assert first.artifacts.raw_names == {"bad\\xff.txt": base64.b64encode(b"bad\xff.txt").decode()}
    assert second.artifacts.files_created == ["after.txt"]


def test_sensitive_hidden_files_are_warned_in_the_result_and_in_logs(tmp_path: Path) -> None:
    """A task writing a workflow, a git hook and `.env` completes with WARNING lines (stderr in a script), a WARNING
    event and /logs rows."""
    git(tmp_path, "init", "-q")
    script = ("mkdir -p .github/workflows && echo 'run: x' > .github/workflows/ci.yml && "
              "echo 'exit 0' > .git/hooks/pre-push && echo KEY=1 > .env\n/logs task-001\n")
    run = run_pm(SHELL, stdin=script, cwd=tmp_path)
    assert "RESULT: COMPLETE" in run.stdout
    warning = "WARNING: sensitive hidden file(s) changed: .env, .git/hooks/pre-push, .github/workflows/ci.yml"
    assert warning in run.stderr.splitlines() and warning not in run.lines, run.transcript()
    assert "Sensitive:         changed: .env, .git/hooks/pre-push, .github/workflows/ci.yml" in run.stdout
    (log,) = assert_logs_consistent(tmp_path)
    assert log.sensitive_files_modified == [".env", ".git/hooks/pre-push", ".github/workflows/ci.yml"]
    (event,) = [e for e in log.events if e.event_type.value == "WARNING"]
    assert event.visibility.value == "summary" and event.content["warning"] == "sensitive_files_modified"
    assert log.files_modified_count == 0 and log.artifacts.files_touched == []


def test_a_dirty_work_tree_reports_only_what_the_task_changed(tmp_path: Path) -> None:
    """Edits made before the task and writes to `.gitignore`d `dist/` are not the task's; its own edit is."""
    (tmp_path / ".gitignore").write_text("dist/\n")
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b.txt").write_text("b\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "start")
    (tmp_path / "a.txt").write_text("edited by the user before the task\n")
    (tmp_path / "untracked.txt").write_text("also before\n")
    script = "mkdir -p dist && echo built > dist/app.js && echo by-the-task >> b.txt\n"
    run = run_pm(SHELL, stdin=script, cwd=tmp_path)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()
    (log,) = assert_logs_consistent(tmp_path)
    assert log.artifacts.files_touched == ["b.txt"] and log.artifacts.files_modified == ["b.txt"]
    assert log.evidence_summary is not None and log.evidence_summary.change_detection == "git status"
