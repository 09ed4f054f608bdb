"""The REPL with the claude-code executor (a fake `claude` on PATH): clarifications, resume, metrics."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent


def claude_env(tmp_path: Path, scenario: str) -> dict[str, str]:
    return runner_env({"FAKE_CLAUDE_SCENARIO": scenario,
                       "FAKE_CLAUDE_ARGV_FILE": str(tmp_path / "argv.json")}, fake_claude=True)


def test_claude_is_the_default_executor_when_on_path(tmp_path: Path) -> None:
    """With `claude` on PATH and no --executor, tasks go to claude-code; cost and tokens are logged."""
    project = tmp_path / "p"
    project.mkdir()
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "write"))
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert log.executor is not None and log.executor.name == "claude-code"
    assert log.metrics is not None and log.metrics.cost_usd == 0.029775
    assert {(f.path, f.detection_method.value) for f in log.verified_files} >= {("notes.md", "executor_claim")}
    assert log.resume_token


def test_question_then_answer_resumes_the_same_thread(tmp_path: Path) -> None:
    """A question ends the task clarify/incomplete; the next line answers it in the same thread and run."""
    project = tmp_path / "p"
    project.mkdir()
    run = run_pm(["repl"], stdin="make a readme\nREADME.md\n", cwd=project,
                 env=claude_env(tmp_path, "question_then_write"), expect=0)
    assert "RESULT: INCOMPLETE" in run.stdout and "Which file name should I use?" in run.stdout
    assert "NEXT: type your answer" in run.stdout
    first, answer = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert first.runner_decision.value == "clarify" and first.status.value == "incomplete"
    assert any(e.event_type.value == "CLARIFICATION_REQUEST" for e in first.events)
    assert answer.events[0].event_type.value == "USER_RESPONSE"
    assert (answer.thread_id, answer.run_id) == (first.thread_id, first.run_id)
    assert answer.parent_task_id == first.task_id and answer.status.value == "complete"
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert argv[argv.index("--resume") + 1] == first.resume_token
    assert (project / "README.md").exists()


def test_unanswered_question_exits_two(tmp_path: Path) -> None:
    """A script that ends on an unanswered question exits 2 (incomplete, no error)."""
    project = tmp_path / "p"
    project.mkdir()
    run_pm(["repl"], stdin="make a readme\n", cwd=project, env=claude_env(tmp_path, "question"), expect=2)


def test_claude_error_result_is_an_error(tmp_path: Path) -> None:
    """`is_error: true` in the result line makes the task error and the run exit 1."""
    project = tmp_path / "p"
    project.mkdir()
    run = run_pm(["repl"], stdin="write x.md\n", cwd=project, env=claude_env(tmp_path, "error"), expect=1)
    assert "RESULT: ERROR" in run.stdout


def test_claimed_file_missing_is_incomplete_naming_it(tmp_path: Path) -> None:
    """A Write claim with no file on disk ends incomplete, and WHY names the file."""
    project = tmp_path / "p"
    project.mkdir()
    run = run_pm(["repl"], stdin="write ghost.md\n", cwd=project, env=claude_env(tmp_path, "missing"), expect=2)
    assert "ghost.md" in run.stdout.split("WHY:", 1)[1].splitlines()[0]


def settings_project(tmp_path: Path, *, trusted: bool) -> tuple[Path, dict[str, str]]:
    """A project whose .claude/settings.json allows `cat notes.md`, and a HOME that trusts it or not."""
    project, home = tmp_path / "p", tmp_path / "home"
    (project / ".claude").mkdir(parents=True)
    home.mkdir()
    (project / ".claude" / "settings.json").write_text(json.dumps({"permissions": {"allow": ["Bash(cat notes.md)"]}}))
    if trusted:
        (home / ".claude.json").write_text(json.dumps({"projects": {str(project): {"hasTrustDialogAccepted": True}}}))
    return project, {**claude_env(tmp_path, "write_and_run"), "HOME": str(home)}


def test_rules_of_an_untrusted_workspace_get_a_warning_and_a_hint(tmp_path: Path) -> None:
    """Claude ignores the project's allow rules in an untrusted folder: the run says so after the result and how to
    allow them, and `/logs` shows the refused call."""
    project, env = settings_project(tmp_path, trusted=False)
    # 2>&1: the WARNING is on stderr in a script (test_notice_streams), here its place in the transcript matters
    run = run_pm(["repl"], stdin="write notes.md\n/logs task-001\n", cwd=project, env=env, expect=2, merged=True)
    assert "RESULT: INCOMPLETE" in run.stdout and "Bash cat notes.md" in run.stdout
    assert any(line.startswith("Denied:") and line.endswith("Bash cat notes.md") for line in run.lines), run.transcript()
    assert ("WARNING: Claude Code ignored 1 permissions.allow rule(s) in .claude/settings.json: this folder is not a "
            "trusted Claude Code workspace") in run.stdout, run.transcript()
    hint = "HINT: give the rules to pm-runner instead (--allowed-tools 'RULE'"
    assert hint in run.stdout.split("RESULT: INCOMPLETE", 1)[1], run.transcript()  # after the result block
    (log,) = assert_logs_consistent(project)
    (warning,) = [e for e in log.events if e.event_type.value == "WARNING" and e.content.get("warning") == "untrusted_workspace"]
    assert warning.visibility.value == "summary" and warning.content["ignored_rules"] == 1
    assert "--allowed-tools" in warning.content["hint"]


def test_rules_of_a_trusted_workspace_apply_without_a_warning(tmp_path: Path) -> None:
    """Once the folder is trusted in ~/.claude.json, claude applies the rules itself and pm-runner warns of nothing."""
    project, env = settings_project(tmp_path, trusted=True)
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=env, expect=0)
    assert "RESULT: COMPLETE" in run.stdout and "ignored" not in run.stdout + run.stderr, run.transcript()
    (log,) = assert_logs_consistent(project)
    assert not log.denied_tools and not [e for e in log.events if e.event_type.value == "WARNING"]


def config_project(tmp_path: Path, claude_settings: dict[str, object]) -> Path:
    """A project whose .claude/runner.config.json holds these executors.claude-code settings."""
    project = tmp_path / "p"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "runner.config.json").write_text(json.dumps({"executors": {"claude-code": claude_settings}}))
    return project


def test_permission_settings_of_the_config_file_reach_claude(tmp_path: Path) -> None:
    """The file's permission mode and its non-shell rules are passed to claude as `--permission-mode` and `--allowedTools=`."""
    project = config_project(tmp_path, {"permission_mode": "default", "allowed_tools": ["Edit(docs/**)", "Read"]})
    run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "write"), expect=1)
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert argv[argv.index("--permission-mode") + 1] == "default"
    assert "--allowedTools=Edit(docs/**),Read" in argv
    assert not (project / "notes.md").exists()  # mode default: the fake claude refused the write


def test_a_repository_config_cannot_allow_shell_commands_on_its_own(tmp_path: Path) -> None:
    """A `Bash` rule in the repository's file needs the user's own flag: without it the REPL refuses to start."""
    project = config_project(tmp_path, {"allowed_tools": ["Bash(cat notes.md)", "Read"]})
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "write_and_run"), expect=1)
    assert "executors.claude-code.allowed_tools lets Claude Code run shell commands (Bash(cat notes.md))" in run.stderr
    assert "HINT: if you mean it, say so yourself: --allowed-tools 'Bash(cat notes.md)'" in run.stderr, run.transcript()
    assert not (tmp_path / "argv.json").exists() and not (project / "notes.md").exists()
    agreed = run_pm(["repl", "--allowed-tools", "Bash(cat notes.md)"], stdin="write notes.md\n", cwd=project,
                    env=claude_env(tmp_path, "write_and_run"), expect=0)
    assert "RESULT: COMPLETE" in agreed.stdout
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert "--allowedTools=Bash(cat notes.md),Read" in argv


def test_a_repository_config_cannot_bypass_permissions_on_its_own(tmp_path: Path) -> None:
    """`bypassPermissions` (or `auto`) in the repository's file needs `--permission-mode` from the user."""
    project = config_project(tmp_path, {"permission_mode": "bypassPermissions"})
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "write"), expect=1)
    assert "executors.claude-code.permission_mode is bypassPermissions, which lets Claude Code run any tool" in run.stderr
    assert "HINT: if you mean it, say so yourself: --permission-mode bypassPermissions" in run.stderr
    run_pm(["repl", "--permission-mode", "bypassPermissions"], stdin="write notes.md\n", cwd=project,
           env=claude_env(tmp_path, "write"), expect=0)
    argv = json.loads((tmp_path / "argv.json").read_text())
    assert argv[argv.index("--permission-mode") + 1] == "bypassPermissions"
