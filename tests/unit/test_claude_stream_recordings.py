"""Real Claude Code streams (two CLI versions, model faked) replayed through the stream-json parser.

The recordings under tests/fixtures/streams/claude/ are what the real CLI printed; each
`<scenario>.expected.json` pins the `ExecutorResult` and the events the parse records, so a change of
parser shape that changes what the runner concludes from a real stream fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.stream_replay import STREAMS, expected_path, recordings, replay_claude

CLAUDE = recordings("claude")


def test_both_cli_versions_are_recorded() -> None:
    """Nine scenarios of 2.1.332 and ten of 2.1.197, each with its expected result."""
    assert len([p for p in CLAUDE if p.parent.name == "2.1.332"]) == 9
    assert len([p for p in CLAUDE if p.parent.name == "claude"]) == 10
    assert all(expected_path(p).exists() for p in CLAUDE)


@pytest.mark.parametrize("recording", CLAUDE, ids=lambda p: str(p.relative_to(STREAMS)))
def test_replay_gives_the_expected_result_and_events(recording: Path) -> None:
    """Replaying the recorded stdout gives exactly the pinned result and events."""
    assert replay_claude(recording) == json.loads(expected_path(recording).read_text())


@pytest.mark.parametrize("version", ["", "2.1.332/"])
def test_what_the_runner_concludes_from_each_scenario(version: str) -> None:
    """Success with the claimed file, a question, failures from the result line, and a stream with no result."""
    def result(scenario: str) -> dict[str, object]:
        outcome: dict[str, object] = replay_claude(STREAMS / "claude" / f"{version}{scenario}.jsonl")["result"]
        return outcome

    wrote = result("write_and_run")
    assert wrote["status"] == "SUCCEEDED" and wrote["claimed_files"] == ["/home/dev/project/hello.py"]
    assert wrote["usage"]["input_tokens"] == 10500 and wrote["usage"]["output_tokens"] == 126  # type: ignore[index]
    asked = result("question")
    assert asked["status"] == "SUCCEEDED" and asked["is_question"] is True and asked["claimed_files"] == []
    for failed in ("fail_500", "fail_529_overloaded", "invalid_model", "resume_unknown_session"):
        assert result(failed)["status"] == "FAILED", failed
        assert result(failed)["error_code"] == "EXECUTOR_FAILED", failed
    denied = result("write_default_permissions")
    assert denied["status"] == "FAILED" and "denied permission" in str(denied["error_message"])
    silent = result("stream_json_without_verbose")
    assert str(silent["error_message"]).startswith("Claude Code ended without a result line (exit code 1)")
    if not version:
        assert result("max_turns_1")["error_code"] == "MAX_TURNS"
