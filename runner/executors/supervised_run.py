"""How a supervised child ended: the `SupervisedRun` record and the result for runs that did not exit cleanly.

Kept apart from the wait loop so executors can build their results without touching process code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.logs.models import BlockedReason, ErrorCode, TerminatedBy


class RunEnd(StrEnum):
    EXITED = "exited"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"
    SPAWN_FAILED = "spawn_failed"


@dataclass
class SupervisedRun:
    """How the child ended, with masked tails of its output for the executor to summarise."""

    end: RunEnd
    exit_code: int | None = None
    duration_ms: int = 0
    pid: int | None = None
    blocked_reason: BlockedReason | None = None
    terminated_by: TerminatedBy | None = None
    timeout_ms: int | None = None
    detected_pattern: str | None = None
    message: str | None = None
    stdout_tail: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    killed_leftovers: bool = False

    @property
    def silent(self) -> bool:
        """The child printed nothing at all, on either stream."""
        return not self.stdout_tail and not self.stderr_tail

    def early_result(self) -> ExecutorResult | None:
        """The result for a run that did not exit on its own terms (blocked, cancelled, not started)."""
        if self.end is RunEnd.EXITED:
            return None
        closing = "\n".join([line for line in self.stdout_tail if line.strip()][-20:])
        if self.end is RunEnd.SPAWN_FAILED:
            return ExecutorResult(status=ExecutorStatus.FAILED, error_message=self.message,
                                  error_code=ErrorCode.EXECUTOR_FAILED)
        if self.end is RunEnd.CANCELLED:
            return ExecutorResult(status=ExecutorStatus.CANCELLED, exit_code=self.exit_code,
                                  final_message=closing, terminated_by=TerminatedBy.USER, error_message=self.message,
                                  error_code=ErrorCode.INTERRUPTED)
        code = ErrorCode.TIMEOUT if self.blocked_reason is BlockedReason.TIMEOUT else ErrorCode.EXECUTOR_BLOCKED
        return ExecutorResult(
            status=ExecutorStatus.BLOCKED, exit_code=self.exit_code, final_message=closing,
            blocked_reason=self.blocked_reason,
            terminated_by=self.terminated_by, timeout_ms=self.timeout_ms, error_message=self.message,
            error_code=code, detected_pattern=self.detected_pattern,
        )
