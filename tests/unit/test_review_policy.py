"""The review loop's decisions from tables of cases: judging a pass, and the step after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.changes import ChangeDetector
from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.executors.failure_kind import FailureKind
from runner.logs.models import ErrorCode, RequireEvidence, RunnerDecision, TaskStatus
from runner.orchestration.budget import BudgetEvent, BudgetKind, BudgetLevel
from runner.orchestration.judge import PassJudgment, StatusDecision, Verdict, judge_pass
from runner.orchestration.policy import (
    Conclude,
    Escalate,
    Fallback,
    LoopRules,
    LoopState,
    Resume,
    Retry,
    Step,
    next_step,
)
from runner.review.criteria import CriterionResult
from runner.verify import Verification, verify_task

OK = CriterionResult("files_verified", "Q1 files verified", True)
BAD_CHECK = CriterionResult("check", "check `pytest -q`", False, ("exit 1",))
MISSING = CriterionResult("files_verified", "Q1 files verified", False, ("a.md: claimed, but not on disk",))
COMPLETE = StatusDecision(TaskStatus.COMPLETE, RunnerDecision.ACCEPT, None, None, "done")
FAILED = StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, ErrorCode.EXECUTOR_FAILED, "API error 529", "failed")
REJECTED = StatusDecision(TaskStatus.INCOMPLETE, RunnerDecision.ACCEPT, ErrorCode.REVIEW_REJECTED, "rejected", "r")
OVER = BudgetEvent(BudgetKind.SESSION_USD, BudgetLevel.EXCEEDED, 0.03, 0.025)


def verification(tmp_path: Path, files: dict[str, str] | None = None, claims: list[str] | None = None) -> Verification:
    detector = ChangeDetector(tmp_path)
    start = detector.before()
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    try:
        return verify_task(tmp_path, detector.after(start), claims or [])
    finally:
        detector.close()


@pytest.mark.parametrize(("result", "reviewed", "verdict", "status", "kind"), [
    (ExecutorResult(ExecutorStatus.SUCCEEDED, final_message="done"), [OK], Verdict.PASS, TaskStatus.COMPLETE, None),
    (ExecutorResult(ExecutorStatus.SUCCEEDED), [OK, BAD_CHECK], Verdict.REJECT, TaskStatus.INCOMPLETE, None),
    (ExecutorResult(ExecutorStatus.SUCCEEDED), None, None, TaskStatus.COMPLETE, None),  # review off
    (ExecutorResult(ExecutorStatus.FAILED, error_message="529", failure_kind=FailureKind.TRANSIENT), [],
     Verdict.RETRY, TaskStatus.ERROR, FailureKind.TRANSIENT),
    (ExecutorResult(ExecutorStatus.FAILED, failure_kind=FailureKind.TRANSIENT), None, None, TaskStatus.ERROR,
     FailureKind.TRANSIENT),  # review off: no verdict, the policy still retries
    (ExecutorResult(ExecutorStatus.FAILED, failure_kind=FailureKind.MODEL_UNAVAILABLE), [], None, TaskStatus.ERROR,
     FailureKind.MODEL_UNAVAILABLE),
    (ExecutorResult(ExecutorStatus.CANCELLED, failure_kind=FailureKind.TRANSIENT), [], None, TaskStatus.ERROR, None),
    (ExecutorResult(ExecutorStatus.SUCCEEDED, final_message="Which one?", is_question=True), [OK], None,
     TaskStatus.INCOMPLETE, None),  # a question is never reviewed
])
def test_judge_pass(tmp_path: Path, result: ExecutorResult, reviewed: list[CriterionResult] | None,
                    verdict: Verdict | None, status: TaskStatus, kind: FailureKind | None) -> None:
    """Succeeded → PASS/REJECT by the criteria; a transient failure → RETRY; other endings carry no verdict."""
    judged = judge_pass(result, verification(tmp_path), RequireEvidence.AUTO, reviewed)
    assert (judged.verdict, judged.decision.status, judged.failure_kind) == (verdict, status, kind)


def test_a_reject_of_evidence_only_is_evidence_missing_else_review_rejected(tmp_path: Path) -> None:
    """The error code says what failed: only Q1/Q5 → EVIDENCE_MISSING; a check or Q2–Q4 → REVIEW_REJECTED."""
    ok = ExecutorResult(ExecutorStatus.SUCCEEDED)
    evidence = judge_pass(ok, verification(tmp_path), RequireEvidence.AUTO, [MISSING])
    check = judge_pass(ok, verification(tmp_path), RequireEvidence.AUTO, [MISSING, BAD_CHECK])
    assert evidence.decision.error_code is ErrorCode.EVIDENCE_MISSING
    assert check.decision.error_code is ErrorCode.REVIEW_REJECTED
    assert check.decision.error_reason == ("Review rejected the result: Q1 files verified: a.md: claimed, but not "
                                           "on disk; check `pytest -q`: exit 1")


def test_require_evidence_always_still_rejects_when_every_criterion_passes(tmp_path: Path) -> None:
    """--require-evidence always with no verified file is a REJECT even when the criteria pass."""
    judged = judge_pass(ExecutorResult(ExecutorStatus.SUCCEEDED), verification(tmp_path),
                        RequireEvidence.ALWAYS, [OK])
    assert judged.verdict is Verdict.REJECT and judged.failed[-1].label == "--require-evidence always"


def judgment(verdict: Verdict | None, decision: StatusDecision = REJECTED,
             kind: FailureKind | None = None) -> PassJudgment:
    return PassJudgment(verdict, decision, failure_kind=kind)


RULES = LoopRules(review=True, max_iterations=3, max_retries=2, retry_backoff_ms=1000,
                  escalate_model="opus", fallback_model="sonnet")
TRANSIENT = judgment(Verdict.RETRY, FAILED, FailureKind.TRANSIENT)
UNAVAILABLE = judgment(None, FAILED, FailureKind.MODEL_UNAVAILABLE)


@pytest.mark.parametrize(("judged", "state", "rules", "reached", "step"), [
    (judgment(Verdict.PASS, COMPLETE), LoopState(), RULES, [], Conclude(COMPLETE)),
    (judgment(Verdict.PASS, COMPLETE), LoopState(), RULES, [OVER], Conclude(COMPLETE)),  # accepted work stands
    (judgment(None, FAILED), LoopState(), RULES, [], Conclude(FAILED)),  # a plain error
    (judgment(Verdict.REJECT), LoopState(iteration=1), RULES, [], Resume()),
    (judgment(Verdict.REJECT), LoopState(iteration=2), RULES, [], Resume()),
    (judgment(Verdict.REJECT), LoopState(iteration=3, model="haiku"), RULES, [],
     Escalate("opus", "3 iteration(s) ended in REJECT")),
    (judgment(Verdict.REJECT), LoopState(iteration=3, escalated=True, model="opus"), RULES, [], Conclude(REJECTED)),
    (judgment(Verdict.REJECT), LoopState(iteration=3, model="opus"), RULES, [], Conclude(REJECTED)),  # already it
    (judgment(Verdict.REJECT), LoopState(iteration=3), LoopRules(review=True), [], Conclude(REJECTED)),
    (judgment(Verdict.REJECT), LoopState(iteration=1), LoopRules(review=True, natural_language=False), [],
     Conclude(REJECTED)),  # a shell line cannot be sent back
    (TRANSIENT, LoopState(retries=0), RULES, [], Retry(1, 1000, "API error 529")),
    (TRANSIENT, LoopState(retries=1), RULES, [], Retry(2, 2000, "API error 529")),
    (TRANSIENT, LoopState(retries=1), LoopRules(retry_backoff_ms=50_000), [], Retry(2, 60_000, "API error 529")),
    (UNAVAILABLE, LoopState(model="gone"), RULES, [], Fallback("sonnet", "API error 529")),
    (UNAVAILABLE, LoopState(model="gone", fallback_used=True), RULES, [], Conclude(FAILED)),
    (UNAVAILABLE, LoopState(model="sonnet"), RULES, [], Conclude(FAILED)),  # the fallback itself is missing
    (UNAVAILABLE, LoopState(model="gone"), LoopRules(), [], Conclude(FAILED)),  # no fallback set
])
def test_next_step(judged: PassJudgment, state: LoopState, rules: LoopRules, reached: list[BudgetEvent],
                   step: Step) -> None:
    """Retry transient failures with backoff, fall back once, resume while iterations last, escalate once."""
    assert next_step(judged, state, rules, reached) == step


def test_retries_run_out_into_an_error_that_says_so() -> None:
    """After max_retries a transient failure concludes, and the reason counts the retries."""
    step = next_step(TRANSIENT, LoopState(retries=2), RULES)
    assert isinstance(step, Conclude) and step.decision.status is TaskStatus.ERROR
    assert step.decision.error_reason == "API error 529 (still failing after 2 retries)"


@pytest.mark.parametrize("judged", [judgment(Verdict.REJECT), TRANSIENT, UNAVAILABLE])
def test_a_reached_budget_stops_every_further_pass(judged: PassJudgment) -> None:
    """With a limit reached, no resume, retry, fallback or escalation: the task ends BUDGET_EXCEEDED."""
    step = next_step(judged, LoopState(iteration=3, model="haiku"), RULES, [OVER])
    assert isinstance(step, Conclude) and step.decision.error_code is ErrorCode.BUDGET_EXCEEDED
    assert step.decision.error_reason == "session budget of $0.0250 reached ($0.0300 spent); stopped after iteration 3"
