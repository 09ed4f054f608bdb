"""The README's `--executor-cmd` templates for Codex and Gemini CLI work with the real binaries.

Each template is read from README.md itself and run by `pm-runner repl --executor command`
against the pinned CLI, its model faked: the file gets written, and a failure reads right.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable

import pytest

from tests.helpers.cli import REPO, Run
from tests.helpers.logs_check import assert_logs_consistent
from tests.real_agents.clis import CODEX, GEMINI, AgentCli
from tests.real_agents.harness import AgentSandbox

pytestmark = pytest.mark.real_agents


def readme_template(program: str) -> str:
    found = re.findall(r"--executor-cmd '(" + program + r" [^']*)'", (REPO / "README.md").read_text())
    assert found, f"README.md shows no --executor-cmd template for {program}"
    return str(found[0])


def pm_runner(sandbox: AgentSandbox, template: str, line: str, *, expect: int) -> Run:
    return sandbox.pm_runner(["repl", "--executor", "command", "--executor-cmd", template], [line], expect=expect)


@pytest.mark.parametrize("cli", [pytest.param(CODEX, id="codex"), pytest.param(GEMINI, id="gemini")])
def test_readme_template_writes_the_file(agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """With the README's template the real agent writes hello.py and the task is COMPLETE."""
    sandbox = agent_sandbox(cli)
    subprocess.run(["git", "init", "-q", str(sandbox.project)], check=True)
    run = pm_runner(sandbox, readme_template(cli.name), "Create hello.py that prints hello, then run it", expect=0)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()
    assert (sandbox.project / "hello.py").read_text() == "print('hello')\n"


@pytest.mark.parametrize(("cli", "why"), [
    pytest.param(CODEX, "We’re currently experiencing high demand", id="codex"),
    pytest.param(GEMINI, "Internal error encountered", id="gemini"),
])
def test_a_model_failure_reads_as_the_agents_own_error(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli, why: str) -> None:
    """A 500 from the model: WHY quotes the agent's error, not a stdin notice or a lone brace."""
    sandbox = agent_sandbox(cli)
    subprocess.run(["git", "init", "-q", str(sandbox.project)], check=True)
    run = pm_runner(sandbox, readme_template(cli.name), "fail-500: Create hello.py", expect=1)
    line = next(text for text in run.lines if text.startswith("WHY: "))
    assert not line.endswith((": }", "[object Object]")) and "Reading additional input" not in line, run.transcript()
    (log,) = assert_logs_consistent(sandbox.project)
    assert log.error_reason is not None and why in log.error_reason, log.error_reason


def test_codex_outside_a_git_repository_says_so(agent_sandbox: Callable[[AgentCli], AgentSandbox]) -> None:
    """Outside a git repository Codex refuses; WHY carries its words, not its stdin notice."""
    sandbox = agent_sandbox(CODEX)
    run = pm_runner(sandbox, readme_template("codex"), "Create hello.py", expect=1)
    assert ("WHY: Executor exited with code 1: Not inside a trusted directory and --skip-git-repo-check "
            "was not specified.") in run.lines, run.transcript()


