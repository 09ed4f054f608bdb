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
class Tokens:
    """Metrics the fake reports for one task: input (cache included), cached, output, cost, model."""

    input: int | None
    cached: int | None
    output: int | None
    cost: float | None
    model: str | None


@dataclass(frozen=True)
class Agent:
    """What a test knows of one executor: its fake, its exact command lines and its numbers."""

    executor: str
    env_name: str
    label: str  # how the executor names the agent in a reason
    argv: Callable[[str], list[str]]  # prompt -> the expected argv after the program
    resume_argv: Callable[[str, str], list[str]] | None  # (session, answer) -> argv; None: no resume
    write: Tokens  # metrics of "write notes.md"
    answer_input_tokens: int | None  # input tokens of the resumed answer alone
    exit0_failure: str  # a scenario that exits 0 and must still be an ERROR


AGENTS = {
    "codex": Agent(
        "codex", "CODEX", "Codex",
        lambda p: ["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", p],
        lambda s, p: ["exec", "resume", s, "--json", "--skip-git-repo-check",
                      "-c", 'sandbox_mode="workspace-write"', p],
        Tokens(15000, 9000, 180, None, None), 10000, "denied"),
    "gemini": Agent(
        "gemini", "GEMINI", "Gemini CLI",
        lambda p: ["--output-format", "stream-json", "--skip-trust", "--approval-mode", "yolo", "-p", p],
        lambda s, p: ["--output-format", "stream-json", "--skip-trust", "--approval-mode", "yolo",
                      "--resume", s, "-p", p],
        Tokens(16000, 4000, 200, None, "gemini-3.8-flash"), 12000, "invalid-stream"),
    "amp": Agent(
        "amp", "AMP", "Amp",
        lambda p: ["--dangerously-allow-all", "-x", p, "--stream-json"],
        lambda s, p: ["threads", "continue", s, "--dangerously-allow-all", "-x", p, "--stream-json"],
        Tokens(10500, 6000, 126, None, None), 7000, "failed-exit0"),
    "qwen": Agent(
        "qwen", "QWEN", "Qwen Code",
        lambda p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo"],
        lambda s, p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo", "--resume", s],
        Tokens(10500, 6000, 126, None, "qwen3-coder-plus"), 7000, "failed-exit0"),
    "cursor": Agent(
        "cursor", "CURSOR", "Cursor",
        lambda p: ["-p", "--output-format", "stream-json", "--force", p],
        lambda s, p: ["-p", "--output-format", "stream-json", "--force", "--resume", s, p],
        Tokens(None, None, None, None, "Claude 4.5 Sonnet"), None, "failed-exit0"),
    "opencode": Agent(
        "opencode", "OPENCODE", "opencode",
        lambda p: ["run", "--format", "json", "--auto", p],
        lambda s, p: ["run", "--format", "json", "--auto", "--session", s, p],
        Tokens(26432, 8192, 128, 0.0062, None), 26432, "failed-exit0"),
    "aider": Agent(
        "aider", "AIDER", "aider",
        lambda p: ["--message", p, "--yes-always", "--no-stream", "--no-pretty", "--no-check-update",
                   "--no-analytics"],
        None, Tokens(2300, None, 85, 0.0082, "anthropic/claude-sonnet-4-5"), None, "fail"),
}
RESUMABLE = sorted(name for name, agent in AGENTS.items() if agent.resume_argv is not None)


def agent_env(tmp_path: Path, agent: Agent, **extra: str) -> dict[str, str]:
    env = {f"FAKE_{agent.env_name}_CALLS": str(tmp_path / "calls.jsonl"),
           "FAKE_AGENTS_STATE": str(tmp_path / "state"), **extra}
    return runner_env(env, fake_claude=True)


def calls(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]


def repl(tmp_path: Path, agent: Agent, stdin: str, *, expect: int | None = 0, **env: str):  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    project.mkdir(exist_ok=True)
    # One executor pass per task: these tests are about each agent's command line and stream; the
    # review loop (on by default for agents) is tested in test_review_loop_claude.py.
    run = run_pm(["repl", "--executor", agent.executor, "--review", "off"], stdin=stdin, cwd=project,
                 env=agent_env(tmp_path, agent, **env), expect=expect)
    return project, run


@pytest.fixture(params=sorted(AGENTS))
def agent(request: pytest.FixtureRequest) -> Agent:
    return AGENTS[request.param]


@pytest.fixture(params=RESUMABLE)
def resumable(request: pytest.FixtureRequest) -> Agent:
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
    assert bool(log.resume_token) is (agent.resume_argv is not None)


def test_metrics_reach_logs(tmp_path: Path, agent: Agent) -> None:
    """Tokens (input with cache, cached, output), cost when reported, and the model land in the log and /logs."""
    project, run = repl(tmp_path, agent, "write notes.md\n/logs\n")
    (log,) = assert_logs_consistent(project)
    metrics, want = log.metrics, agent.write
    assert metrics is not None
    got = (metrics.input_tokens, metrics.cache_read_input_tokens, metrics.output_tokens, metrics.cost_usd,
           metrics.model)
    assert got == (want.input, want.cached, want.output, want.cost, want.model)
    if want.model:
        assert want.model in run.stdout
    if want.cost:
        assert f"${want.cost:.4f}" in run.stdout


MODEL_FLAGS = {"codex": "-m", "gemini": "-m", "qwen": "-m", "cursor": "--model", "opencode": "-m", "aider": "--model"}


@pytest.mark.parametrize("name", sorted(MODEL_FLAGS))
def test_model_flag_is_passed_and_recorded(tmp_path: Path, name: str) -> None:
    """--model goes to the agent with its own flag, and the log names a model."""
    agent = AGENTS[name]
    project = tmp_path / "p"
    project.mkdir()
    run_pm(["repl", "--executor", agent.executor, "--model", "big-model-7", "--review", "off"], stdin="write a.md\n", cwd=project,
           env=agent_env(tmp_path, agent))
    argv = calls(tmp_path)[0]["argv"]
    assert isinstance(argv, list) and argv[argv.index(MODEL_FLAGS[name]) + 1] == "big-model-7"
    (log,) = assert_logs_consistent(project)
    assert log.metrics is not None and log.metrics.model


def test_claimed_file_missing_is_incomplete(tmp_path: Path, agent: Agent) -> None:
    """The agent claims ghost.py but it is gone from disk: INCOMPLETE, exit 2, WHY names the file."""
    project, run = repl(tmp_path, agent, "missing ghost.py\n", expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout
    assert "ghost.py" in run.stdout.split("WHY:", 1)[1].splitlines()[0]
    assert not (project / "ghost.py").exists()


def test_question_is_answered_in_the_resumed_session(tmp_path: Path, resumable: Agent) -> None:
    """A question ends the task as a clarification; the answer resumes the agent's own session."""
    agent = resumable
    assert agent.resume_argv is not None
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


def test_aider_question_is_answered_by_a_fresh_run_carrying_the_request(tmp_path: Path) -> None:
    """aider cannot resume: the answer runs aider again with the request, the question and the answer."""
    agent = AGENTS["aider"]
    project, run = repl(tmp_path, agent, "question about names\ngreeting.txt\n", expect=None)
    assert "NEXT: type your answer" in run.stdout
    first, answer = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert first.runner_decision.value == "clarify" and first.resume_token is None
    assert answer.parent_task_id == first.task_id
    argv = calls(tmp_path)[1]["argv"]
    assert isinstance(argv, list) and "--message" in argv
    message = argv[argv.index("--message") + 1]
    assert message.startswith("question about names") and "You asked: Should the greeting file" in message
    assert message.endswith("Answer: greeting.txt")


@pytest.mark.parametrize("scenario", ["fail", "exit0"])
def test_status_comes_from_the_stream(tmp_path: Path, agent: Agent, scenario: str) -> None:
    """A failed result is an ERROR whatever the exit code (0 included), with the agent's reason."""
    line = agent.exit0_failure if scenario == "exit0" else "fail"
    project, run = repl(tmp_path, agent, f"{line} x.py\n", expect=1)
    assert "RESULT: ERROR" in run.stdout
    (log,) = assert_logs_consistent(project)
    exits = [e.content.get("exit_code") for e in log.events if e.content.get("kind") == "exit"]
    if scenario == "exit0":  # every pass exited 0 (aider's "overloaded" is transient: retried twice)
        assert exits and set(exits) == {0}
    assert log.error_reason and log.error_reason.startswith(agent.label), log.error_reason


def test_transient_error_line_is_not_a_failure(tmp_path: Path, agent: Agent) -> None:
    """A retried error line is recorded as a warning event and the task still completes."""
    project, run = repl(tmp_path, agent, "transient\n")
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    warnings = [e for e in log.events if e.content.get("kind") == "warning"]
    assert any(e.content.get("transient") for e in warnings)


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


# opencode prints a tool only once it finished and aider has no tool lines: neither can pause.
@pytest.mark.parametrize("name", ["codex", "cursor", "gemini", "qwen"])
def test_progress_timeout_waits_while_a_tool_runs(tmp_path: Path, name: str) -> None:
    """A tool silent for longer than the progress timeout does not end the task."""
    agent = AGENTS[name]
    project = tmp_path / "p"
    project.mkdir()
    run = run_pm(["repl", "--executor", agent.executor, "--progress-timeout", "3000", "--review", "off"], stdin="slow\n", cwd=project,
                 env=agent_env(tmp_path, agent, **{f"FAKE_{agent.env_name}_TOOL_SECONDS": "4.5"}))
    assert "RESULT: COMPLETE" in run.stdout
