"""`/retry` by id: internal and external ids resolve; malformed or unknown ids are clear errors."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

SHELL = ["repl", "--executor", "shell"]


def test_retry_by_internal_id_reruns_that_task(tmp_path: Path) -> None:
    """`/retry task-001` re-runs the first task even when a later one failed too."""
    run = run_pm(SHELL, stdin="echo first\nfalse\n/retry task-001\n", cwd=tmp_path, expect=1)
    assert run.stdout.count("  | first") == 2
    logs = {log.task_id: log for log in assert_logs_consistent(tmp_path)}
    assert logs["task-003"].parent_task_id == "task-001"
    assert logs["task-003"].thread_id == logs["task-001"].thread_id


def test_retry_by_external_id(tmp_path: Path) -> None:
    """The external id shown by /tasks works for /retry too."""
    run_pm(SHELL, stdin="echo a\n", cwd=tmp_path)
    (log,) = assert_logs_consistent(tmp_path)
    session = log.session_id
    run = run_pm(SHELL, stdin=f"/continue {session}\n/retry {log.external_task_id}\n", cwd=tmp_path)
    assert "RESULT: COMPLETE" in run.stdout
    assert len(assert_logs_consistent(tmp_path)) == 2


def test_retry_with_a_traversal_id_is_refused(tmp_path: Path) -> None:
    """`/retry ../x` is an ERROR naming the id format; nothing runs."""
    run = run_pm(SHELL, stdin="echo a\n/retry ../x\n", cwd=tmp_path, expect=1)
    assert "ERROR: invalid task id" in run.stderr and "HINT:" in run.stderr
    assert run.stdout.count("RESULT:") == 1


def test_retry_with_nothing_failed_says_so(tmp_path: Path) -> None:
    """`/retry` with no failed task is an error with a hint, not a crash."""
    run = run_pm(SHELL, stdin="echo ok\n/retry\n", cwd=tmp_path, expect=1)
    assert "ERROR: no failed task to retry" in run.stderr


def test_retry_of_a_masked_prompt_is_refused_after_continue(tmp_path: Path) -> None:
    """After `/continue`, `/retry` of a task whose saved prompt was masked refuses instead of running the marker."""
    secret = "s3cr3tV4lue-0123456789abcdef"
    env = runner_env({"DEPLOY_TOKEN": secret})
    run_pm(SHELL, stdin=f"printf %s {secret} > out.txt\n", cwd=tmp_path, env=env)
    assert (tmp_path / "out.txt").read_text() == secret
    (log,) = assert_logs_consistent(tmp_path)
    run = run_pm(SHELL, stdin=f"/continue {log.session_id}\n/retry task-001\n", cwd=tmp_path, env=env, expect=1)
    assert "ERROR: /retry task-001: the saved prompt was masked; type it again" in run.stderr
    assert (tmp_path / "out.txt").read_text() == secret, "the masked prompt ran"
    assert len(assert_logs_consistent(tmp_path)) == 1


def test_retry_in_the_same_run_uses_the_typed_prompt(tmp_path: Path) -> None:
    """Within the runner that saw it typed, `/retry` runs the original prompt, not its masked copy."""
    secret = "s3cr3tV4lue-0123456789abcdef"
    env = runner_env({"DEPLOY_TOKEN": secret})
    run_pm(SHELL, stdin=f"printf %s {secret} > out.txt\nrm out.txt\n/retry task-001\n", cwd=tmp_path, env=env)
    assert (tmp_path / "out.txt").read_text() == secret


def test_retry_of_a_cut_prompt_is_refused_after_continue(tmp_path: Path) -> None:
    """A saved prompt cut to the event size limit is not run again as if it were whole."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text('{"logging": {"max_event_size_mb": 0.0001}}')
    run_pm(SHELL, stdin="echo " + "x" * 300 + "\n", cwd=tmp_path)
    (log,) = assert_logs_consistent(tmp_path)
    run = run_pm(SHELL, stdin=f"/continue {log.session_id}\n/retry task-001\n", cwd=tmp_path, expect=1)
    assert "ERROR: /retry task-001: the saved prompt was cut" in run.stderr
    assert run.stdout.count("RESULT:") == 0
