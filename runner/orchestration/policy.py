"""What to do after a pass has been judged: the next step of a task, as data (pure).

The rules (spec/review-loop.md "Decisions"), in order:
1. A budget already reached stops everything but concluding: the task ends `BUDGET_EXCEEDED`,
   unless the pass itself was accepted (then it stands).
2. A transient failure is retried, up to `max_retries` times in a row, with exponential backoff.
3. A missing model is re-run once on the fallback model.
4. PASS concludes; REJECT resumes the agent with a modification prompt while iterations remain
   (an executor whose prompt is not natural language cannot be asked to fix anything), then
   escalates once to the stronger model, then concludes `incomplete`.
5. Anything else concludes with the pass's own decision.
`loop.run_task` applies whatever step comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from runner.executors.failure_kind import FailureKind
from runner.logs.models import ErrorCode, RunnerDecision, TaskStatus
from runner.orchestration.budget import BudgetEvent, describe
from runner.orchestration.judge import PassJudgment, StatusDecision, Verdict
from runner.orchestration.rules import LoopRules

MAX_BACKOFF_MS = 60_000


@dataclass(frozen=True)
class LoopState:
    """Where the task is: the iteration within the current loop, retries of this pass, what was used."""

    iteration: int = 1  # within the current loop (a fresh loop after escalation starts at 1 again)
    retries: int = 0  # retries of the current pass so far
    fallback_used: bool = False
    escalated: bool = False
    model: str | None = None


@dataclass(frozen=True)
class Conclude:
    """Stop here and record the task with this decision."""

    decision: StatusDecision


@dataclass(frozen=True)
class Retry:
    """Run the same pass again, unchanged, after `delay_ms`."""

    attempt: int  # 1 for the first retry
    delay_ms: int
    reason: str


@dataclass(frozen=True)
class Fallback:
    """Run the same pass again on `model`."""

    model: str
    reason: str


@dataclass(frozen=True)
class Resume:
    """Next iteration: send the findings back (to the same agent session when it resumes)."""


@dataclass(frozen=True)
class Escalate:
    """A fresh loop with the stronger `model`, its prompt the request plus the findings."""

    model: str
    reason: str


Step = Conclude | Retry | Fallback | Resume | Escalate


def next_step(judgment: PassJudgment, state: LoopState, rules: LoopRules,
              reached: Sequence[BudgetEvent] = ()) -> Step:
    """The step after `judgment`, given where the task is, its rules, and the budget limits already reached."""
    if judgment.verdict is Verdict.PASS or (judgment.verdict is None and judgment.failure_kind is None):
        return Conclude(judgment.decision)
    step = _wanted(judgment, state, rules)
    if reached and not isinstance(step, Conclude):
        return Conclude(budget_decision(reached[0], state))
    return step


def _wanted(judgment: PassJudgment, state: LoopState, rules: LoopRules) -> Step:
    reason = judgment.decision.error_reason or judgment.decision.summary
    if judgment.failure_kind is FailureKind.TRANSIENT:
        if state.retries < rules.max_retries:
            delay = min(rules.retry_backoff_ms * 2 ** state.retries, MAX_BACKOFF_MS)
            return Retry(state.retries + 1, delay, reason)
        return Conclude(_after_retries(judgment.decision, state.retries))
    if judgment.failure_kind is FailureKind.MODEL_UNAVAILABLE:
        fallback = rules.fallback_model
        if fallback and not state.fallback_used and fallback != state.model:
            return Fallback(fallback, reason)
        return Conclude(judgment.decision)
    if judgment.verdict is not Verdict.REJECT:
        return Conclude(judgment.decision)
    if rules.natural_language and state.iteration < rules.max_iterations:
        return Resume()
    escalate = rules.escalate_model
    if rules.natural_language and escalate and not state.escalated and escalate != state.model:
        return Escalate(escalate, f"{state.iteration} iteration(s) ended in REJECT")
    return Conclude(judgment.decision)


def _after_retries(decision: StatusDecision, retries: int) -> StatusDecision:
    if not retries:
        return decision
    reason = f"{decision.error_reason or decision.summary} (still failing after {retries} retries)"
    return replace(decision, error_reason=reason)


def budget_decision(event: BudgetEvent, state: LoopState) -> StatusDecision:
    """The task stopped by a budget: error, BUDGET_EXCEEDED, saying which limit and where the loop stopped."""
    reason = f"{describe(event)}; stopped after iteration {state.iteration}"
    return StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, ErrorCode.BUDGET_EXCEEDED, reason,
                          "Budget reached: the loop stopped")
