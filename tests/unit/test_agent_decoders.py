"""The decoders of the agents that were not recorded (amp, qwen, cursor, opencode, aider), over lines in
their documented shapes, through the shared fold."""

from __future__ import annotations

import json

import pytest

from runner.executors.formats.aider_text import AiderDecoder, tokens
from runner.executors.formats.claude_shaped import AMP, QWEN, ClaudeShapedDecoder
from runner.executors.formats.cursor_stream import CursorDecoder
from runner.executors.formats.fold import Decoder, ItemFold
from runner.executors.formats.items import Outcome
from runner.executors.formats.opencode_json import OpencodeDecoder
from runner.executors.streams import OutputBudget
from tests.helpers.recording_sink import RecordingSink


def fold_lines(decoder: Decoder, lines: list[object], stderr: tuple[str, ...] = ()) -> ItemFold:
    fold = ItemFold(decoder, OutputBudget(RecordingSink()), "agent")
    for line in stderr:
        fold.on_line("stderr", line)
    for line in lines:
        fold.on_line("stdout", line if isinstance(line, str) else json.dumps(line))
    return fold


@pytest.mark.parametrize(("text", "count"), [("85", 85), ("2.3k", 2300), ("12k", 12000), ("1.5M", 1_500_000)])
def test_aider_rounded_token_counts_are_read_back(text: str, count: int) -> None:
    """aider's `format_tokens` output becomes numbers again."""
    assert tokens(text) == count


def test_aider_claims_usage_cost_model_and_final_text() -> None:
    """Applied edits are claims; the Tokens line gives tokens, cache hits and cost; edit blocks are no text."""
    fold = fold_lines(AiderDecoder(), [
        "Aider v0.86.2", "Main model: anthropic/claude-sonnet-4-5 with diff edit format", "",
        "I'll add it.", "hello.py", "<<<<<<< SEARCH", "=======", "print('hello')", ">>>>>>> REPLACE",
        "Tokens: 2.3k sent, 1.1k cache write, 4.5k cache hit, 85 received. Cost: $0.0082 message, $0.0082 session.",
        "Applied edit to hello.py", "Commit 3f2a9c1 feat: Add hello.py"])
    assert fold.claimed_files() == ["hello.py"]
    assert fold.usage is not None
    assert (fold.usage.input_tokens, fold.usage.cached_input_tokens, fold.usage.output_tokens) == (7900, 4500, 85)
    assert fold.usage.cost_usd == 0.0082 and fold.model == "anthropic/claude-sonnet-4-5"
    assert fold.final_text == "I'll add it.\nhello.py"
    assert fold.result is not None and fold.result.outcome is Outcome.SUCCESS


def test_aider_api_errors_fail_unless_a_later_call_succeeds() -> None:
    """An API error is a failure until a Tokens line shows a later model call worked."""
    error = "litellm.InternalServerError: AnthropicException - Internal server error"
    failed = fold_lines(AiderDecoder(), [error, "Retrying in 0.2 seconds...", error])
    assert failed.result is not None and failed.result.outcome is Outcome.FAILED
    recovered = fold_lines(AiderDecoder(), [error, "Retrying in 0.2 seconds...", "Tokens: 85 sent, 3 received."])
    assert recovered.result is not None and recovered.result.outcome is Outcome.SUCCESS


def test_opencode_sums_steps_and_drops_rejected_writes() -> None:
    """Tokens and cost add up over steps; a write whose permission was rejected is a denial, not a claim."""
    session = {"sessionID": "ses_1"}
    step = {"type": "step_finish", **session, "part": {"reason": "tool-calls", "cost": 0.5, "tokens": {
        "input": 100, "output": 7, "reasoning": 0, "cache": {"read": 40, "write": 10}}}}
    fold = fold_lines(OpencodeDecoder(), [
        {"type": "step_start", **session, "part": {}},
        {"type": "tool_use", **session, "part": {"tool": "write", "callID": "c1", "state": {
            "status": "error", "input": {"filePath": "/p/a.py"},
            "error": "The user rejected permission to use this specific tool call."}}},
        {"type": "tool_use", **session, "part": {"tool": "write", "callID": "c2", "state": {
            "status": "completed", "input": {"filePath": "/p/b.py"}, "output": ""}}},
        step, {**step, "part": {**step["part"], "reason": "stop"}},
        {"type": "text", **session, "part": {"text": "Done."}},
        {"type": "done", **session, "reason": "idle", "rejected": []}])
    assert fold.session_id == "ses_1" and fold.claimed_files() == ["/p/b.py"]
    assert fold.denials == ["write /p/a.py"]
    assert fold.usage is not None and (fold.usage.input_tokens, fold.usage.cached_input_tokens) == (300, 80)
    assert fold.usage.cost_usd == 1.0 and fold.final_text == "Done."


def test_qwen_usage_on_result_counts_cache_once() -> None:
    """Qwen's result usage already includes cached tokens in input_tokens (input + output = total)."""
    fold = fold_lines(ClaudeShapedDecoder(QWEN), [
        {"type": "system", "subtype": "session_start", "session_id": "s", "model": "qwen3-coder-plus"},
        {"type": "result", "subtype": "success", "is_error": False, "result": "ok", "session_id": "s",
         "usage": {"input_tokens": 3500, "output_tokens": 42, "cache_read_input_tokens": 2000, "total_tokens": 3542}}])
    assert fold.usage is not None and (fold.usage.input_tokens, fold.usage.cached_input_tokens) == (3500, 2000)
    assert fold.model == "qwen3-coder-plus"


def test_amp_sums_message_usage_and_claims_create_file() -> None:
    """Amp reports usage per assistant message (Anthropic style: cache parts apart) and writes with create_file."""
    usage = {"input_tokens": 1200, "cache_creation_input_tokens": 300, "cache_read_input_tokens": 2000,
             "output_tokens": 42}
    fold = fold_lines(ClaudeShapedDecoder(AMP), [
        {"type": "system", "subtype": "init", "session_id": "T-1"},
        {"type": "assistant", "message": {"content": [
            {"type": "tool_use", "id": "t1", "name": "create_file", "input": {"path": "/p/a.py"}}], "usage": usage}},
        {"type": "user", "message": {"content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}},
        {"type": "assistant", "message": {"content": [{"type": "text", "text": "Done."}], "usage": usage}},
        {"type": "result", "subtype": "success", "is_error": False, "result": "Done.", "session_id": "T-1"}])
    assert fold.claimed_files() == ["/p/a.py"] and fold.session_id == "T-1"
    assert fold.usage is not None and (fold.usage.input_tokens, fold.usage.output_tokens) == (7000, 84)


def test_cursor_rejected_write_is_no_claim_and_reconnects_are_transient() -> None:
    """A writeToolCall that completes with `rejected` is a denial; a reconnect notice is a transient warning."""
    fold = fold_lines(CursorDecoder(), [
        {"type": "system", "subtype": "init", "session_id": "c-1", "model": "Claude 4.5 Sonnet"},
        {"type": "tool_call", "subtype": "started", "call_id": "t1",
         "tool_call": {"writeToolCall": {"args": {"path": "a.py"}}}},
        {"type": "tool_call", "subtype": "completed", "call_id": "t1",
         "tool_call": {"writeToolCall": {"args": {"path": "a.py"}, "result": {"rejected": {"reason": "no"}}}}},
        {"type": "result", "subtype": "success", "is_error": False, "result": "Created a.py."}],
        stderr=("Connection lost, reconnecting (attempt 1)...",))
    assert fold.claimed_files() == [] and fold.denials == ["write a.py"]
    assert fold.warnings == ["Connection lost, reconnecting (attempt 1)..."]
    assert fold.final_text == "Created a.py."
