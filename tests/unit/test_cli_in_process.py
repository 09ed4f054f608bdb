"""`pm-runner` run in this process with `run_cli`: the same output and exit codes as a real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli, run_pm
from tests.helpers.logs_check import assert_logs_consistent

SHELL = ["repl", "--executor", "shell"]


def test_version_and_help_exit_zero(tmp_path: Path) -> None:
    """`--version` prints the version and `--help` lists the subcommands, both with exit 0."""
    assert run_cli(["--version"], cwd=tmp_path).stdout == "pm-runner 0.1.0\n"
    assert "{repl,logs,doctor}" in run_cli(["--help"], cwd=tmp_path).stdout


def test_a_script_session_in_process(tmp_path: Path) -> None:
    """A piped session runs each line, prints its RESULT block, logs every task and exits 1 on an error."""
    run = run_cli(SHELL, stdin="echo '# Demo' > README.md\ncat does-not-exist.txt\n", cwd=tmp_path, expect=1)
    assert run.lines[0] == "> echo '# Demo' > README.md"
    assert "RESULT: COMPLETE" in run.stdout and "RESULT: ERROR" in run.stdout
    assert "WHY: Executor exited with code 1: cat: does-not-exist.txt: No such file or directory" in run.stdout
    assert [log.status.value for log in assert_logs_consistent(tmp_path)] == ["complete", "error"]
    assert (tmp_path / "README.md").read_text() == "# Demo\n"


def test_in_process_and_subprocess_agree(tmp_path: Path) -> None:
    """`logs list --json` gives the same document in-process as from a real process."""
    run_cli(SHELL, stdin="echo one\n", cwd=tmp_path)
    inside = json.loads(run_cli(["logs", "list", "--json"], cwd=tmp_path).stdout)
    outside = json.loads(run_pm(["logs", "list", "--json"], cwd=tmp_path).stdout)
    assert inside == outside and inside["tasks"][0]["status"] == "complete"


def test_a_user_error_is_error_and_hint_on_stderr(tmp_path: Path) -> None:
    """`logs list` where nothing was recorded exits 1 with ERROR and HINT lines on stderr, no traceback."""
    run = run_cli(["logs", "list"], cwd=tmp_path, expect=1)
    assert run.stdout == ""
    assert run.stderr.startswith("ERROR: no logs in ") and "\nHINT: " in run.stderr
    assert "Traceback" not in run.stderr


def test_a_flag_typo_is_a_usage_error_exit_64(tmp_path: Path) -> None:
    """A misspelt flag exits 64 (never 2, which scripts read as "incomplete") with ERROR and HINT lines."""
    run = run_cli(["repl", "--executer", "shell"], cwd=tmp_path, expect=64)
    assert "unrecognized arguments: --executer" in run.stderr and "HINT: pm-runner --help" in run.stderr


def test_an_unexpected_exit_code_fails_with_the_transcript(tmp_path: Path) -> None:
    """`expect` is checked, and the failure shows the command, the exit code and both streams."""
    with pytest.raises(AssertionError) as caught:
        run_cli(["logs", "list"], cwd=tmp_path, expect=0)
    assert "expected exit 0" in str(caught.value) and "$ pm-runner logs list" in str(caught.value)
    assert "--- exit 1" in str(caught.value) and "ERROR: no logs in" in str(caught.value)
