"""Judging one pass: the executor's result, the evidence on disk and the review's criteria → a verdict
and the task's status (DESIGN §8, spec/review-loop.md "Decisions").

Pure functions over data: `decide_status` is the status rule of one pass without a review;
`judge_pass` adds the review's PASS / REJECT and the RETRY of a transient failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.executors.failure_kind import FailureKind
from runner.logs.models import BlockedReason, ErrorCode, RequireEvidence, RunnerDecision, TaskStatus
from runner.review.criteria import EVIDENCE, FILES_VERIFIED, CriterionResult
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


class Verdict(StrEnum):
    """The review's word on one pass (seed 003 §5.3 QUALITY_JUDGMENT)."""

    PASS = "PASS"
    REJECT = "REJECT"
    RETRY = "RETRY"


# Failing only these says the evidence is missing, not that the work is poor.
_EVIDENCE_KEYS = frozenset({FILES_VERIFIED.key, EVIDENCE.key, "require_evidence"})


@dataclass(frozen=True)
class PassJudgment:
    """What one executor pass means: a verdict when the review (or a retry) has one, and the status
    the task would end with if it ended now."""

    verdict: Verdict | None  # None: the pass ends the task as it is (an error, a question, review off)
    decision: StatusDecision
    results: tuple[CriterionResult, ...] = ()
    failure_kind: FailureKind | None = None

    @property
    def failed(self) -> list[CriterionResult]:
        return [result for result in self.results if not result.passed]


def judge_pass(result: ExecutorResult, verification: Verification, require: RequireEvidence,
               reviewed: Sequence[CriterionResult] | None) -> PassJudgment:
    """Judge a pass from the executor's result, the disk, and (when the review is on) the criteria."""
    base = decide_status(result, verification, require)
    if result.status is not ExecutorStatus.SUCCEEDED:
        kind = result.failure_kind if result.status is not ExecutorStatus.CANCELLED else None
        verdict = Verdict.RETRY if kind is FailureKind.TRANSIENT and reviewed is not None else None
        return PassJudgment(verdict, base, failure_kind=kind)
    if base.runner_decision is RunnerDecision.CLARIFY or base.error_code is ErrorCode.PERMISSION_DENIED \
            or reviewed is None:
        return PassJudgment(None, base)  # a question, or a refusal the agent cannot cure: the pass decides
    results = list(reviewed)
    if base.status is not TaskStatus.COMPLETE and all(r.passed for r in results):
        # A rule the criteria do not cover (--require-evidence always) still decides.
        results.append(CriterionResult("require_evidence", f"--require-evidence {require}", False,
                                       (base.error_reason or base.summary,)))
    failed = [r for r in results if not r.passed]
    if not failed:
        return PassJudgment(Verdict.PASS, base, tuple(results))
    return PassJudgment(Verdict.REJECT, rejected_decision(failed, verification), tuple(results))


def rejected_decision(failed: Sequence[CriterionResult], verification: Verification) -> StatusDecision:
    """The task's status when it ends on a REJECT: incomplete, naming every failed criterion."""
    code = (ErrorCode.EVIDENCE_MISSING if all(r.key in _EVIDENCE_KEYS for r in failed)
            else ErrorCode.REVIEW_REJECTED)
    parts = [f"{r.label}: {r.details[0]}" if r.details else r.label for r in failed]
    reason = "Review rejected the result: " + "; ".join(parts)
    summary = f"Executor finished; review rejected it ({', '.join(r.label for r in failed)})"
    return StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.ACCEPT, code, reason, summary)
