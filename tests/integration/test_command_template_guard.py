"""`{prompt}` really never reaches a shell (issue 9 item 10), with real children.

A command template that puts `{prompt}` inside the code a shell or interpreter runs is refused when
the executor is chosen, naming the safe form; the safe form runs the prompt as data; a prompt that
starts with `-` goes after `--`, or is refused where it would be an option's value.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from runner.errors import ExecutorUnavailableError
from runner.executors.base import ExecutorLimits, ExecutorStatus, ExecutorTask
from runner.executors.command import CommandExecutor, parse_template
from tests.helpers.cli import run_pm
from tests.helpers.recording_sink import RecordingSink

LIMITS = ExecutorLimits(executor_timeout_ms=20_000, progress_timeout_ms=10_000, kill_grace_ms=1_000)
INJECTION = "hi; touch INJECTED"


def test_a_shell_template_with_the_prompt_in_its_script_is_refused_at_start(tmp_path: Path) -> None:
    """`sh -c 'echo {prompt}'` is refused with the safe form; `hi; touch INJECTED` runs nothing."""
    run = run_pm(["repl", "--executor", "command", "--executor-cmd", "sh -c 'echo {prompt}'"],
                 stdin=f"{INJECTION}\n", cwd=tmp_path, expect=1)
    assert not (tmp_path / "INJECTED").exists(), run.transcript()
    assert "WARNING: the command template puts {prompt} inside the code that sh runs" in run.stderr, run.transcript()
    assert "HINT: pass the prompt as an argument instead: sh -c 'echo \"$1\"' sh {prompt}" in run.stderr
    assert "RESULT: ERROR" in run.stdout


@pytest.mark.parametrize(("template", "safe"), [
    ("bash -lc 'codex exec {prompt}'", "bash -lc 'codex exec \"$1\"' bash {prompt}"),
    ("env LANG=C sh -ec 'echo \"{prompt}\"'", "env LANG=C sh -ec 'echo \"$1\"' sh {prompt}"),
    ("/usr/bin/python3 -c 'print(\"{prompt}\")'", "/usr/bin/python3 -c 'import sys; print(sys.argv[1])' {prompt}"),
    ("node -e 'console.log(`{prompt}`)'", "node -e 'console.log(process.argv[1])' {prompt}"),
    ("perl -e 'print qq({prompt})'", "perl -e 'print $ARGV[0]' {prompt}"),
])
def test_code_with_the_prompt_inside_is_refused_with_its_safe_form(template: str, safe: str) -> None:
    """Shells with -c (also -lc, -ec, behind env) and interpreters with -c/-e are refused, naming the safe form."""
    with pytest.raises(ExecutorUnavailableError) as caught:
        parse_template(template)
    assert caught.value.hint == f"pass the prompt as an argument instead: {safe}"
    parse_template(safe)  # the safe form itself is accepted


def test_the_safe_form_runs_the_prompt_as_data(tmp_path: Path) -> None:
    """`sh -c '... "$1"' sh {prompt}` prints a hostile prompt verbatim and runs none of it."""
    hostile = f"{INJECTION} $(touch INJECTED2) `touch INJECTED3`"
    result = CommandExecutor("sh -c 'printf \"[%s]\\n\" \"$1\"' sh {prompt}").run(
        ExecutorTask(prompt=hostile, project_root=tmp_path, limits=LIMITS), RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED and result.final_message == f"[{hostile}]"
    assert not any(tmp_path.glob("INJECTED*"))


@pytest.fixture
def print_args(tmp_path: Path) -> Path:
    """A program that prints its arguments as JSON (a stand-in for any agent CLI)."""
    script = tmp_path / "print-args"
    script.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(("template", "argv"), [
    ("{program} exec {{prompt}}", ["exec", "--", "-rf /"]),
    ("{program} exec", ["exec", "--", "-rf /"]),
    ("{program} exec -- {{prompt}}", ["exec", "--", "-rf /"]),
    ("{program} --message={{prompt}}", ["--message=-rf /"]),
    ("sh -c '{program} \"$1\"' sh {{prompt}}", ["-rf /"]),
])
def test_a_prompt_starting_with_a_dash_never_reads_as_an_option(tmp_path: Path, print_args: Path, template: str,
                                                                 argv: list[str]) -> None:
    """`-rf /` goes after `--` (or stays inside its word, or is a script's plain argument)."""
    command = template.format(program=shlex.quote(str(print_args)))
    result = CommandExecutor(command).run(ExecutorTask(prompt="-rf /", project_root=tmp_path, limits=LIMITS),
                                          RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED, result
    assert json.loads(result.final_message) == argv


def test_a_dash_prompt_as_an_options_value_is_refused(tmp_path: Path, print_args: Path) -> None:
    """`-p {prompt}` with a prompt `-x` would hand the program an option: the task fails, nothing runs."""
    result = CommandExecutor(f"{shlex.quote(str(print_args))} -p {{prompt}}").run(
        ExecutorTask(prompt="-x", project_root=tmp_path, limits=LIMITS), RecordingSink())
    assert result.status is ExecutorStatus.FAILED and result.exit_code is None
    assert result.error_message is not None and "starts with '-'" in result.error_message
    assert "put {prompt} after -- in the template" in result.error_message
