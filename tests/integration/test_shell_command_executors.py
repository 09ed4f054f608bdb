"""The `shell` and `command` executors with real children: where they run, how arguments travel, exit codes."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from runner.errors import ExecutorUnavailableError
from runner.executors.base import ExecutorLimits, ExecutorStatus, ExecutorTask
from runner.executors.command import CommandExecutor, build_argv, parse_template
from runner.executors.shell import ShellExecutor
from runner.logs.models import ErrorCode, EventType
from tests.helpers.recording_sink import RecordingSink

LIMITS = ExecutorLimits(executor_timeout_ms=20_000, progress_timeout_ms=10_000, kill_grace_ms=1_000)
ECHO_ARGV = f"{shlex.quote(sys.executable)} -c 'import json, sys; print(json.dumps(sys.argv[1:]))'"
HOSTILE = "fix it; touch pwned $(touch pwned2) `touch pwned3` 'quoted' \"double\" *"


def test_shell_runs_in_the_project_root(tmp_path: Path) -> None:
    """The shell executor runs the line with /bin/sh in the project root; output is the final message."""
    result = ShellExecutor().run(ExecutorTask(prompt="pwd; echo made > made.txt", project_root=tmp_path,
                                              limits=LIMITS), RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED and result.exit_code == 0
    assert result.final_message == str(tmp_path)
    assert (tmp_path / "made.txt").read_text() == "made\n"
    assert result.claimed_files == [] and not result.is_question


def test_shell_failure_names_the_exit_code_and_last_error_line(tmp_path: Path) -> None:
    """A non-zero exit is FAILED with EXECUTOR_FAILED and a reason quoting the code and stderr."""
    result = ShellExecutor().run(ExecutorTask(prompt="echo 'no such target' >&2; exit 7", project_root=tmp_path,
                                              limits=LIMITS), RecordingSink())
    assert result.status is ExecutorStatus.FAILED and result.exit_code == 7
    assert result.error_code is ErrorCode.EXECUTOR_FAILED
    assert result.error_message == "Executor exited with code 7: no such target"


def test_command_passes_the_prompt_as_one_argument(tmp_path: Path) -> None:
    """`{prompt}` becomes exactly one argv element; shell syntax in the prompt is never interpreted."""
    sink = RecordingSink()
    result = CommandExecutor(f"{ECHO_ARGV} --message {{prompt}}").run(
        ExecutorTask(prompt=HOSTILE, project_root=tmp_path, limits=LIMITS), sink)
    assert result.status is ExecutorStatus.SUCCEEDED
    assert json.loads(result.final_message) == ["--message", HOSTILE]
    assert not any(tmp_path.glob("pwned*"))
    assert sink.of_type(EventType.EXECUTOR_START)[0]["command"].endswith(shlex.quote(HOSTILE))


def test_command_placeholder_inside_a_word_and_appended(tmp_path: Path) -> None:
    """`--message={prompt}` is filled in place; a template without a placeholder gets the prompt last."""
    assert build_argv(["aider", "--message={prompt}"], "a b") == ["aider", "--message=a b"]
    assert build_argv(["codex", "exec"], "a b") == ["codex", "exec", "a b"]
    result = CommandExecutor(ECHO_ARGV).run(ExecutorTask(prompt="two words", project_root=tmp_path,
                                                         limits=LIMITS), RecordingSink())
    assert json.loads(result.final_message) == ["two words"]


def test_command_final_question_is_flagged(tmp_path: Path) -> None:
    """An agent CLI whose closing line is a question is reported as asking one."""
    template = f"{shlex.quote(sys.executable)} -c 'print(\"Which file should I edit?\")' {{prompt}}"
    result = CommandExecutor(template).run(ExecutorTask(prompt="edit", project_root=tmp_path, limits=LIMITS),
                                           RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED and result.is_question


@pytest.mark.parametrize("template, fragment", [
    (None, "needs a command template"),
    ("   ", "needs a command template"),
    ("codex exec 'unbalanced", "cannot parse"),
    ("surely-not-installed-agent exec {prompt}", "cannot find 'surely-not-installed-agent'"),
])
def test_command_unusable_template_is_a_clear_error(template: str | None, fragment: str) -> None:
    """A missing, unparsable or not-installed template is refused with a hint showing an example."""
    with pytest.raises(ExecutorUnavailableError) as caught:
        CommandExecutor(template).check_available()
    assert fragment in caught.value.message
    assert caught.value.hint


def test_parse_template_splits_like_a_shell() -> None:
    """Quoted words stay together when the template is split."""
    assert parse_template("aider --yes-always --message '{prompt}'") == ["aider", "--yes-always", "--message",
                                                                      "{prompt}"]
