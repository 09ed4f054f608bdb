"""`pm-runner repl` fed by a heredoc: output order, exit codes, errors, modes, auto-start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

SHELL = ["repl", "--executor", "shell"]


def test_seed_sequence_keeps_output_in_input_order(tmp_path: Path) -> None:
    """/start, a task, /tasks, /logs, /exit: each line's output appears before the next line's."""
    run = run_pm(SHELL, stdin="/start\necho hello\n/tasks\n/logs\n/exit\n", cwd=tmp_path)
    out, position = run.stdout, 0
    for marker in ("> /start", "the next task starts a new session", "> echo hello",
                   "No session was active: started sess-", "  | hello", "RESULT: COMPLETE",
                   "> /tasks", "[log: task-001]", "> /logs", "task-001", "> /exit"):
        found = out.find(marker, position)
        assert found >= 0, f"{marker!r} missing or out of order\n{run.transcript()}"
        position = found + len(marker)
    logs = assert_logs_consistent(tmp_path)
    assert [log.status.value for log in logs] == ["complete"]


def test_exit_code_zero_when_every_task_completes(tmp_path: Path) -> None:
    """Exit 0 when every counted task is complete."""
    run_pm(SHELL, stdin="echo one\necho two\n", cwd=tmp_path, expect=0)
    assert len(assert_logs_consistent(tmp_path)) == 2


def test_exit_code_one_when_a_task_errors(tmp_path: Path) -> None:
    """A failing shell command makes the task `error` and the run exit 1, after later lines ran."""
    run = run_pm(SHELL, stdin="false\necho after\n", cwd=tmp_path, expect=1)
    assert "RESULT: ERROR" in run.stdout and "WHY:" in run.stdout
    assert "  | after" in run.stdout


def test_exit_code_two_when_evidence_is_missing(tmp_path: Path) -> None:
    """With --require-evidence always, a task that changes no file is incomplete: exit 2."""
    run = run_pm([*SHELL, "--require-evidence", "always"], stdin="echo nothing\n", cwd=tmp_path, expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout


def test_no_task_at_all_exits_zero(tmp_path: Path) -> None:
    """A script with only commands and blank lines exits 0."""
    run_pm(SHELL, stdin="\n/help\n\n", cwd=tmp_path, expect=0)


def test_retried_failure_no_longer_counts(tmp_path: Path) -> None:
    """Thread rule: a failure later retried successfully does not decide the exit code."""
    flaky = "test -f marker || { touch marker; exit 1; }"
    run = run_pm(SHELL, stdin=f"{flaky}\n/retry\n", cwd=tmp_path, expect=0)
    assert run.stdout.count("RESULT: ERROR") == 1 and run.stdout.count("RESULT: COMPLETE") == 1
    logs = {log.task_id: log for log in assert_logs_consistent(tmp_path)}
    retry = logs["task-002"]
    assert retry.thread_id == logs["task-001"].thread_id
    assert retry.run_id != logs["task-001"].run_id
    assert retry.parent_task_id == "task-001"
    assert any(e.event_type.value == "RETRY_START" for e in retry.events)


@pytest.mark.parametrize("typed", ["exit", "EXIT", "  Exit  ", "quit", ":q", "/quit", "/q"])
def test_quit_words_leave_and_are_never_a_task(tmp_path: Path, typed: str) -> None:
    """`exit`, `quit`, `:q`, `/quit`, `/q` leave like /exit (exit 0); later lines and the executor never run."""
    run = run_pm(SHELL, stdin=f"{typed}\ntouch after-exit.txt\n", cwd=tmp_path, expect=0)
    assert "RESULT:" not in run.stdout and "ERROR" not in run.stdout
    assert not (tmp_path / "after-exit.txt").exists()
    assert not (tmp_path / ".claude" / "logs" / "sessions").exists() or not list(
        (tmp_path / ".claude" / "logs" / "sessions").rglob("task-*.json"))


def test_unknown_command_is_an_error_with_a_hint(tmp_path: Path) -> None:
    """`/tsks` → ERROR naming it, a did-you-mean HINT, exit 1, and later lines still run."""
    run = run_pm(SHELL, stdin="/tsks\necho still\n", cwd=tmp_path, expect=1)
    assert "ERROR: unknown command /tsks" in run.stderr
    assert "HINT: did you mean /tasks?" in run.stderr
    assert "RESULT: COMPLETE" in run.stdout


def test_blocked_executor_then_commands_are_all_processed(tmp_path: Path) -> None:
    """An interactive prompt blocks the task as error; /tasks, /logs and /exit after it still run."""
    script = "printf '? Select an option\\n'; sleep 30\n/tasks\n/logs\n/exit\n"
    run = run_pm([*SHELL, "--progress-timeout", "5000"], stdin=script, cwd=tmp_path, expect=1)
    assert "RESULT: ERROR" in run.stdout
    assert "> /tasks" in run.stdout and "> /logs" in run.stdout and "> /exit" in run.stdout
    (log,) = assert_logs_consistent(tmp_path)
    assert log.executor_blocked and log.blocked_reason is not None
    assert log.blocked_reason.value == "INTERACTIVE_PROMPT"


def test_auto_start_says_so(tmp_path: Path) -> None:
    """A task typed with no session starts one and says which."""
    run = run_pm(SHELL, stdin="echo hi\n", cwd=tmp_path)
    assert re.search(r"No session was active: started sess-\d{8}-\d{3}", run.stdout)


def test_print_project_path_is_the_first_line_in_temp_mode(tmp_path: Path) -> None:
    """--project-mode temp --print-project-path prints PROJECT_PATH first, and logs go there."""
    run = run_pm([*SHELL, "--project-mode", "temp", "--print-project-path"], stdin="touch made.txt\n",
                 cwd=tmp_path)
    first = run.lines[0]
    assert first.startswith("PROJECT_PATH=/"), run.transcript()
    project = Path(first.split("=", 1)[1])
    assert (project / "made.txt").exists()
    (log,) = assert_logs_consistent(project)
    assert log.verification_root == str(project)
    assert [f.path for f in log.verified_files] == ["made.txt"]


def test_fixed_mode_uses_the_given_root(tmp_path: Path) -> None:
    """--project-mode fixed writes into --project-root and records it as verification_root."""
    root = tmp_path / "demo"
    root.mkdir()
    run = run_pm([*SHELL, "--project-mode", "fixed", "--project-root", str(root), "--print-project-path"],
                 stdin="touch README.md\n", cwd=tmp_path)
    assert run.lines[0] == f"PROJECT_PATH={root.resolve()}"
    (log,) = assert_logs_consistent(root)
    assert log.verification_root == str(root.resolve())


@pytest.mark.parametrize("args", [["--project-mode", "fixed"],
                                  ["--project-mode", "fixed", "--project-root", "does-not-exist"]])
def test_fixed_mode_without_an_existing_root_is_an_error(tmp_path: Path, args: list[str]) -> None:
    """Fixed mode with a missing or absent root: ERROR naming the problem, exit 1, nothing created."""
    run = run_pm([*SHELL, *args], stdin="echo hi\n", cwd=tmp_path, expect=1)
    assert "ERROR:" in run.stderr and "HINT:" in run.stderr
    assert not (tmp_path / "does-not-exist").exists()


def test_cwd_mode_is_the_default(tmp_path: Path) -> None:
    """Without a mode, the current folder is the project."""
    run_pm(SHELL, stdin="touch here.txt\n", cwd=tmp_path)
    (log,) = assert_logs_consistent(tmp_path)
    assert log.verification_root == str(tmp_path.resolve())


def test_broken_config_file_names_the_file(tmp_path: Path) -> None:
    """A config file that is not JSON is an error naming it; nothing is guessed."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text('{"executor": "shell",,}')
    run = run_pm(SHELL, stdin="echo hi\n", cwd=tmp_path, expect=1)
    assert "runner.config.json" in run.stderr and "not valid JSON" in run.stderr


def test_unknown_config_key_is_an_error(tmp_path: Path) -> None:
    """A misspelt key in the config file is named, not ignored."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text('{"executer": "shell"}')
    run = run_pm(["repl"], stdin="", cwd=tmp_path, expect=1)
    assert "executer" in run.stderr


def test_config_file_supplies_missing_flags(tmp_path: Path) -> None:
    """A value missing from the command line comes from .claude/runner.config.json."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text('{"executor": "shell"}')
    run = run_pm(["repl", "--trust-project"], stdin="echo from-config\n", cwd=tmp_path)
    assert "  | from-config" in run.stdout


def test_command_executor_without_template_is_rejected_and_logged(tmp_path: Path) -> None:
    """--executor command with no template: the task is still logged, as a rejected error."""
    run = run_pm(["repl", "--executor", "command"], stdin="do something\n", cwd=tmp_path, expect=1)
    assert "RESULT: ERROR" in run.stdout
    (log,) = assert_logs_consistent(tmp_path)
    assert log.runner_decision.value == "reject" and log.error_code is not None


def test_no_executor_available_rejects_and_logs(tmp_path: Path) -> None:
    """Without claude on PATH and no --executor, the REPL says how to choose one and logs a reject."""
    run = run_pm(["repl"], stdin="make a readme\n", cwd=tmp_path, expect=1, env=runner_env())
    assert "--executor shell" in run.stdout
    (log,) = assert_logs_consistent(tmp_path)
    assert log.runner_decision.value == "reject"


def test_tasks_and_logs_list_the_same_tasks(tmp_path: Path) -> None:
    """/tasks and /logs read the same index: every task shows in both."""
    run = run_pm(SHELL, stdin="echo a\nfalse\necho c\n/tasks\n/logs --json\n", cwd=tmp_path, expect=1)
    logs = assert_logs_consistent(tmp_path)
    tasks_part = run.stdout.split("> /tasks", 1)[1].split("> /logs", 1)[0]
    json_part = run.stdout.split("> /logs --json", 1)[1]
    for log in logs:
        assert f"[log: {log.task_id}]" in tasks_part
        assert log.external_task_id in tasks_part
        assert log.task_id in json_part


def test_three_errors_in_a_row_warn(tmp_path: Path) -> None:
    """After three ERROR tasks in a row a one-line WARNING suggests /logs."""
    run = run_pm(SHELL, stdin="false\nfalse\nfalse\n", cwd=tmp_path, expect=1)
    assert run.stderr.count("WARNING: 3 tasks in a row ended in ERROR") == 1


def test_keys_never_show_a_value(tmp_path: Path) -> None:
    """/keys says SET or NOT SET and never prints any part of a key."""
    secret = "sk-ant-api03-" + "Q" * 40
    run = run_pm(SHELL, stdin="/keys\n", cwd=tmp_path, env=runner_env({"ANTHROPIC_API_KEY": secret}))
    assert re.search(r"ANTHROPIC_API_KEY\s+SET", run.stdout)
    assert re.search(r"OPENAI_API_KEY\s+NOT SET", run.stdout)
    assert "QQQQ" not in run.stdout + run.stderr
