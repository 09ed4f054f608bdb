"""`pm-runner logs ...` from a shell: JSON for jq, filters, --follow, errors, corruption."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import a_task_is_running, kill_recorded_children

SHELL = ["repl", "--executor", "shell"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one session of three tasks: complete, error, complete."""
    root = tmp_path_factory.mktemp("logs-cli")
    run_pm(SHELL, stdin="echo one\nfalse\ntouch made.txt\n", cwd=root, expect=1)
    return root


def test_help_and_version(tmp_path: Path) -> None:
    """`--help` lists both subcommands and `--version` prints the version."""
    assert "repl" in run_pm(["--help"], cwd=tmp_path).stdout
    assert "logs" in run_pm(["--help"], cwd=tmp_path).stdout
    assert run_pm(["--version"], cwd=tmp_path).stdout.startswith("pm-runner 0.1.0")
    assert "clear" in run_pm(["logs", "--help"], cwd=tmp_path).stdout
    assert "--older-than" in run_pm(["logs", "clear", "--help"], cwd=tmp_path).stdout


def test_list_json_parses_and_lists_every_task(project: Path) -> None:
    """`logs list --json` is one JSON document with every task and the counts."""
    data = json.loads(run_pm(["logs", "list", "--json"], cwd=project).stdout)
    assert [t["task_id"] for t in data["tasks"]] == ["task-001", "task-002", "task-003"]
    assert data["counts"]["error"] == 1 and data["counts"]["complete"] == 2


def test_status_filter(project: Path) -> None:
    """`--status error` keeps only failed tasks."""
    data = json.loads(run_pm(["logs", "list", "--status", "error", "--json"], cwd=project).stdout)
    assert [t["task_id"] for t in data["tasks"]] == ["task-002"]


def test_since_filter(project: Path) -> None:
    """`--since 1h` keeps today's tasks; a bad duration is an error naming the units."""
    data = json.loads(run_pm(["logs", "list", "--since", "1h", "--json"], cwd=project).stdout)
    assert len(data["tasks"]) == 3
    bad = run_pm(["logs", "list", "--since", "yesterday"], cwd=project, expect=1)
    assert "invalid duration 'yesterday'" in bad.stderr and "HINT:" in bad.stderr


def test_show_json_summary_and_full(project: Path) -> None:
    """`show --json` holds summary events only; `--full` adds executor events."""
    summary = json.loads(run_pm(["logs", "show", "task-001", "--json"], cwd=project).stdout)
    full = json.loads(run_pm(["logs", "show", "task-001", "--json", "--full"], cwd=project).stdout)
    summary_types = {e["event_type"] for e in summary["events"]}
    full_types = {e["event_type"] for e in full["events"]}
    assert "EXECUTOR_START" not in summary_types and "EXECUTOR_START" in full_types
    assert summary_types < full_types


def test_show_accepts_the_external_id(project: Path) -> None:
    """Both ids resolve: the external `task-<epoch-ms>` shows the same log."""
    entry = json.loads(run_pm(["logs", "list", "--json"], cwd=project).stdout)["tasks"][2]
    shown = json.loads(run_pm(["logs", "show", entry["external_task_id"], "--json"], cwd=project).stdout)
    assert shown["task_id"] == "task-003"


def test_tree_and_sessions(project: Path) -> None:
    """`tree` draws the session; `sessions --json` lists it with counts."""
    tree = run_pm(["logs", "tree"], cwd=project).stdout
    assert tree.startswith("Session: sess-") and "└─ [thr-003]" in tree
    sessions = json.loads(run_pm(["logs", "sessions", "--json"], cwd=project).stdout)
    assert len(sessions["sessions"]) == 1


@pytest.mark.parametrize("ref", ["task-099", "task-1234567890123", "../etc/passwd", "task-001/../../x"])
def test_unknown_or_hostile_task_id_is_an_error(project: Path, ref: str) -> None:
    """An unknown or malformed id exits 1 with ERROR and HINT on stderr, never a traceback."""
    run = run_pm(["logs", "show", ref], cwd=project, expect=1)
    assert run.stderr.startswith("ERROR: ") and "HINT: " in run.stderr and run.stdout == ""
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("session", ["sess-20000101-001", "../../x"])
def test_unknown_session_is_an_error(project: Path, session: str) -> None:
    """`--session` naming nothing (or a path) exits 1 with a clear message."""
    run = run_pm(["logs", "list", "--session", session], cwd=project, expect=1)
    assert "ERROR: " in run.stderr and "Traceback" not in run.stderr


def test_missing_logs_folder_is_an_error(tmp_path: Path) -> None:
    """A project without logs: exit 1 saying so; nothing is created by reading."""
    run = run_pm(["logs", "list"], cwd=tmp_path, expect=1)
    assert "ERROR: " in run.stderr
    assert not (tmp_path / ".claude").exists()


def test_corrupted_task_file_shows_only_that_task_as_corrupted(tmp_path: Path) -> None:
    """A task file that is not JSON shows "Log file corrupted"; the list still works."""
    run_pm(SHELL, stdin="echo a\necho b\n", cwd=tmp_path)
    (task_file,) = tmp_path.glob(".claude/logs/sessions/*/tasks/task-001.json")
    task_file.write_bytes(b'{"broken": ')
    shown = run_pm(["logs", "show", "task-001"], cwd=tmp_path, expect=None)
    assert "Log file corrupted" in shown.stdout
    listed = run_pm(["logs", "list", "--json"], cwd=tmp_path)
    assert len(json.loads(listed.stdout)["tasks"]) == 2
    other = run_pm(["logs", "show", "task-002"], cwd=tmp_path).stdout
    assert "COMPLETE" in other and "Log file corrupted" not in other


def test_corrupted_session_index_is_rebuilt(tmp_path: Path) -> None:
    """A session index that is not JSON is rebuilt from the task files and says so."""
    run_pm(SHELL, stdin="echo a\n", cwd=tmp_path)
    (index,) = tmp_path.glob(".claude/logs/sessions/*/index.json")
    index.write_bytes(b"\x00garbage")
    run = run_pm(["logs", "list"], cwd=tmp_path)
    assert "task-001" in run.stdout and "rebuilt" in run.stdout
    json.loads(index.read_bytes())


def test_follow_streams_a_running_task_until_it_ends(tmp_path: Path) -> None:
    """`show --follow` prints events of a running task as they come and exits when it ends."""
    proc = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "shell"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=tmp_path, env=runner_env())
    assert proc.stdin is not None
    proc.stdin.write(b"echo start; sleep 2; echo finished-now\n")
    proc.stdin.close()
    deadline = time.monotonic() + 15
    while not list(tmp_path.glob(".claude/logs/sessions/*/tasks/task-001.json")):
        assert time.monotonic() < deadline, "task never registered"
        time.sleep(0.05)
    follow = run_pm(["logs", "show", "task-001", "--follow", "--full"], cwd=tmp_path, timeout=30)
    proc.wait(timeout=30)
    assert "finished-now" in follow.stdout
    assert "TASK_COMPLETE" in follow.stdout


def test_follow_ends_with_the_recovered_status_when_the_runner_dies(tmp_path: Path) -> None:
    """`show --follow` on a task whose runner is SIGKILLed sees the runner gone, shows it recovered, exits 1."""
    runner = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "shell"],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=tmp_path, env=runner_env())
    assert runner.stdin is not None
    runner.stdin.write(b"echo started; sleep 60\n")
    runner.stdin.flush()
    follow: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 15
        while not a_task_is_running(tmp_path):
            assert time.monotonic() < deadline, "the task never started"
            time.sleep(0.05)
        follow = subprocess.Popen([sys.executable, "-m", "runner", "logs", "show", "task-001", "--follow"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=runner_env())
        time.sleep(1.5)  # the follower is polling a live session
        assert follow.poll() is None, "the follower ended while the runner was alive"
        runner.kill()
        runner.wait(timeout=10)
        killed = time.monotonic()
        out, err = follow.communicate(timeout=20)
        waited = time.monotonic() - killed
    finally:
        for proc in (runner, follow):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        kill_recorded_children(tmp_path)
    text = out.decode(errors="replace") + err.decode(errors="replace")
    # The follower sees the dead owner through its pid, not a timeout: it ends at all (communicate's 20 s
    # bound above) only because it noticed. How fast is not judged here: under a loaded test run the
    # wall clock says more about the machine than about the follower.
    assert follow.returncode == 1, f"ended {waited:.1f} s after the kill\n{text}"
    assert "RECOVERY_COMPLETE" in out.decode() and "TASK_ERROR" in out.decode(), text
    assert "ERROR:" not in out.decode(), text  # stdout is the document; what went wrong is on stderr
    assert "ERROR: the runner of task-001 stopped before the task finished; it was recovered as error " \
           "(RUNNER_CRASHED)" in err.decode(), text
    log = next(iter(tmp_path.glob(".claude/logs/sessions/*/tasks/task-001.json"))).read_bytes()
    assert b'"RUNNER_CRASHED"' in log
