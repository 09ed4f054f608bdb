"""The `fake` executor: deterministic outcomes chosen by the prompt, for tests only.

Refused unless `PM_RUNNER_TEST_MODE=1`; every result it returns carries `test_mode=True` so the
TaskLog says the work was not real. Syntax (first word picks the outcome):
`fake:complete [PATH...]`, `fake:claim PATH...`, `fake:blocked [prompt|stdin|timeout]`,
`fake:error [MESSAGE]`, `fake:clarify [QUESTION]`, `fake:slow MS [PATH...]`.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Callable
from pathlib import Path

from runner.errors import ExecutorUnavailableError
from runner.executors.base import EventSink, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.logs.masking import mask_text
from runner.logs.models import BlockedReason, ErrorCode, EventType, TerminatedBy

TEST_MODE_ENV = "PM_RUNNER_TEST_MODE"
SYNTAX = ("fake:complete [PATH...] | fake:claim PATH... | fake:blocked [prompt|stdin|timeout] | "
          "fake:error [MESSAGE] | fake:clarify [QUESTION] | fake:slow MS [PATH...]")
FAKE_CONTENT = b"written by the pm-runner fake executor\n"
_SLEEP_STEP_S = 0.05


def is_test_mode() -> bool:
    return os.environ.get(TEST_MODE_ENV) == "1"


class FakeExecutor:
    """Pretends to be an agent; which outcome it produces is written in the prompt."""

    name = "fake"
    warning: str | None = ("the fake executor is for tests only: its results are not real work "
                           "and every TaskLog it produces is marked test_mode")

    def check_available(self) -> None:
        if not is_test_mode():
            raise ExecutorUnavailableError(
                "the fake executor is for tests only and is refused outside test mode",
                hint=f"set {TEST_MODE_ENV}=1 to use it, or pick a real executor with --executor")

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        self.check_available()
        words = task.prompt.split()
        outcome = words[0] if words and words[0].startswith("fake:") else "fake:none"
        sink.event(EventType.EXECUTOR_START, {"executor": self.name, "test_mode": True,
                                              "outcome": mask_text(outcome)})
        handler = _OUTCOMES.get(outcome)
        if handler is None:
            result = _failed(f"unknown fake outcome {outcome!r}; use {SYNTAX}")
        else:
            result = handler(task, sink, words[1:])
        result.test_mode = True
        return result


def _failed(message: str) -> ExecutorResult:
    return ExecutorResult(status=ExecutorStatus.FAILED, exit_code=1, error_message=mask_text(message),
                          error_code=ErrorCode.EXECUTOR_FAILED)


def _inside(root: Path, path: str) -> Path | None:
    """`root/path` when `path` is relative and stays inside the root, else None."""
    normal = posixpath.normpath(path)
    if path.startswith("/") or normal == ".." or normal.startswith("../"):
        return None
    return root / normal


def _write(root: Path, paths: list[str], sink: EventSink) -> str | None:
    """Write each file (parents created); the first path outside the root stops it with a message."""
    for path in paths:
        target = _inside(root, path)
        if target is None:
            return f"fake executor refuses to write outside the project root: {path}"
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(FAKE_CONTENT)
        sink.event(EventType.EXECUTOR_PROGRESS, {"kind": "tool_use", "tool": "Write",
                                                 "file_path": mask_text(path), "text": f"Write {path}"})
    return None


def _complete(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    problem = _write(task.project_root, args, sink)
    if problem is not None:
        return _failed(problem)
    message = f"Wrote {', '.join(args)}" if args else "Nothing to do"
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0, final_message=mask_text(message),
                          claimed_files=list(args))


def _claim(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0, claimed_files=list(args),
                          final_message=mask_text(f"Wrote {', '.join(args)}"))


def _blocked(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    kind = args[0] if args else "prompt"
    if kind == "timeout":
        timeout = task.limits.progress_timeout_ms
        return ExecutorResult(status=ExecutorStatus.BLOCKED, blocked_reason=BlockedReason.TIMEOUT,
                              terminated_by=TerminatedBy.TIMEOUT, timeout_ms=timeout,
                              error_code=ErrorCode.TIMEOUT,
                              error_message=f"Executor timed out: no output for progress_timeout_ms ({timeout} ms)")
    if kind == "stdin":
        pattern = "Password: "
        reason, why = BlockedReason.STDIN_REQUIRED, f"Executor needed input on stdin, which is closed: '{pattern}'"
    else:
        pattern = "? Select an option"
        reason, why = BlockedReason.INTERACTIVE_PROMPT, f"Executor blocked on interactive prompt: '{pattern}'"
    return ExecutorResult(status=ExecutorStatus.BLOCKED, blocked_reason=reason,
                          terminated_by=TerminatedBy.REPL_FAIL_CLOSED, error_code=ErrorCode.EXECUTOR_BLOCKED,
                          error_message=why, detected_pattern=pattern)


def _error(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    return _failed(" ".join(args) or "fake executor failure")


def _clarify(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    question = " ".join(args) or "Which file should I change?"
    token = task.resume_token or "fake-session-0001"
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0, final_message=mask_text(question),
                          is_question=question.rstrip().endswith("?"), resume_token=token)


def _slow(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    """Wait MS milliseconds as a busy agent would, honouring the overall timeout, cancel and Ctrl-C."""
    try:
        wait_ms = int(args[0]) if args else 1_000
    except ValueError:
        return _failed(f"fake:slow needs a number of milliseconds, got {args[0]!r}")
    limit_ms = task.limits.executor_timeout_ms
    deadline = time.monotonic() + min(wait_ms, limit_ms) / 1000
    try:
        while time.monotonic() < deadline:
            if task.cancel is not None and task.cancel.is_set():
                return _cancelled()
            time.sleep(_SLEEP_STEP_S)
    except KeyboardInterrupt:
        return _cancelled()
    if wait_ms > limit_ms:
        return ExecutorResult(status=ExecutorStatus.BLOCKED, blocked_reason=BlockedReason.TIMEOUT,
                              terminated_by=TerminatedBy.TIMEOUT, timeout_ms=limit_ms,
                              error_code=ErrorCode.TIMEOUT,
                              error_message=f"Executor timed out: ran past executor_timeout_ms ({limit_ms} ms)")
    return _complete(task, sink, args[1:])


def _cancelled() -> ExecutorResult:
    return ExecutorResult(status=ExecutorStatus.CANCELLED, terminated_by=TerminatedBy.USER,
                          error_code=ErrorCode.INTERRUPTED, error_message="Task cancelled by the user")


def _none(task: ExecutorTask, sink: EventSink, args: list[str]) -> ExecutorResult:
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0,
                          final_message="fake executor: no outcome requested (start the prompt with fake:...)")


_OUTCOMES: dict[str, Callable[[ExecutorTask, EventSink, list[str]], ExecutorResult]] = {
    "fake:complete": _complete,
    "fake:claim": _claim,
    "fake:blocked": _blocked,
    "fake:error": _error,
    "fake:clarify": _clarify,
    "fake:slow": _slow,
    "fake:none": _none,
}
