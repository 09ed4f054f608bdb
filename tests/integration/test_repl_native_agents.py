"""The REPL with each natively read agent (fake CLIs on PATH): invocation, claims vs disk, metrics,
clarification and resume, status from the stream, masking."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent
from tests.helpers.secret_samples import leaked

SECRET = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


@dataclass(frozen=True)
class Agent:
    """What a test knows of one executor: its fake, its exact command lines and its token counts."""

    executor: str
    env_name: str
    argv: Callable[[str], list[str]]  # prompt -> the expected argv after the program
    resume_argv: Callable[[str, str], list[str]]  # (session, answer) -> argv
    write_input_tokens: int  # tokens the fake reports for "write" (3 model calls)
    answer_input_tokens: int  # tokens of the resumed answer alone
    exit0_failure: str  # a scenario that exits 0 and must still be an ERROR
    model: str | None  # the model the stream names, or None when only -m names it


AGENTS = {
    "codex": Agent(
        "codex", "CODEX",
        lambda p: ["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", p],
        lambda s, p: ["exec", "resume", s, "--json", "--skip-git-repo-check",
                      "-c", 'sandbox_mode="workspace-write"', p],
        15000, 10000, "denied", None),
    "gemini": Agent(
        "gemini", "GEMINI",
        lambda p: ["--output-format", "stream-json", "--skip-trust", "--approval-mode", "yolo", "-p", p],
        lambda s, p: ["--output-format", "stream-json", "--skip-trust", "--approval-mode", "yolo",
                      "--resume", s, "-p", p],
        16000, 12000, "invalid-stream", "gemini-3.8-flash"),
}


def agent_env(tmp_path: Path, agent: Agent, **extra: str) -> dict[str, str]:
    env = {f"FAKE_{agent.env_name}_CALLS": str(tmp_path / "calls.jsonl"),
           "FAKE_AGENTS_STATE": str(tmp_path / "state"), **extra}
    return runner_env(env, fake_claude=True)


def calls(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]


def repl(tmp_path: Path, agent: Agent, stdin: str, *, expect: int | None = 0, **env: str):  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    project.mkdir(exist_ok=True)
    run = run_pm(["repl", "--executor", agent.executor], stdin=stdin, cwd=project,
                 env=agent_env(tmp_path, agent, **env), expect=expect)
    return project, run


@pytest.fixture(params=sorted(AGENTS))
def agent(request: pytest.FixtureRequest) -> Agent:
    return AGENTS[request.param]


def test_write_runs_the_documented_command_and_is_verified(tmp_path: Path, agent: Agent) -> None:
    """A write runs the exact documented command line with stdin /dev/null; the claim is verified on disk."""
    project, run = repl(tmp_path, agent, "write notes.md\n")
    assert "RESULT: COMPLETE" in run.stdout
    (call,) = calls(tmp_path)
    assert call["argv"] == agent.argv("write notes.md") and call["stdin"] == "devnull"
    (log,) = assert_logs_consistent(project)
    assert log.executor is not None and log.executor.name == agent.executor
    assert {(f.path, f.detection_method.value) for f in log.verified_files} >= {("notes.md", "executor_claim")}
    assert log.resume_token


def test_metrics_reach_logs(tmp_path: Path, agent: Agent) -> None:
    """Tokens (input with cache, cached, output) and the model land in the TaskLog and in /logs."""
    project, run = repl(tmp_path, agent, "write notes.md\n/logs\n")
    (log,) = assert_logs_consistent(project)
    metrics = log.metrics
    assert metrics is not None and metrics.input_tokens == agent.write_input_tokens
    assert metrics.cache_read_input_tokens is not None and 0 < metrics.cache_read_input_tokens < metrics.input_tokens
    assert metrics.output_tokens and metrics.cost_usd is None
    assert metrics.model == agent.model
    if agent.model:
        assert f"{agent.executor}/{agent.model}" in run.stdout


def test_model_flag_is_passed_and_recorded(tmp_path: Path, agent: Agent) -> None:
    """--model goes to the agent as -m, and names the model when the stream does not."""
    project = tmp_path / "p"
    project.mkdir()
    run_pm(["repl", "--executor", agent.executor, "--model", "gpt-5.5"], stdin="write a.md\n", cwd=project,
           env=agent_env(tmp_path, agent))
    argv = calls(tmp_path)[0]["argv"]
    assert isinstance(argv, list) and argv[argv.index("-m") + 1] == "gpt-5.5"
    (log,) = assert_logs_consistent(project)
    assert log.metrics is not None and log.metrics.model


def test_claimed_file_missing_is_incomplete(tmp_path: Path, agent: Agent) -> None:
    """The agent claims ghost.py but it is gone from disk: INCOMPLETE, exit 2, WHY names the file."""
    project, run = repl(tmp_path, agent, "missing ghost.py\n", expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout
    assert "ghost.py" in run.stdout.split("WHY:", 1)[1].splitlines()[0]
    assert not (project / "ghost.py").exists()


def test_question_is_answered_in_the_resumed_session(tmp_path: Path, agent: Agent) -> None:
    """A question ends the task as a clarification; the answer resumes the agent's own session."""
    project, run = repl(tmp_path, agent, "question\ngreeting.txt\n")
    assert "RESULT: INCOMPLETE" in run.stdout and "NEXT: type your answer" in run.stdout
    first, answer = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert first.runner_decision.value == "clarify"
    assert answer.parent_task_id == first.task_id and answer.status.value == "complete"
    assert (answer.thread_id, answer.run_id) == (first.thread_id, first.run_id)
    session = first.resume_token
    assert session is not None
    assert calls(tmp_path)[1]["argv"] == agent.resume_argv(session, "greeting.txt")
    assert (project / "greeting.txt").exists()
    # Each task counts its own tokens, even where the agent reports the session's running total.
    assert answer.metrics is not None and answer.metrics.input_tokens == agent.answer_input_tokens


@pytest.mark.parametrize("scenario", ["fail", "exit0"])
def test_status_comes_from_the_stream(tmp_path: Path, agent: Agent, scenario: str) -> None:
    """A failed result is an ERROR whatever the exit code (0 included), with the agent's reason."""
    line = agent.exit0_failure if scenario == "exit0" else "fail"
    project, run = repl(tmp_path, agent, f"{line} x.py\n", expect=1)
    assert "RESULT: ERROR" in run.stdout
    (log,) = assert_logs_consistent(project)
    exits = [e.content.get("exit_code") for e in log.events if e.content.get("kind") == "exit"]
    assert exits == [0] if scenario == "exit0" else exits and exits[0] != 0
    label = {"codex": "Codex", "gemini": "Gemini CLI"}[agent.executor]
    assert log.error_reason and log.error_reason.startswith(label), log.error_reason


def test_transient_error_line_is_not_a_failure(tmp_path: Path, agent: Agent) -> None:
    """A retried error line is recorded as a warning event and the task still completes."""
    project, run = repl(tmp_path, agent, "transient\n")
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    warnings = [e for e in log.events if e.content.get("kind") == "warning"]
    assert warnings and all(e.content.get("transient") for e in warnings)


def test_secrets_in_agent_output_are_masked_everywhere(tmp_path: Path, agent: Agent) -> None:
    """A token the agent echoes never reaches the terminal, the logs views, the JSON or any file."""
    project, run = repl(tmp_path, agent, f"echo {SECRET}\n/logs task-001 --full\n/logs task-001 --json\n")
    assert "RESULT: COMPLETE" in run.stdout or "RESULT: INCOMPLETE" in run.stdout
    assert "You said" in run.stdout or "[MASKED" in run.stdout
    views = [run.stdout, run.stderr]
    for args in (["logs"], ["logs", "show", "task-001", "--full"], ["logs", "show", "task-001", "--json"]):
        views.append(run_pm(args, cwd=project, env=agent_env(tmp_path, agent)).stdout)
    for index, text in enumerate(views):
        assert not leaked(SECRET, text), f"view {index} leaks the secret"
    for path in (project / ".claude").rglob("*"):
        if path.is_file():
            assert not leaked(SECRET, path.read_text(errors="replace")), path
