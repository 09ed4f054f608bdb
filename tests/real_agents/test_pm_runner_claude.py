"""pm-runner end to end against the real Claude Code binary, with only the model faked.

`pm-runner repl --executor claude-code` runs in a sandbox whose PATH holds the pinned `claude`
and whose environment points it at the fake model server: write and run, question and resumed
answer, a server error, a denied tool, and a resume of a session the CLI no longer has.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from runner.logs.models import TaskLog
from tests.helpers.cli import Run, run_pm
from tests.helpers.logs_check import all_log_bytes, assert_logs_consistent
from tests.real_agents.clis import CLAUDE, CLAUDE_LATEST, FAKE_KEYS, AgentCli, cache_dir
from tests.real_agents.harness import AgentSandbox

pytestmark = pytest.mark.real_agents
WRITE_AND_RUN = "Create hello.py that prints hello, then run it"
VERSIONS = [pytest.param(CLAUDE, id=CLAUDE.key), pytest.param(CLAUDE_LATEST, id=CLAUDE_LATEST.key)]


def pm_runner(sandbox: AgentSandbox, lines: list[str], *args: str, expect: int | None) -> Run:
    """`pm-runner repl --executor claude-code ARGS` in the sandbox's project, fed LINES on stdin."""
    return sandbox.pm_runner(["repl", "--executor", "claude-code", *args], lines, expect=expect)


def logs(sandbox: AgentSandbox) -> list[TaskLog]:
    return sorted(assert_logs_consistent(sandbox.project), key=lambda log: log.task_id)


def show_json(sandbox: AgentSandbox, task: str) -> dict[str, Any]:
    env = {**sandbox.environment(), "NO_COLOR": "1"}
    run = run_pm(["logs", "show", task, "--full", "--json"], cwd=sandbox.project, env=env, expect=0)
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def summary_events(log: TaskLog) -> list[str]:
    return [event.event_type.value for event in log.events if event.visibility.value == "summary"]


@pytest.mark.parametrize("cli", VERSIONS)
def test_write_and_run_with_the_command_allowed_is_complete(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """With `--allowed-tools 'Bash(python3 hello.py)'` the real claude writes and runs: COMPLETE, facts right."""
    sandbox = agent_sandbox(cli)
    run = pm_runner(sandbox, [WRITE_AND_RUN], "--allowed-tools", "Bash(python3 hello.py)", expect=0)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()
    assert (sandbox.project / "hello.py").read_text() == "print('hello')\n"
    (log,) = logs(sandbox)
    assert log.metrics is not None and log.metrics.model is not None
    assert "[" not in log.metrics.model, log.metrics.model  # claude-opus-4-8[1m] is normalised
    assert (log.metrics.input_tokens, log.metrics.output_tokens) == (3 * 3500, 3 * 42)
    start = next(e for e in log.events if e.event_type.value == "EXECUTOR_START")
    assert "--permission-mode acceptEdits" in start.content["command"]
    assert "'--allowedTools=Bash(python3 hello.py)'" in start.content["command"]
    assert log.resume_token and show_json(sandbox, log.task_id)["resume_token"] == log.resume_token


@pytest.mark.parametrize("cli", VERSIONS)
def test_a_denied_shell_command_is_not_silently_complete(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """By default the write is accepted but the shell command is denied; the agent's claim to have run it is not COMPLETE."""
    sandbox = agent_sandbox(cli)
    run = pm_runner(sandbox, [WRITE_AND_RUN], expect=None)
    assert "RESULT: COMPLETE" not in run.stdout, run.transcript()
    assert (sandbox.project / "hello.py").exists()
    why = next(line for line in run.lines if line.startswith("WHY: "))
    assert "Bash" in why and "python3 hello.py" in why and "--allowed-tools" in why, run.transcript()
    (log,) = logs(sandbox)
    assert [(d.tool, d.target) for d in log.denied_tools] == [("Bash", "python3 hello.py")]
    assert "WARNING" in summary_events(log)


@pytest.mark.parametrize("cli", VERSIONS)
def test_permission_mode_default_denies_the_write(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """`--permission-mode default` is passed through: claude refuses the write, pm-runner says which and how to allow it."""
    sandbox = agent_sandbox(cli)
    run = pm_runner(sandbox, [WRITE_AND_RUN], "--permission-mode", "default", expect=1)
    assert "RESULT: ERROR" in run.stdout and not (sandbox.project / "hello.py").exists()
    why = next(line for line in run.lines if line.startswith("WHY: "))
    assert "Write" in why and "hello.py" in why and "--permission-mode acceptEdits" in why, run.transcript()
    (log,) = logs(sandbox)
    assert [d.tool for d in log.denied_tools] == ["Write", "Bash"]


@pytest.mark.parametrize("cli", VERSIONS)
def test_question_then_resumed_answer(agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """The agent's question is a clarification; the answer resumes the same claude session and writes the file."""
    sandbox = agent_sandbox(cli)
    run = pm_runner(sandbox, ["ask-question: create a greeting file for the project", "Use greeting.txt"],
                    expect=0)
    assert run.stdout.count("RESULT: INCOMPLETE") == 1 and run.stdout.count("RESULT: COMPLETE") == 1
    assert (sandbox.project / "greeting.txt").read_text() == "hello from the fake model\n"
    question, answer = logs(sandbox)
    assert question.resume_token and answer.resume_token == question.resume_token
    assert show_json(sandbox, answer.task_id)["resume_token"] == question.resume_token


@pytest.mark.parametrize("cli", VERSIONS)
def test_server_error_reads_right(agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """A 500 from the model: the retry is shown as progress, the reason names the status, never "(success)"."""
    sandbox = agent_sandbox(cli)
    run = pm_runner(sandbox, ["fail-500: " + WRITE_AND_RUN], expect=1)
    assert "RESULT: ERROR" in run.stdout and "retry 1/1 after 500" in run.stdout, run.transcript()
    why = next(line for line in run.lines if line.startswith("WHY: "))
    assert "(success)" not in why and "500" in why, why
    (log,) = logs(sandbox)
    assert log.error_reason is not None and "API error 500" in log.error_reason


def test_resume_of_a_session_claude_lost_offers_a_fresh_run(
        agent_sandbox: Callable[[AgentCli], AgentSandbox]) -> None:
    """When claude no longer has the session being answered, pm-runner says so and how to start afresh."""
    sandbox = agent_sandbox(CLAUDE)
    env = sandbox.environment()
    env.update(PATH=os.pathsep.join([str(CLAUDE.executable(cache_dir()).parent), env["PATH"]]), NO_COLOR="1")
    child = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "claude-code"],
                             cwd=sandbox.project, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("ask-question: create a greeting file for the project\n")
    child.stdin.flush()
    seen = [child.stdout.readline() for _ in range(6)]
    assert any("RESULT: INCOMPLETE" in line for line in seen), seen
    shutil.rmtree(sandbox.home / ".claude" / "projects")  # claude forgets its sessions
    out, _ = child.communicate("Use greeting.txt\n", timeout=120)
    why = [line for line in out.splitlines() if line.startswith("WHY: ")][-1]  # the answer's, not the question's
    assert child.returncode == 1 and "No conversation found" in why and "fresh run" in why, "".join(seen) + out


def test_fake_key_never_reaches_the_logs(agent_sandbox: Callable[[AgentCli], AgentSandbox]) -> None:
    """The API key in the agent's environment is masked wherever it would appear."""
    sandbox = agent_sandbox(CLAUDE)
    pm_runner(sandbox, [f"echo-back: my key is {FAKE_KEYS['claude']}"], expect=0)
    assert FAKE_KEYS["claude"].encode() not in all_log_bytes(sandbox.project)


@pytest.mark.parametrize("cli", VERSIONS)
def test_rules_in_an_untrusted_workspace_get_a_hint(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli) -> None:
    """The project's own allow rules are ignored by claude (workspace not trusted): a warning says so, a hint says how."""
    sandbox = agent_sandbox(cli)
    settings = sandbox.project / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"permissions": {"allow": ["Bash(python3 hello.py)", "Bash(ls)"]}}))
    run = pm_runner(sandbox, [WRITE_AND_RUN], expect=None)
    said = run.stdout + run.stderr
    assert "RESULT: COMPLETE" not in run.stdout, run.transcript()
    assert "WARNING: Claude Code ignored 2 permissions.allow rule(s) in .claude/settings.json" in said, run.transcript()
    assert "HINT: give the rules to pm-runner instead (--allowed-tools" in said, run.transcript()
    (log,) = logs(sandbox)
    warnings = [e.content for e in log.events if e.event_type.value == "WARNING"]
    assert any(w.get("warning") == "untrusted_workspace" and w.get("ignored_rules") == 2 for w in warnings), warnings
    assert [(d.tool, d.target) for d in log.denied_tools] == [("Bash", "python3 hello.py")]
