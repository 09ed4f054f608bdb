"""The stream-json parser on its own: claims, pausing, and robustness against arbitrary JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.executors.base import ExecutorStatus
from runner.executors.claude_code import result_from_stream
from runner.executors.claude_stream import StreamJsonParser
from runner.executors.streams import OutputBudget
from runner.executors.supervised_run import RunEnd, SupervisedRun
from tests.helpers.recording_sink import RecordingSink

KEYS = ["type", "subtype", "message", "content", "name", "id", "input", "file_path", "tool_use_id",
        "is_error", "result", "usage", "session_id", "model", "permission_denials", "total_cost_usd",
        "modelUsage", "text", "command", "num_turns", "duration_ms"]
WORDS = st.sampled_from(["system", "init", "assistant", "user", "result", "tool_use", "tool_result",
                         "text", "Write", "Edit", "Bash", "success", "error_max_turns"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WORDS | st.text(max_size=5)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5), max_leaves=20)


def parser() -> StreamJsonParser:
    return StreamJsonParser(OutputBudget(RecordingSink()))


def line(record: object) -> str:
    return json.dumps(record)


@settings(max_examples=300, deadline=None)
@given(st.lists(JSON, max_size=6))
def test_any_json_lines_never_raise(records: list[object]) -> None:
    """Whatever JSON values arrive, neither the parser nor the status decision raises."""
    stream = parser()
    for record in records:
        stream.on_line("stdout", line(record))
    assert isinstance(stream.claimed_files(), list)
    stream.progress_paused()
    result = result_from_stream(stream, SupervisedRun(RunEnd.EXITED, exit_code=0))
    assert result.status in (ExecutorStatus.SUCCEEDED, ExecutorStatus.FAILED)
    assert (result.status is ExecutorStatus.FAILED) == (result.error_message is not None)


def tool_use(tool_id: str, name: str, **tool_input: object) -> str:
    return line({"type": "assistant", "message": {"content": [
        {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}]}})


def tool_result(tool_id: str, is_error: bool = False) -> str:
    return line({"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": tool_id, "content": "ok", "is_error": is_error}]}})


def test_failed_write_is_not_a_claim_and_tools_pause_progress() -> None:
    """A write whose result is an error is dropped; an unanswered tool pauses the progress timer."""
    stream = parser()
    stream.on_line("stdout", tool_use("t1", "Write", file_path="/p/a.md"))
    assert stream.progress_paused()
    stream.on_line("stdout", tool_result("t1", is_error=True))
    stream.on_line("stdout", tool_use("t2", "NotebookEdit", notebook_path="/p/n.ipynb"))
    stream.on_line("stdout", tool_result("t2"))
    stream.on_line("stdout", tool_use("t3", "Edit", file_path="/p/n.ipynb"))
    stream.on_line("stdout", tool_result("t3"))
    assert not stream.progress_paused()
    assert stream.claimed_files() == ["/p/n.ipynb"]


def test_stderr_lines_are_not_parsed() -> None:
    """Only stdout carries stream-json; stderr text is never counted as malformed."""
    stream = parser()
    stream.on_line("stderr", "warning: something")
    assert stream.malformed_lines == 0


def test_untrusted_workspace_stderr_line_is_one_masked_notice() -> None:
    """Claude's untrusted-workspace line on stderr becomes one warning however often it comes; stdout text never does."""
    p = parser()
    # A key-shaped name, not `xxxx…` filler: masking leaves placeholders alone (spec/masking.md).
    notice = ("Ignoring 1 permissions.allow entry from .claude/sk-ant-api03-" + "Zq8xW2vR5tY7uI9o" * 3 + ": this workspace "
              "has not been trusted. Run Claude Code interactively here once and accept the trust dialog.")
    p.on_line("stderr", notice)
    p.on_line("stderr", notice)
    p.on_line("stdout", line({"type": "assistant", "message": {"content": [{"type": "text", "text": notice}]}}))
    (found,) = p.notices
    assert found.fields["warning"] == "untrusted_workspace" and "sk-ant" not in found.message + str(found.fields)
    assert "[MASKED:" in found.message
