"""The claude-code executor against a fake `claude` on PATH that speaks realistic stream-json."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from runner.changes import ChangeDetector
from runner.errors import ExecutorUnavailableError
from runner.executors.base import (
    AgentPermissions,
    ExecutorLimits,
    ExecutorResult,
    ExecutorStatus,
    ExecutorTask,
)
from runner.executors.claude_code import ClaudeCodeExecutor, build_argv
from runner.logs.models import (
    DetectionMethod,
    ErrorCode,
    EventType,
    RequireEvidence,
    RunnerDecision,
    TaskStatus,
)
from runner.orchestration.judge import StatusDecision, decide_status
from runner.verify import Verification, verify_task
from tests.helpers.recording_sink import FIXTURE_BIN, RecordingSink, group_gone

LIMITS = ExecutorLimits(executor_timeout_ms=20_000, progress_timeout_ms=5_000, kill_grace_ms=1_000)


@pytest.fixture
def fake_claude(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Put tests/fixtures/bin first on PATH and return the file the fake writes its argv to."""
    script = Path(FIXTURE_BIN) / "claude"
    assert script.stat().st_mode & stat.S_IXUSR, "tests/fixtures/bin/claude must be executable"
    # The fake's `#!/usr/bin/env python3` finds this interpreter first, not a slow version-manager shim
    # (pyenv's costs 0.5-0.9 s under load, longer than the 500 ms progress timeout tested below).
    interpreter = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([FIXTURE_BIN, interpreter, os.environ.get("PATH", "")]))
    argv_file = tmp_path / "claude-argv.json"
    monkeypatch.setenv("FAKE_CLAUDE_ARGV_FILE", str(argv_file))
    return argv_file


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "existing.txt").write_text("already here\n")
    return root


def run_task(project: Path, prompt: str, *, resume: str | None = None, limits: ExecutorLimits = LIMITS,
             permissions: AgentPermissions | None = None,
             ) -> tuple[ExecutorResult, RecordingSink, Verification, StatusDecision]:
    sink = RecordingSink()
    detector = ChangeDetector(project)
    before = detector.before()
    task = ExecutorTask(prompt=prompt, project_root=project, limits=limits, resume_token=resume)
    result = ClaudeCodeExecutor(permissions).run(task, sink)
    verification = verify_task(project, detector.after(before), result.claimed_files)
    detector.close()
    assert group_gone(sink.child_pid())
    return result, sink, verification, decide_status(result, verification, RequireEvidence.AUTO)


def test_written_file_is_complete_by_claim_and_diff(fake_claude: Path, project: Path) -> None:
    """A Write tool use whose file exists gives `complete`, verified both by executor_claim and diff."""
    result, sink, verification, decision = run_task(project, "write docs/README.md")
    assert result.status is ExecutorStatus.SUCCEEDED
    assert result.claimed_files == [str(project / "docs" / "README.md")]
    methods = {(item.path, item.detection_method) for item in verification.verified_files if item.exists}
    assert methods == {("docs/README.md", DetectionMethod.DIFF), ("docs/README.md", DetectionMethod.EXECUTOR_CLAIM)}
    assert decision.status is TaskStatus.COMPLETE
    assert result.final_message == "Created docs/README.md with a short heading."
    assert result.resume_token == "5b3c9e7a-1d2f-4e6a-9c8b-7a6f5e4d3c2b"
    assert not result.is_question


def test_usage_comes_from_the_result_line(fake_claude: Path, project: Path) -> None:
    """Model, tokens (cached prompt tokens included), cost, duration and turns are read from the stream."""
    result, _sink, _verification, _decision = run_task(project, "write README.md")
    assert result.usage is not None
    assert result.usage.model == "claude-opus-4-8"  # `claude-opus-4-8[1m]` without its context suffix
    assert result.usage.input_tokens == 3 * (1200 + 300 + 2000)
    assert (result.usage.cache_read_input_tokens, result.usage.cache_creation_input_tokens) == (3 * 2000, 3 * 300)
    assert result.usage.output_tokens == 3 * 42
    assert result.usage.cost_usd == pytest.approx(0.029775)
    assert result.usage.duration_ms == 360
    assert result.usage.num_turns == 3


def test_progress_events_describe_the_stream(fake_claude: Path, project: Path) -> None:
    """init, assistant text, the Write tool use, its result and the final result become progress events."""
    _result, sink, _verification, _decision = run_task(project, "write README.md")
    kinds = [content["kind"] for content in sink.of_type(EventType.EXECUTOR_PROGRESS)]
    assert kinds[:6] == ["init", "text", "tool_use", "tool_result", "text", "result"]
    tool_use = sink.of_type(EventType.EXECUTOR_PROGRESS)[2]
    assert tool_use["tool"] == "Write" and tool_use["file_path"].endswith("README.md")
    assert not sink.of_type(EventType.EXECUTOR_OUTPUT)  # stdout JSON is parsed, not echoed as output
    assert any('"type":"result"' in line for _stream, line in sink.raw)  # compact, as the real CLI prints


def test_claimed_file_missing_is_incomplete_naming_it(fake_claude: Path, project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A Write the agent reported but that is not on disk makes the task `incomplete` with the file named."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "missing")
    result, _sink, verification, decision = run_task(project, "write NOTES.md")
    assert result.status is ExecutorStatus.SUCCEEDED
    assert verification.missing == ["NOTES.md"]
    assert decision.status is TaskStatus.INCOMPLETE
    assert decision.error_code is ErrorCode.EVIDENCE_MISSING
    assert "NOTES.md" in (decision.error_reason or "")


def test_closing_question_without_changes_is_a_clarification(fake_claude: Path, project: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A final question with no file changes is flagged and decided as `clarify`."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "question")
    result, _sink, _verification, decision = run_task(project, "add tests")
    assert result.is_question
    assert decision.status is TaskStatus.INCOMPLETE
    assert decision.runner_decision is RunnerDecision.CLARIFY
    assert decision.error_code is ErrorCode.CLARIFICATION_NEEDED
    assert "Should I use pytest or unittest?" in (decision.error_reason or "")


def test_resume_token_is_passed_as_resume(fake_claude: Path, project: Path) -> None:
    """With a resume token the command line carries `--resume <id>`, plus -p, stream-json and --verbose."""
    result, _sink, _verification, _decision = run_task(project, "write README.md", resume="abc-123")
    argv = json.loads(fake_claude.read_text())
    assert argv[argv.index("--resume") + 1] == "abc-123"
    assert {"-p", "--verbose"} <= set(argv)
    assert argv[argv.index("--output-format") + 1] == "stream-json"
    assert argv[-1] == "write README.md"
    assert result.resume_token == "abc-123"


def test_is_error_result_is_an_error(fake_claude: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`is_error: true` fails the run even though the subtype says success."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "error")
    result, _sink, _verification, decision = run_task(project, "do something")
    assert result.status is ExecutorStatus.FAILED
    assert "API Error: 500" in (result.error_message or "")
    assert decision.status is TaskStatus.ERROR
    assert decision.error_code is ErrorCode.EXECUTOR_FAILED


def test_max_turns_with_exit_zero_is_an_error(fake_claude: Path, project: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """`error_max_turns` is a failure with MAX_TURNS even when the process exits 0 (as users reported)."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "max_turns")
    monkeypatch.setenv("FAKE_CLAUDE_EXIT_CODE", "0")
    result, _sink, _verification, decision = run_task(project, "do something")
    assert result.exit_code == 0
    assert result.status is ExecutorStatus.FAILED
    assert decision.error_code is ErrorCode.MAX_TURNS


def test_stream_without_result_line_is_an_error(fake_claude: Path, project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream that ends without a `result` line is an error whatever the exit code."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "no_result")
    result, _sink, _verification, decision = run_task(project, "do something")
    assert result.exit_code == 0
    assert result.status is ExecutorStatus.FAILED
    assert "without a result line" in (result.error_message or "")
    assert decision.status is TaskStatus.ERROR


def test_success_result_with_exit_one_is_trusted(fake_claude: Path, project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A successful `result` line wins over exit code 1; the disk then confirms the work."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "exit1_success")
    result, _sink, _verification, decision = run_task(project, "write README.md")
    assert result.exit_code == 1
    assert result.status is ExecutorStatus.SUCCEEDED
    assert decision.status is TaskStatus.COMPLETE


def test_malformed_line_is_logged_not_fatal(fake_claude: Path, project: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A line that is not JSON is recorded as such and the rest of the stream still counts."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "malformed")
    result, sink, _verification, decision = run_task(project, "write README.md")
    notes = [c for c in sink.of_type(EventType.EXECUTOR_OUTPUT) if c.get("note")]
    assert [note["line"] for note in notes] == ["this is not json {"]
    assert decision.status is TaskStatus.COMPLETE
    assert result.status is ExecutorStatus.SUCCEEDED


def test_permission_denied_write_is_an_error(fake_claude: Path, project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission mode `default`: the Write is refused, nothing is written, the run fails naming it."""
    result, _sink, _verification, decision = run_task(project, "write README.md",
                                                      permissions=AgentPermissions("default"))
    assert result.status is ExecutorStatus.FAILED and not (project / "README.md").exists()
    assert "denied permission for: Write" in (result.error_message or "")
    assert decision.status is TaskStatus.ERROR


def test_silent_tool_pauses_the_progress_timeout(fake_claude: Path, project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """While a tool_use has no tool_result, silence longer than progress_timeout_ms is not a timeout."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "slow_tool")
    # The tool stays silent three times the progress timeout; the timeout itself is long enough that
    # the fake's own start-up on a loaded machine (seen > 500 ms at load 8) never trips it.
    monkeypatch.setenv("FAKE_CLAUDE_TOOL_SECONDS", "6")
    limits = ExecutorLimits(executor_timeout_ms=30_000, progress_timeout_ms=2_000, kill_grace_ms=500)
    allowed = AgentPermissions(allowed_tools=("Bash(sleep 2 && echo built)",))
    result, _sink, _verification, decision = run_task(project, "build it", limits=limits, permissions=allowed)
    assert result.status is ExecutorStatus.SUCCEEDED, result.error_message
    assert decision.status is TaskStatus.COMPLETE


def test_missing_claude_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without `claude` on PATH the error names the executor and how to install it or pick another."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExecutorUnavailableError) as caught:
        ClaudeCodeExecutor().check_available()
    assert "claude-code" in caught.value.message
    assert caught.value.hint is not None
    assert "npm install -g @anthropic-ai/claude-code" in caught.value.hint
    assert "--executor shell" in caught.value.hint


def test_command_line_puts_model_and_prompt_last(tmp_path: Path) -> None:
    """`--model` is passed when set, and a prompt starting with '-' is protected by `--`."""
    task = ExecutorTask(prompt="-rf everything", project_root=tmp_path, model="opus")
    argv = build_argv("claude", task)
    assert argv == ["claude", "-p", "--output-format", "stream-json", "--verbose", "--permission-mode",
                    "acceptEdits", "--model", "opus", "--", "-rf everything"]
