"""Sessions that follow the person: created by the first task only, `repl --continue [ID]`, `/sessions`
with first prompts and whole ids, and logs kept out of git by `.claude/logs/.gitignore`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.helpers.cli import run_pm

SHELL = ["repl", "--executor", "shell"]


def _sessions(root: Path) -> list[dict[str, object]]:
    documents: list[dict[str, object]] = json.loads(run_pm(["logs", "sessions", "--json"], cwd=root).stdout)["sessions"]
    return documents


def test_start_and_failing_commands_create_no_session(tmp_path: Path) -> None:
    """`/start`, an unknown command, `/tasks` and a `/retry` with nothing to retry leave no session behind; the
    first task creates one."""
    run = run_pm(SHELL, stdin="/start\n/bogus\n/tasks\n/retry\n/retry ../x\n/retry task-001\n/start\n", cwd=tmp_path,
                 expect=1)
    assert "the next task starts a new session" in run.stdout and "No session was active" not in run.stdout
    assert run.stderr.count("ERROR: no session is active, so there is no task to retry") == 2, run.transcript()
    assert "ERROR: invalid task id '../x'" in run.stderr, run.transcript()
    assert not (tmp_path / ".claude" / "logs" / "sessions").exists() or not os.listdir(
        tmp_path / ".claude" / "logs" / "sessions")
    run_pm(SHELL, stdin="echo one\n/start\n/start\necho two\n", cwd=tmp_path)
    sessions = _sessions(tmp_path)
    assert [row["task_count"] for row in sessions] == [1, 1]


def test_continue_reopens_the_latest_or_the_named_session(tmp_path: Path) -> None:
    """`-c` continues the latest session, `--continue ID` a named one; tasks keep numbering in it."""
    run_pm(SHELL, stdin="echo one\n", cwd=tmp_path)
    run_pm(SHELL, stdin="echo two\n", cwd=tmp_path)
    first, second = (str(row["session_id"]) for row in _sessions(tmp_path))
    latest = run_pm([*SHELL, "-c"], stdin="echo three\n", cwd=tmp_path)
    assert f"Session continued: {second} (1 task)" in latest.stdout and "TASK: task-002" in latest.stdout
    named = run_pm([*SHELL, "--continue", first], stdin="echo four\n", cwd=tmp_path)
    assert f"Session continued: {first} (1 task)" in named.stdout and "TASK: task-002" in named.stdout
    assert [row["task_count"] for row in _sessions(tmp_path)] == [2, 2]


def test_continue_without_sessions_or_with_a_bad_id_is_explained(tmp_path: Path) -> None:
    """Nothing to continue, an unknown session or a malformed id: exit 1 with ERROR and HINT, no task run."""
    nothing = run_pm([*SHELL, "-c"], stdin="echo x\n", cwd=tmp_path, expect=1)
    assert "ERROR:" in nothing.stderr and "HINT:" in nothing.stderr and "RESULT" not in nothing.stdout
    run_pm(SHELL, stdin="echo one\n", cwd=tmp_path)
    for wanted in ("sess-20990101-001", "../../etc"):
        bad = run_pm([*SHELL, "--continue", wanted], stdin="echo x\n", cwd=tmp_path, expect=1)
        assert "ERROR:" in bad.stderr and "Traceback" not in bad.stderr and "RESULT" not in bad.stdout


def test_sessions_show_first_prompts_and_whole_ids(tmp_path: Path) -> None:
    """`/sessions` at 80 columns prints every session id in full and each session's first prompt."""
    run_pm(SHELL, stdin="echo alpha-prompt\n", cwd=tmp_path)
    run_pm(SHELL, stdin="echo beta-prompt\necho later\n", cwd=tmp_path)
    out = run_pm(SHELL, stdin="/sessions\n", cwd=tmp_path, env=None).stdout
    for row in _sessions(tmp_path)[:2]:
        assert str(row["session_id"]) in out
    assert "echo alpha-prompt" in out and "echo beta-prompt" in out and "echo later" not in out


def test_logs_are_kept_out_of_git(tmp_path: Path) -> None:
    """`.claude/logs/.gitignore` holds `*`, so `git status` never offers the logs for a commit."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    run_pm(SHELL, stdin="echo hi > made.txt\n", cwd=tmp_path)
    assert (tmp_path / ".claude" / "logs" / ".gitignore").read_text() == "*\n"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    assert "made.txt" in status and ".claude/logs" not in status


def test_a_linked_gitignore_is_never_followed(tmp_path: Path) -> None:
    """A `.claude/logs/.gitignore` symlink planted by a repository is left alone: its target is untouched."""
    target = tmp_path / "outside.txt"
    target.write_text("keep me\n")
    (tmp_path / "project" / ".claude" / "logs").mkdir(parents=True)
    (tmp_path / "project" / ".claude" / "logs" / ".gitignore").symlink_to(target)
    run_pm(SHELL, stdin="echo hi\n", cwd=tmp_path / "project", expect=None)
    assert target.read_text() == "keep me\n"
