"""Judging one attempt: the executor's result plus the evidence on disk → the task's status (DESIGN §8).

Pure functions over data. `decide_status` is today's whole judgment; the review loop's criteria
(issue 12) join it here as further functions of the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.logs.models import BlockedReason, ErrorCode, RequireEvidence, RunnerDecision, TaskStatus
from runner.verify import Verification, display_path


@dataclass(frozen=True)
class StatusDecision:
    """What the runner concludes about a task: its status, its decision, and why."""

    status: TaskStatus
    runner_decision: RunnerDecision
    error_code: ErrorCode | None
    error_reason: str | None
    summary: str


def decide_status(result: ExecutorResult, verification: Verification,
                  require: RequireEvidence = RequireEvidence.AUTO) -> StatusDecision:
    """DESIGN §8: failed/blocked/cancelled → error; a question with no changes → clarify;
    missing evidence → incomplete; otherwise complete."""
    if result.status is not ExecutorStatus.SUCCEEDED:
        return _error_decision(result)
    evidence = verification.evidence_summary.verification_reason
    if result.is_question and verification.diff.changed == 0 and not verification.files_modified_count:
        question = result.final_message.strip()[:300]
        return StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.CLARIFY, ErrorCode.CLARIFICATION_NEEDED,
                              f"Executor asked a question: {question}", "Executor asked a question")
    if result.denied_tools:
        # The agent's closing words may claim what it was refused: never a silent COMPLETE.
        reason = result.error_message or "The agent was refused: " + ", ".join(d.label for d in result.denied_tools)
        return StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.ACCEPT, ErrorCode.PERMISSION_DENIED,
                              reason, f"Executor finished with refused tool calls; {evidence}")
    if require is not RequireEvidence.NEVER and verification.missing:
        return StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.ACCEPT, ErrorCode.EVIDENCE_MISSING,
                              _missing_reason(verification), f"Executor finished; {evidence}")
    if require is RequireEvidence.ALWAYS and not verification.files_modified_count:
        return StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.ACCEPT, ErrorCode.EVIDENCE_MISSING,
                              "No file was verified on disk, and --require-evidence always needs at least one",
                              f"Executor finished; {evidence}")
    return StatusDecision(TaskStatus.COMPLETE, RunnerDecision.ACCEPT, None, None, f"Executor finished; {evidence}")


def _missing_reason(verification: Verification) -> str:
    parts = []
    inside = [display_path(path) for path in verification.missing if path not in verification.outside_root]
    if inside:
        parts.append(f"Claimed or expected file(s) not found on disk: {', '.join(inside[:10])}")
    if verification.outside_root:
        parts.append("claimed path(s) outside the project root were not checked: "
                     + ", ".join(verification.outside_root[:10]))
    return "; ".join(parts)


_BLOCKED_SUMMARY = {
    BlockedReason.INTERACTIVE_PROMPT: "Executor blocked: interactive prompt detected",
    BlockedReason.STDIN_REQUIRED: "Executor blocked: it needed input on stdin",
    BlockedReason.TIMEOUT: "Executor blocked: timed out",
}


def _error_decision(result: ExecutorResult) -> StatusDecision:
    if result.status is ExecutorStatus.CANCELLED:
        reason = result.error_message or "Task cancelled by the user"
        return StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, result.error_code or ErrorCode.INTERRUPTED,
                              reason, "Executor cancelled by the user")
    if result.status is ExecutorStatus.BLOCKED:
        kind = result.blocked_reason or BlockedReason.TIMEOUT
        default_code = ErrorCode.TIMEOUT if kind is BlockedReason.TIMEOUT else ErrorCode.EXECUTOR_BLOCKED
        summary = _BLOCKED_SUMMARY.get(kind, "Executor blocked")
        return StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, result.error_code or default_code,
                              result.error_message or summary, summary)
    reason = result.error_message or f"Executor failed (exit code {result.exit_code})"
    return StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, result.error_code or ErrorCode.EXECUTOR_FAILED,
                          reason, "Executor failed")
