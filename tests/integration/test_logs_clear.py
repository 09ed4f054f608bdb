"""`pm-runner logs clear` and `/logs --clear` through the real CLI (seed 003 §8.4)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.helpers.aging import age_session
from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent


def sessions_on_disk(project: Path) -> list[str]:
    folder = project / ".claude" / "logs" / "sessions"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two sessions made by real REPL runs; the first one last updated 10 days ago."""
    run_pm(["repl", "--executor", "shell"], stdin="echo first-session\n", cwd=tmp_path)
    run_pm(["repl", "--executor", "shell"], stdin="echo second-session\necho again\n", cwd=tmp_path)
    old, _recent = sessions_on_disk(tmp_path)
    age_session(tmp_path, old, 10)
    return tmp_path


def test_clear_without_force_off_a_terminal_is_refused(project: Path) -> None:
    """A script cannot delete logs by accident: no --force, no terminal, exit 1 and nothing goes."""
    before = sessions_on_disk(project)
    run = run_pm(["logs", "clear"], cwd=project, expect=1)
    assert "ERROR: --clear needs --force when not at a terminal" in run.stderr, run.transcript()
    assert "HINT: add --force" in run.stderr
    assert sessions_on_disk(project) == before


def test_force_with_older_than_removes_only_old_sessions(project: Path) -> None:
    """--older-than 7d removes the 10-day-old session, names it, and keeps the recent one."""
    old, recent = sessions_on_disk(project)
    run = run_pm(["logs", "clear", "--force", "--older-than", "7d"], cwd=project)
    assert re.fullmatch(rf"Removing {old} \(1 task, [\d.]+ KB\)", run.lines[0]), run.transcript()
    assert re.fullmatch(r"Removed 1 session, 1 task, [\d.]+ KB", run.lines[-1]), run.transcript()
    assert sessions_on_disk(project) == [recent]
    assert not (project / ".claude" / "logs" / "raw" / old).exists()
    assert {log.session_id for log in assert_logs_consistent(project)} == {recent}
    records = [orjson.loads(line) for line in (project / ".claude/logs/retention.jsonl").read_bytes().splitlines()]
    assert [(r["action"], r["session_id"], r["trigger"]) for r in records] == [("remove_session", old, "clear")]


def test_dry_run_lists_everything_and_deletes_nothing(project: Path) -> None:
    """--dry-run names every session that would go, with totals, and leaves the files alone."""
    old, recent = sessions_on_disk(project)
    run = run_pm(["logs", "clear", "--dry-run"], cwd=project)
    assert run.lines[0].startswith(f"Would remove {old} (1 task, "), run.transcript()
    assert run.lines[1].startswith(f"Would remove {recent} (2 tasks, ")
    assert re.fullmatch(r"Would remove 2 sessions, 3 tasks, [\d.]+ KB", run.lines[2])
    assert run.lines[3] == "(dry run: nothing was deleted)"
    assert sessions_on_disk(project) == [old, recent]
    assert not (project / ".claude" / "logs" / "retention.jsonl").exists()


def test_force_clears_all_and_the_list_is_then_empty(project: Path) -> None:
    """--force alone removes every session; listing afterwards says there are none."""
    run = run_pm(["logs", "clear", "--force"], cwd=project)
    assert re.fullmatch(r"Removed 2 sessions, 3 tasks, [\d.]+ KB", run.lines[-1]), run.transcript()
    assert sessions_on_disk(project) == []
    listing = run_pm(["logs", "list"], cwd=project, expect=1)
    assert "no sessions recorded" in listing.stderr, listing.transcript()


def test_an_invalid_duration_is_an_error(project: Path) -> None:
    """--older-than with an unknown unit names the flag and the accepted units."""
    run = run_pm(["logs", "clear", "--force", "--older-than", "7w"], cwd=project, expect=1)
    assert "ERROR: invalid duration '7w' for --older-than" in run.stderr, run.transcript()


def test_clear_in_a_script_needs_force_and_keeps_the_active_session(project: Path) -> None:
    """In a REPL script, /logs --clear alone is a command error; with --force the running session stays."""
    old, recent = sessions_on_disk(project)
    refused = run_pm(["repl", "--executor", "shell"], stdin="/logs --clear\n", cwd=project, expect=1)
    assert "ERROR: --clear needs --force when not at a terminal" in refused.stderr, refused.transcript()
    script = "echo third-session\n/logs --clear --force\n"
    run = run_pm(["repl", "--executor", "shell"], stdin=script, cwd=project)
    active = next(line.split()[-1] for line in run.lines if line.startswith("No session was active: started"))
    assert f"Removing {old} (1 task, " in run.stdout and f"Removing {recent} (2 tasks, " in run.stdout, run.transcript()
    assert f"Kept {active}: it is the active session" in run.stdout
    assert sessions_on_disk(project) == [active]
    assert_logs_consistent(project)
