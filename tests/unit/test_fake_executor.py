"""The test-only `fake` executor: refused outside test mode, deterministic outcomes, always marked."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from runner.errors import ExecutorUnavailableError
from runner.executors.base import ExecutorLimits, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.fake import TEST_MODE_ENV, FakeExecutor
from runner.logs.models import BlockedReason, ErrorCode, TerminatedBy
from tests.helpers.recording_sink import RecordingSink


@pytest.fixture
def in_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_MODE_ENV, "1")


def run(tmp_path: Path, prompt: str) -> ExecutorResult:
    return FakeExecutor().run(ExecutorTask(prompt=prompt, project_root=tmp_path), RecordingSink())


def test_refused_outside_test_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without PM_RUNNER_TEST_MODE=1 the fake executor refuses, with a hint naming the variable."""
    monkeypatch.delenv(TEST_MODE_ENV, raising=False)
    with pytest.raises(ExecutorUnavailableError) as caught:
        FakeExecutor().check_available()
    assert TEST_MODE_ENV in (caught.value.hint or "")
    with pytest.raises(ExecutorUnavailableError):
        run(tmp_path, "fake:complete a.txt")
    assert not (tmp_path / "a.txt").exists()


def test_warns_when_chosen() -> None:
    """The fake executor exposes a one-line warning for the REPL to print."""
    warning = FakeExecutor.warning
    assert warning is not None and "\n" not in warning and "test" in warning


def test_complete_writes_and_claims_files(in_test_mode: None, tmp_path: Path) -> None:
    """`fake:complete PATH...` writes each file (0600, parents created), claims it, and marks test_mode."""
    result = FakeExecutor().run(ExecutorTask(prompt="fake:complete README.md src/app.py", project_root=tmp_path),
                                RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED and result.test_mode
    assert result.claimed_files == ["README.md", "src/app.py"]
    assert (tmp_path / "src" / "app.py").is_file()
    assert stat.S_IMODE((tmp_path / "README.md").stat().st_mode) == 0o600


def test_claim_without_writing(in_test_mode: None, tmp_path: Path) -> None:
    """`fake:claim PATH` claims a file it never wrote."""
    result = FakeExecutor().run(ExecutorTask(prompt="fake:claim ghost.md", project_root=tmp_path), RecordingSink())
    assert result.claimed_files == ["ghost.md"] and not (tmp_path / "ghost.md").exists()


@pytest.mark.parametrize("kind, reason, by", [
    ("", BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED),
    ("stdin", BlockedReason.STDIN_REQUIRED, TerminatedBy.REPL_FAIL_CLOSED),
    ("timeout", BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT),
])
def test_blocked_outcomes(in_test_mode: None, tmp_path: Path, kind: str, reason: BlockedReason,
                          by: TerminatedBy) -> None:
    """`fake:blocked [prompt|stdin|timeout]` returns the matching blocked result."""
    result = FakeExecutor().run(ExecutorTask(prompt=f"fake:blocked {kind}", project_root=tmp_path), RecordingSink())
    assert result.status is ExecutorStatus.BLOCKED and result.executor_blocked and result.test_mode
    assert (result.blocked_reason, result.terminated_by) == (reason, by)


def test_error_and_clarify(in_test_mode: None, tmp_path: Path) -> None:
    """`fake:error MSG` fails with the message; `fake:clarify Q` ends with a question and a resume token."""
    failed = FakeExecutor().run(ExecutorTask(prompt="fake:error disk on fire", project_root=tmp_path),
                                RecordingSink())
    assert failed.status is ExecutorStatus.FAILED and failed.error_message == "disk on fire"
    asked = FakeExecutor().run(ExecutorTask(prompt="fake:clarify Which database?", project_root=tmp_path),
                               RecordingSink())
    assert asked.is_question and asked.final_message == "Which database?" and asked.resume_token


def test_slow_respects_the_overall_timeout(in_test_mode: None, tmp_path: Path) -> None:
    """`fake:slow MS` longer than executor_timeout_ms ends as TIMEOUT at the limit."""
    started = time.monotonic()
    limits = ExecutorLimits(executor_timeout_ms=300)
    result = FakeExecutor().run(ExecutorTask(prompt="fake:slow 60000", project_root=tmp_path, limits=limits),
                                RecordingSink())
    assert result.blocked_reason is BlockedReason.TIMEOUT and result.error_code is ErrorCode.TIMEOUT
    assert time.monotonic() - started < 30


def test_refuses_to_write_outside_the_root(in_test_mode: None, tmp_path: Path) -> None:
    """A path that climbs out of the root is refused, not written."""
    root = tmp_path / "root"
    root.mkdir()
    result = FakeExecutor().run(ExecutorTask(prompt="fake:complete ../escape.txt", project_root=root),
                                RecordingSink())
    assert result.status is ExecutorStatus.FAILED
    assert not (tmp_path / "escape.txt").exists()


def test_unknown_outcome_lists_the_syntax(in_test_mode: None, tmp_path: Path) -> None:
    """An unknown `fake:` word fails with the accepted syntax."""
    result = FakeExecutor().run(ExecutorTask(prompt="fake:explode", project_root=tmp_path), RecordingSink())
    assert result.status is ExecutorStatus.FAILED and "fake:complete" in (result.error_message or "")
