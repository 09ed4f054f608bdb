"""Transient and model-unavailable failures are recognised per executor, from what the real CLIs print."""

from __future__ import annotations

import json

import pytest

from runner.executors.failure_kind import FailureKind, from_error_text, from_http_status
from runner.executors.failure_reason import failure_reason
from tests.helpers.recorded_streams import STREAMS
from tests.helpers.stream_replay import replay_claude

T, M = FailureKind.TRANSIENT, FailureKind.MODEL_UNAVAILABLE


@pytest.mark.parametrize(("status", "kind"), [
    (529, T), (503, T), (429, T), (502, T), (504, T), (404, M), (500, None), (400, None), (401, None), (None, None),
])
def test_http_statuses(status: int | None, kind: FailureKind | None) -> None:
    """Overloaded, rate-limited and gateway statuses are transient; 404 is a missing model; a 500 is not retried."""
    assert from_http_status(status) is kind


@pytest.mark.parametrize(("version", "scenario", "kind"), [
    ("", "fail_529_overloaded", T), ("", "invalid_model", M), ("", "fail_500", None), ("", "max_turns_1", None),
    ("", "resume_unknown_session", None), ("", "write_default_permissions", None),
    ("2.1.332/", "fail_529_overloaded", T), ("2.1.332/", "invalid_model", M), ("2.1.332/", "fail_500", None),
])
def test_claude_code_recordings(version: str, scenario: str, kind: FailureKind | None) -> None:
    """The claude-code executor classifies each recorded real failure from its result line."""
    result = replay_claude(STREAMS / "claude" / f"{version}{scenario}.jsonl")["result"]
    assert result["failure_kind"] == (kind.value if kind else None)


def _stdout(agent: str, scenario: str) -> list[str]:
    return (STREAMS / agent / f"{scenario}.jsonl").read_text().splitlines()


def _stderr(agent: str, scenario: str) -> list[str]:
    return (STREAMS / agent / f"{scenario}.stderr.txt").read_text().splitlines()


@pytest.mark.parametrize(("agent", "scenario", "kind"), [
    ("codex", "fail_529_overloaded", T), ("codex", "invalid_model", M), ("codex", "fail_500", None),
    ("gemini", "fail_503_overloaded", T), ("gemini", "invalid_model", M), ("gemini", "fail_500", None),
])
def test_agent_cli_failure_reasons(agent: str, scenario: str, kind: FailureKind | None) -> None:
    """The `command` executor's failure reason for each recorded Codex/Gemini failure names its kind."""
    reason = failure_reason(_stdout(agent, scenario), _stderr(agent, scenario))
    assert reason, f"no reason found for {agent}/{scenario}"
    assert from_error_text(reason) is kind, reason


@pytest.mark.parametrize(("text", "kind"), [
    ("connect ECONNRESET 10.0.0.1:443", T),
    ("429 Too Many Requests", T),
    ("Rate limit reached for requests", T),
    ("stream disconnected before completion; retrying 1/5", T),
    ("The model `gpt-9` does not exist or you do not have access to it.", M),
    ("Error: unknown model 'x'", M),
    ("SyntaxError: unexpected token", None),
    ("permission denied: write app.py", None),
    ("", None),
])
def test_error_texts(text: str, kind: FailureKind | None) -> None:
    """Network resets and rate limits are transient; a missing model is not; other errors are neither."""
    assert from_error_text(text) is kind


def test_the_recorded_streams_say_what_the_kinds_are_built_on() -> None:
    """The Codex 529 line and the Gemini 503 result really are in the recordings (the phrases are not invented)."""
    codex = [json.loads(line) for line in _stdout("codex", "fail_529_overloaded")]
    assert any("529" in str(record.get("message", "")) for record in codex)
    gemini = [json.loads(line) for line in _stdout("gemini", "fail_503_overloaded")]
    assert any("overloaded" in json.dumps(record) for record in gemini)
