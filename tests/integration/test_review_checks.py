"""User checks run under the executors' supervision; the review's defaults per executor; checks from a
repository's config file; `logs tree` and the REPL commands of the loop. Real `pm-runner repl` runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from runner.logs.models import EventType, TaskLog
from tests.helpers.cli import project_with_config, run_pm, runner_env
from tests.helpers.logs_check import all_log_bytes, assert_logs_consistent

SECRET = "sk-proj-" + "Q" * 40


def of_type(log: TaskLog, event_type: EventType) -> list[dict[str, object]]:
    return [event.content for event in log.events if event.event_type is event_type]


def test_shell_tasks_have_no_review_unless_a_check_is_given(tmp_path: Path) -> None:
    """auto: the shell executor runs without the loop; with --check one pass is judged (a shell line cannot be
    sent back), and a failing check makes it INCOMPLETE with the check's masked output."""
    project = project_with_config(tmp_path)
    run_pm(["repl", "--executor", "shell"], stdin="echo '# TODO' > a.md\n", cwd=project)
    (plain,) = assert_logs_consistent(project)
    assert not of_type(plain, EventType.REVIEW_LOOP_START) and not plain.review_iterations
    check = f"echo 'token {SECRET}'; echo 'FAILED tests/test_a.py::test_x'; exit 1"
    run = run_pm(["repl", "--executor", "shell", "--check", check], stdin="echo hi > b.md\n", cwd=project, expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout
    _, reviewed = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert [i.verdict for i in reviewed.review_iterations] == ["REJECT"]
    (details,) = of_type(reviewed, EventType.REJECTION_DETAILS)
    failure = details["failures"][0]  # type: ignore[index]
    assert "FAILED tests/test_a.py::test_x" in failure["output_tail"] and "[MASKED:" in failure["output_tail"]
    assert not of_type(reviewed, EventType.MODIFICATION_PROMPT)
    assert SECRET.encode() not in all_log_bytes(project) and SECRET not in run.stdout + run.stderr


def test_a_check_that_hangs_or_asks_is_stopped_and_fails(tmp_path: Path) -> None:
    """Checks get the executors' limits: a silent one times out, one that waits on its closed stdin for an answer is
    blocked; none outlives its task."""
    project = project_with_config(tmp_path, {"review": {"check_timeout_ms": 700}})
    pidfile = tmp_path / "check.pid"
    hang = f"echo $$ > {pidfile}; sleep 30"
    ask = "printf 'Continue? [y/N] '; read answer"
    run = run_pm(["repl", "--executor", "shell", "--check", hang, "--check", ask], stdin="echo hi > a.md\n",
                 cwd=project, expect=2, timeout=60)
    assert "RESULT: INCOMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    (details,) = of_type(log, EventType.REJECTION_DETAILS)
    by_label = {f["criterion"]: f["details"] for f in details["failures"]}  # type: ignore[index, union-attr]
    assert "timed out" in by_label[f"check `{hang}`"][0]
    assert "needed input on stdin, which is closed" in by_label[f"check `{ask}`"][0]
    starts = [c for c in of_type(log, EventType.EXECUTOR_START) if c["executor"] == "check"]
    assert [c["stdin"] for c in starts] == ["closed", "closed"]
    pid = int(pidfile.read_text())
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_checks_from_the_repository_config_do_not_run_without_consent(tmp_path: Path) -> None:
    """review.checks in .claude/runner.config.json runs a program: without a terminal the start is refused naming the
    file, the key and --trust-project (nothing runs, no session); with --trust-project it runs after --check's."""
    marker = tmp_path / "ran.txt"
    project = project_with_config(tmp_path, {"review": {"checks": [f"touch {marker}"]}})
    refused = run_pm(["repl", "--executor", "shell", "--check", "true"], stdin="echo hi > a.md\n", cwd=project,
                     expect=1)
    assert f"{project / '.claude' / 'runner.config.json'} sets review.checks = 'touch {marker}'" in refused.stderr
    assert "--trust-project" in refused.stderr
    assert not marker.exists() and not (project / ".claude" / "logs").exists()
    run = run_pm(["repl", "--executor", "shell", "--check", "true", "--trust-project"],
                 stdin="/status\necho hi > a.md\n", cwd=project)
    assert f"Checks: true, touch {marker}" in run.stdout and marker.exists()
    (log,) = assert_logs_consistent(project)
    (start,) = of_type(log, EventType.REVIEW_LOOP_START)
    assert start["checks"] == ["true", f"touch {marker}"]


def test_checks_from_the_repository_config_are_not_asked_about_with_the_review_off(tmp_path: Path) -> None:
    """With --review off a repository's checks cannot run, so nothing is asked; a later /review on does not run
    them (they were not consented to), and the start-up warning and /status say so."""
    marker = tmp_path / "ran.txt"
    project = project_with_config(tmp_path, {"review": {"checks": [f"touch {marker}"]}})
    run = run_pm(["repl", "--executor", "shell", "--review", "off"], stdin="/review on\n/status\necho hi > a.md\n",
                 cwd=project)
    assert "WARNING: 1 check(s) in .claude/runner.config.json (review.checks) will not run" in run.stderr
    assert "not run: 1 check(s) from .claude/runner.config.json" in run.stdout
    assert not marker.exists()


def test_review_and_check_commands_change_the_next_tasks(tmp_path: Path) -> None:
    """/check add, /review off and /review on take effect for the tasks that follow; /status shows them."""
    project = project_with_config(tmp_path)
    script = "\n".join(["/check add 'test -s a.md'", "/check", "echo hi > a.md", "/review off",
                        "echo x > b.md", "/review on", "/check clear", "/status", "echo y > c.md"]) + "\n"
    run = run_pm(["repl", "--executor", "shell"], stdin=script, cwd=project)
    assert "  1. test -s a.md" in run.stdout and "Review: on (on;" in run.stdout and "Checks: (none)" in run.stdout
    first, second, third = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert of_type(first, EventType.REVIEW_LOOP_START)[0]["checks"] == ["test -s a.md"]
    assert not of_type(second, EventType.REVIEW_LOOP_START)
    assert of_type(third, EventType.REVIEW_LOOP_START)[0]["checks"] == []
    assert [i.verdict for i in third.review_iterations] == ["PASS"]


def test_logs_tree_shows_the_iterations_under_their_task(tmp_path: Path) -> None:
    """`pm-runner logs tree` lists each review iteration under its task, with verdict and failed criteria."""
    project = project_with_config(tmp_path)
    env = runner_env({"FAKE_CLAUDE_SCENARIO": "revise_on_resume", "FAKE_CLAUDE_PATH": "notes.md",
                      "ANTHROPIC_API_KEY": "test-key-not-real"}, fake_claude=True)
    run_pm(["repl", "--check", "grep -q Revised notes.md"], stdin="write notes.md\n", cwd=project, env=env)
    tree = run_pm(["logs", "tree"], cwd=project, env=env).stdout.splitlines()
    task_line = next(i for i, line in enumerate(tree) if "task-001" in line)
    assert "iteration 1 REJECT" in tree[task_line + 1] and "check `grep -q Revised notes.md`" in tree[task_line + 1]
    assert "iteration 2 PASS" in tree[task_line + 2]
    data = json.loads(run_pm(["logs", "tree", "--json"], cwd=project, env=env).stdout)
    (task,) = data["threads"][0]["runs"][0]["tasks"]
    assert [i["verdict"] for i in task["review_iterations"]] == ["REJECT", "PASS"]


def test_no_check_process_is_left_behind(tmp_path: Path) -> None:
    """A check that leaves a background child passes, and the child is ended with the check's process group."""
    project = project_with_config(tmp_path)
    pidfile = tmp_path / "bg.pid"
    check = f"(sleep 60 >/dev/null 2>&1 & echo $! > {pidfile}); true"
    run = run_pm(["repl", "--executor", "shell", "--check", check], stdin="echo hi > a.md\n", cwd=project, timeout=60)
    assert "RESULT: COMPLETE" in run.stdout
    pid = int(pidfile.read_text())
    try:
        os.kill(pid, 0)
        alive = "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except ProcessLookupError:
        alive = False
    assert not alive
