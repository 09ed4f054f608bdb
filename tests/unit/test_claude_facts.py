"""Claude Code's facts read from the recorded streams of the real binary (2.1.197 and 2.1.332)."""

from __future__ import annotations

from typing import Any

import pytest

from runner.executors.claude_facts import (
    denial_message,
    denials_in_result,
    merge_denials,
    normalise_model,
    permission_denied_line,
    result_error,
    result_model,
    retry_text,
    untrusted_settings,
)
from runner.executors.denied_tool import DeniedTool
from runner.notices import NoticeLevel
from tests.helpers.recorded_streams import recording

VERSIONS = ["claude", "claude/2.1.332"]


def lines(folder: str, scenario: str) -> list[dict[str, Any]]:
    return recording(folder, scenario).records()


def result_of(folder: str, scenario: str) -> dict[str, Any]:
    return next(r for r in lines(folder, scenario) if r.get("type") == "result")


def tool_results(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for r in records if r.get("type") == "user"
            for block in r["message"]["content"] if block.get("type") == "tool_result"]


@pytest.mark.parametrize("folder", VERSIONS)
def test_denials_of_a_run_without_permission_mode(folder: str) -> None:
    """No permission mode: the Write and the Bash call are denied, in the result line and in the tool results."""
    records = lines(folder, "write_default_permissions")
    denied = denials_in_result(result_of(folder, "write_default_permissions"))
    assert [(d.tool, d.target) for d in denied] == [("Write", "/home/dev/project/hello.py"),
                                                    ("Bash", "python3 hello.py")]
    messages = [denial_message(block) for block in tool_results(records)]
    assert messages == ["Claude requested permissions to write to /home/dev/project/hello.py, but you "
                        "haven't granted it yet.", "This command requires approval"]


def test_permission_denied_lines_of_2_1_332_merge_with_the_result() -> None:
    """2.1.332's system/permission_denied lines and permission_denials[] name the same two calls once each."""
    records = lines("claude/2.1.332", "write_default_permissions")
    from_lines = [d for d in map(permission_denied_line, records) if d is not None]
    assert [d.tool for d in from_lines] == ["Write", "Bash"] and from_lines[1].message == "This command requires approval"
    merged = merge_denials(from_lines, denials_in_result(records[-1]))
    assert [(d.tool, d.target, bool(d.message)) for d in merged] == [
        ("Write", "/home/dev/project/hello.py", True), ("Bash", "python3 hello.py", True)]


@pytest.mark.parametrize("folder", VERSIONS)
def test_a_successful_run_has_no_denial_and_no_error(folder: str) -> None:
    """write_and_run with acceptEdits and the command allowed: nothing denied, no error."""
    result = result_of(folder, "write_and_run")
    assert denials_in_result(result) == [] and result_error(result) is None
    assert all(denial_message(block) is None for block in tool_results(lines(folder, "write_and_run")))


@pytest.mark.parametrize("folder", VERSIONS)
def test_api_errors_keep_status_and_never_say_success(folder: str) -> None:
    """A 500 and a 529 arrive as subtype "success" with is_error: the reason names the status instead."""
    for scenario, status in (("fail_500", 500), ("fail_529_overloaded", 529)):
        error = result_error(result_of(folder, scenario))
        assert error is not None and error.kind == "api_error" and error.api_status == status
        assert "success" not in error.reason and f"API error {status}" in error.reason
    assert result_error(result_of("claude/2.1.332", "fail_500")).api_type == "api_error"  # type: ignore[union-attr]


@pytest.mark.parametrize("folder", VERSIONS)
def test_unknown_resume_session_reads_errors_and_offers_a_fresh_run(folder: str) -> None:
    """error_during_execution with errors[]: the reason quotes claude, the hint offers a fresh run."""
    error = result_error(result_of(folder, "resume_unknown_session"))
    assert error is not None and error.kind == "unknown_session"
    assert "No conversation found with session ID: 00000000-0000-4000-8000-000000000000" in error.reason
    assert error.hint is not None and "fresh run" in error.hint


def test_max_turns_names_the_configured_limit_not_the_turns_taken() -> None:
    """--max-turns 1 took 2 turns; the reason quotes claude's "(1)" from errors[]."""
    result = result_of("claude", "max_turns_1")
    error = result_error(result)
    assert result["num_turns"] == 2 and error is not None and error.kind == "max_turns"
    assert error.reason.endswith("Reached maximum number of turns (1)")


@pytest.mark.parametrize("folder", VERSIONS)
def test_api_retry_lines_read_as_progress(folder: str) -> None:
    """system/api_retry becomes "retry 1/1 after 500 (server_error)"; other lines are not retries."""
    texts = [t for t in map(retry_text, lines(folder, "fail_500")) if t]
    assert texts == ["retry 1/1 after 500 (server_error)"]
    assert [t for t in map(retry_text, lines(folder, "fail_529_overloaded")) if t] == ["retry 1/1 after 529 (overloaded)"]


def test_model_names_are_normalised() -> None:
    """The [1m] context suffix goes, canonicalModel wins, <synthetic> is no model."""
    assert normalise_model("claude-opus-4-8[1m]") == "claude-opus-4-8"
    assert normalise_model("<synthetic>") is None and normalise_model(None) is None
    assert result_model(result_of("claude", "write_and_run"), "claude-opus-4-8[1m]") == "claude-opus-4-8"
    assert result_model(result_of("claude/2.1.332", "write_and_run"), None) == "claude-opus-5-5"
    assert result_model(result_of("claude", "fail_500"), "claude-opus-4-8[1m]") == "claude-opus-4-8"


def test_untrusted_workspace_notice_becomes_a_hint() -> None:
    """Claude's "workspace has not been trusted" stderr line becomes a warning naming the file and a hint on how to allow."""
    line = ("Ignoring 1 permissions.allow entry from .claude/settings.json: this workspace has not been "
            "trusted. Run Claude Code interactively here once and accept the trust dialog, or set "
            'projects["/home/dev/project"].hasTrustDialogAccepted: true in /home/dev/.claude.json.')
    notice = untrusted_settings(line)
    assert notice is not None and notice.level is NoticeLevel.WARNING
    assert notice.message.startswith("Claude Code ignored 1 permissions.allow rule(s) in .claude/settings.json")
    assert notice.hint is not None and "--allowed-tools" in notice.hint and "trust dialog" in notice.hint
    assert notice.fields == {"warning": "untrusted_workspace", "ignored_rules": 1,
                             "settings_file": ".claude/settings.json"}
    plural = line.replace("1 permissions.allow entry", "2 permissions.allow entries")
    two = untrusted_settings(plural)
    assert two is not None and two.fields["ignored_rules"] == 2
    assert untrusted_settings("No conversation found with session ID: x") is None


def test_denied_tool_label() -> None:
    """A denial reads as the tool and what it acted on."""
    assert DeniedTool("Bash", "python3 hello.py").label == "Bash python3 hello.py"
