"""The failure reason of an agent CLI run from a template, read from the recorded real runs."""

from __future__ import annotations

import pytest

from runner.executors.failure_reason import failure_reason, jsonl_error, meaningful_stderr_line
from tests.helpers.recorded_streams import recording


@pytest.mark.parametrize(("folder", "scenario", "reason"), [
    ("codex", "fail_500", "We’re currently experiencing high demand, which may cause temporary errors."),
    ("codex", "fail_529_overloaded", "unexpected status 529 <unknown status code>: Overloaded"),
    ("codex", "invalid_model", "The model `no-such-model` does not exist or you do not have access to it."),
    ("codex", "resume_unknown_session", "Error: thread/resume: thread/resume failed: no rollout found"),
    ("gemini", "fail_500", '[API Error: {"error":{"code":500,"message":"Internal error encountered."'),
    ("gemini", "fail_503_overloaded", "[API Error: The model is overloaded. Please try again later.]"),
    ("gemini", "resume_unknown_session", 'Error resuming session: Invalid session identifier "00000000'),
    ("claude", "resume_unknown_session", "No conversation found with session ID: 00000000-0000-4000-8000-000000000000"),
    ("claude", "fail_500", "API Error: 500 Internal server error."),
    ("claude", "stream_json_without_verbose", "Error: When using --print, --output-format=stream-json requires --verbose"),
])
def test_reason_of_each_recorded_failure(folder: str, scenario: str, reason: str) -> None:
    """Each failed real run gives its own words, never a notice or a lone brace."""
    recorded = recording(folder, scenario)
    assert recorded.exit_code != 0
    found = failure_reason(recorded.stdout, recorded.stderr.splitlines())
    assert found.startswith(reason), found


def test_notices_and_punctuation_are_never_the_reason() -> None:
    """Codex's stdin notice, a lone brace and stack frames are skipped; nothing left gives ""."""
    assert meaningful_stderr_line(["Reading additional input from stdin...", "}", "    at run (x.js:1:2)"]) == ""
    assert meaningful_stderr_line(["fatal: bad thing", "Reading additional input from stdin..."]) == "fatal: bad thing"
    assert meaningful_stderr_line(["Error: 500 from the API", "}", "An unexpected critical error occurred:[object Object]"]
                                  ) == "Error: 500 from the API"


def test_a_transient_error_line_is_not_the_reason_when_a_turn_failed_later() -> None:
    """Codex's "Reconnecting..." error is followed by turn.failed, whose message wins."""
    assert not jsonl_error(recording("codex", "fail_500").stdout).startswith("Reconnecting")
    assert jsonl_error(['{"type":"turn.completed"}', "not json"]) == ""


@pytest.mark.parametrize(("report_folder", "scenario", "reason"), [
    ("/tmp", "fail_500", "Error when talking to Gemini API: Internal error encountered."),
    ("/tmp/" + "deep/" * 60, "fail_500", "Error when talking to Gemini API: Internal error encountered."),
    ("/tmp/" + "deep/" * 60, "invalid_model", "Error when talking to Gemini API: ModelNotFoundError: models/no-such-model"),
])
def test_a_crash_report_path_never_pushes_the_reason_out(report_folder: str, scenario: str, reason: str) -> None:
    """Gemini's text-mode error line names a report file first; the reason keeps the error, not the path."""
    lines = [line.replace("/tmp/gemini-client-error", f"{report_folder.rstrip('/')}/gemini-client-error")
             for line in recording("gemini", scenario).stderr.splitlines()]
    found = meaningful_stderr_line(lines)
    assert found.startswith(reason) and "gemini-client-error" not in found, found
