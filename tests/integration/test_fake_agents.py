"""The fake agent CLIs in tests/fixtures/bin behave as documented: files, questions, resume, failures, calls."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.recording_sink import FIXTURE_BIN


@dataclass(frozen=True)
class Agent:
    """How a test drives one fake: the command line, the resume command line, where the session id is."""

    program: str
    env_name: str
    argv: Callable[[str], list[str]]
    resume: Callable[[str, str], list[str]] | None
    session_key: str | None
    fail_exit: int


AGENTS = {
    "codex": Agent("codex", "CODEX",
                   lambda p: ["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", p],
                   lambda s, p: ["exec", "resume", s, "--json", "--skip-git-repo-check",
                                 "-c", 'sandbox_mode="workspace-write"', p], "thread_id", 1),
    "gemini": Agent("gemini", "GEMINI",
                    lambda p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo", "--skip-trust"],
                    lambda s, p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo",
                                  "--skip-trust", "--resume", s], "session_id", 244),
    "amp": Agent("amp", "AMP", lambda p: ["--dangerously-allow-all", "-x", p, "--stream-json"],
                 lambda s, p: ["threads", "continue", s, "--dangerously-allow-all", "-x", p, "--stream-json"],
                 "session_id", 1),
    "qwen": Agent("qwen", "QWEN", lambda p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo"],
                  lambda s, p: ["-p", p, "--output-format", "stream-json", "--approval-mode", "yolo",
                                "--resume", s], "session_id", 1),
    "cursor": Agent("cursor-agent", "CURSOR", lambda p: ["-p", "--output-format", "stream-json", "--force", p],
                    lambda s, p: ["-p", "--output-format", "stream-json", "--force", "--resume", s, p],
                    "session_id", 1),
    "opencode": Agent("opencode", "OPENCODE", lambda p: ["run", "--format", "json", "--auto", p],
                      lambda s, p: ["run", "--format", "json", "--auto", "--session", s, p], "sessionID", 1),
    "aider": Agent("aider", "AIDER",
                   lambda p: ["--message", p, "--yes-always", "--no-stream", "--no-pretty",
                              "--chat-history-file", "../chat.md", "--input-history-file", "../input.txt"],
                   None, None, 0),
}
JSON_AGENTS = [name for name in AGENTS if name != "aider"]
RESUMABLE = [name for name, agent in AGENTS.items() if agent.resume is not None]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def env_for(agent: Agent, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FAKE_AGENTS_STATE": str(tmp_path / "state"),
           f"FAKE_{agent.env_name}_CALLS": str(tmp_path / "calls.jsonl")}
    env.update({f"FAKE_{agent.env_name}_{key}": value for key, value in extra.items()})
    return env


def call(name: str, argv: list[str], project: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    agent = AGENTS[name]
    return subprocess.run([str(Path(FIXTURE_BIN) / agent.program), *argv], cwd=project,
                          env=env_for(agent, project.parent, **extra), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def calls(project: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (project.parent / "calls.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("name", list(AGENTS))
def test_write_writes_and_records_the_call(name: str, project: Path) -> None:
    """`write PATH` writes PATH, exits 0, and the call log holds the exact argv with stdin /dev/null."""
    argv = AGENTS[name].argv("write notes.txt")
    done = call(name, argv, project)
    assert done.returncode == 0, done.stderr
    assert (project / "notes.txt").read_text() == "hello\n"
    assert calls(project) == [{"argv": argv, "stdin": "devnull", "cwd": str(project)}]
    if name in JSON_AGENTS:
        assert all(isinstance(line, dict) and "type" in line for line in json_lines(done.stdout))
    else:
        assert "Applied edit to notes.txt" in done.stdout


@pytest.mark.parametrize("name", RESUMABLE)
def test_question_then_resumed_answer_writes_the_named_file(name: str, project: Path) -> None:
    """A question keeps its session; resuming it with an answer naming a file writes that file."""
    agent = AGENTS[name]
    asked = call(name, agent.argv("question"), project)
    assert asked.returncode == 0 and "Should the greeting file be named" in asked.stdout
    session = next(line[agent.session_key] for line in json_lines(asked.stdout) if agent.session_key in line)
    assert agent.resume is not None
    answered = call(name, agent.resume(session, "Use greeting.txt"), project)
    assert answered.returncode == 0, answered.stderr
    assert (project / "greeting.txt").exists()
    assert {line.get(agent.session_key) for line in json_lines(answered.stdout)} - {None} == {session}
    assert calls(project)[1]["argv"] == agent.resume(session, "Use greeting.txt")


@pytest.mark.parametrize("name", RESUMABLE)
def test_unknown_session_fails_without_a_stream(name: str, project: Path) -> None:
    """Resuming a session id the agent never saw prints no stream and exits non-zero."""
    agent = AGENTS[name]
    assert agent.resume is not None
    done = call(name, agent.resume("00000000-0000-4000-8000-000000000000", "hi"), project)
    assert done.returncode != 0 and done.stdout == "" and done.stderr


@pytest.mark.parametrize("name", list(AGENTS))
def test_fail_exits_with_the_agents_code(name: str, project: Path) -> None:
    """`fail` ends with the agent's own failure exit code (aider: 0, errors are only printed)."""
    done = call(name, AGENTS[name].argv("fail"), project)
    assert done.returncode == AGENTS[name].fail_exit, done.stdout + done.stderr
    assert not any(project.iterdir())


@pytest.mark.parametrize("name", list(AGENTS))
def test_missing_claims_a_file_that_is_gone(name: str, project: Path) -> None:
    """`missing PATH` reports writing PATH, yet PATH is not on disk when the agent exits."""
    done = call(name, AGENTS[name].argv("missing gone.txt"), project)
    assert done.returncode == 0 and "gone.txt" in done.stdout
    assert not (project / "gone.txt").exists()


@pytest.mark.parametrize(("name", "marker"), [
    ("codex", '{"type":"error","message":"Reconnecting... 1/5'), ("gemini", "Attempt 1 failed with status 503"),
    ("amp", "Retrying after a transient error"), ("qwen", "Retrying after a transient error"),
    ("cursor", "Connection lost, reconnecting"), ("opencode", "Retrying request"),
    ("aider", "Retrying in 0.2 seconds"),
])
def test_transient_error_is_not_a_failure(name: str, marker: str, project: Path) -> None:
    """`transient` reports a retried error and still finishes the write with exit 0."""
    done = call(name, AGENTS[name].argv("transient t.txt"), project)
    assert done.returncode == 0 and (project / "t.txt").exists()
    assert marker in done.stdout + done.stderr


@pytest.mark.parametrize("name", ["gemini", "amp", "qwen", "cursor", "opencode"])
def test_denied_write_leaves_no_file(name: str, project: Path) -> None:
    """`denied PATH`: the tool call is refused in the stream, nothing is written, exit 0."""
    done = call(name, AGENTS[name].argv("denied d.txt"), project)
    assert done.returncode == 0 and "d.txt" in done.stdout
    assert not (project / "d.txt").exists()


def test_codex_denied_write_leaves_no_item_and_exits_zero(project: Path) -> None:
    """Codex: a rejected patch prints no file_change item, an ERROR line on stderr, and exits 0."""
    done = call("codex", AGENTS["codex"].argv("denied d.txt"), project)
    assert done.returncode == 0 and '"file_change"' not in done.stdout
    assert "patch rejected" in done.stderr and not (project / "d.txt").exists()


@pytest.mark.parametrize(("name", "scenario", "marker"), [
    ("gemini", "invalid-stream", '"status":"error"'),
    ("amp", "failed-exit0", '"is_error":true'),
    ("qwen", "failed-exit0", '"is_error":true'),
    ("cursor", "failed-exit0", '"is_error":true'),
    ("opencode", "failed-exit0", '"type":"error"'),
    ("aider", "fail", "litellm.InternalServerError"),
])
def test_exit_zero_with_a_failed_result(name: str, scenario: str, marker: str, project: Path) -> None:
    """Some failures exit 0: only the stream says the run failed."""
    done = call(name, AGENTS[name].argv(scenario), project)
    assert done.returncode == 0 and marker in done.stdout


@pytest.mark.parametrize(("name", "code", "marker"), [
    ("gemini", 53, "FatalTurnLimitedError"),
    ("amp", 0, '"subtype":"error_max_turns"'),
    ("qwen", 0, '"subtype":"error_max_turns"'),
    ("codex", 1, "context window"),
])
def test_turn_limit(name: str, code: int, marker: str, project: Path) -> None:
    """At the turn limit (Codex: the context window) the stream names it; Gemini exits 53."""
    scenario = "context-limit" if name == "codex" else "turn-limit"
    done = call(name, AGENTS[name].argv(scenario), project)
    assert done.returncode == code and marker in done.stdout


@pytest.mark.parametrize(("name", "started"), [
    ("codex", '"type":"item.started"'), ("gemini", '"type":"tool_use"'), ("amp", '"type":"tool_use"'),
    ("qwen", '"type":"tool_use"'), ("cursor", '"subtype":"started"'),
])
def test_slow_tool_is_announced_before_it_runs(name: str, started: str, project: Path) -> None:
    """`slow`: the line that starts the tool arrives well before the line that ends it."""
    agent = AGENTS[name]
    proc = subprocess.Popen([str(Path(FIXTURE_BIN) / agent.program), *agent.argv("slow")], cwd=project,
                            env=env_for(agent, project.parent, TOOL_SECONDS="0.6"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    arrivals = [(time.monotonic(), line) for line in proc.stdout]
    assert proc.wait(timeout=30) == 0
    start = next(at for at, line in arrivals if started in line)
    assert arrivals[-1][0] - start >= 0.5


def test_opencode_prints_a_tool_only_once_it_finished(project: Path) -> None:
    """opencode has no "tool started" line: the slow tool's only line comes after it ran."""
    done = call("opencode", AGENTS["opencode"].argv("slow"), project, TOOL_SECONDS="0.1")
    (tool,) = [line for line in json_lines(done.stdout) if line["type"] == "tool_use"]
    assert tool["part"]["state"]["status"] == "completed"


@pytest.mark.parametrize("name", ["codex", "gemini"])
def test_stdin_state_is_recorded(name: str, project: Path) -> None:
    """A pipe on stdin is recorded as "pipe"; codex waits for its end, gemini gives up on a silent pipe by itself."""
    agent = AGENTS[name]
    proc = subprocess.Popen([str(Path(FIXTURE_BIN) / agent.program), *agent.argv("write s.txt")], cwd=project,
                            env=env_for(agent, project.parent), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    try:
        if name == "codex":
            time.sleep(1.0)
            assert proc.poll() is None, "codex should wait for the end of its stdin"
            proc.stdin.close()
        # gemini's stdin stays open: it must stop waiting on its own (500 ms of silence in the fake;
        # how long the whole run takes depends on the machine's load, so only a hang fails here)
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
        proc.stdin.close()
    assert calls(project)[0]["stdin"] == "pipe"


@pytest.mark.parametrize(("name", "expected"), [
    ("codex", "codex-cli 0.171.0"), ("gemini", "0.61.0"), ("qwen", "0.24.4"), ("opencode", "1.18.33"),
    ("aider", "aider 0.86.2"),
])
def test_version(name: str, expected: str, project: Path) -> None:
    """`--version` prints the version the fake stands for."""
    done = call(name, ["--version"], project)
    assert done.returncode == 0 and done.stdout.strip() == expected


def test_codex_usage_runs_across_resumes(project: Path) -> None:
    """Codex reports the thread's running total: the resumed turn's usage includes the first turn's."""
    agent = AGENTS["codex"]
    first = json_lines(call("codex", agent.argv("question"), project).stdout)
    assert agent.resume is not None
    second = json_lines(call("codex", agent.resume(first[0]["thread_id"], "Use a.txt"), project).stdout)
    assert first[-1]["usage"]["input_tokens"] == 5000 and second[-1]["usage"]["input_tokens"] == 15000


def test_aider_commits_in_a_git_repository(project: Path) -> None:
    """In a git repository aider commits its edit and prints `Commit <hash> <message>`."""
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    done = call("aider", AGENTS["aider"].argv("write c.txt"), project)
    log = subprocess.run(["git", "log", "--format=%h %s"], cwd=project, capture_output=True, text=True).stdout
    assert done.returncode == 0 and log.strip() and f"Commit {log.strip()}" in done.stdout


def test_aider_keeps_history_files_in_the_project_by_default(project: Path) -> None:
    """Without --chat-history-file aider writes .aider.chat.history.md into the project."""
    done = call("aider", ["--message", "write h.txt", "--yes-always"], project)
    assert done.returncode == 0
    assert {p.name for p in project.iterdir()} == {"h.txt", ".aider.chat.history.md", ".aider.input.history"}
