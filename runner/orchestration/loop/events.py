"""Writing the loop's story into the task's log: review, retry, escalation, model and budget events.

One method per event of seed 003 §5.3 that the loop records; each event gets its type's default
visibility (summary: loop start/end, judgments, retries, escalation, model switch and fallback,
cost; full: iterations, details, prompts, model selection). Each content object has a `message` (the
line the detail view shows first) plus the facts as keys. The manager masks and stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runner.logs.manager import TaskLogManager
from runner.logs.models import EventType
from runner.orchestration.budget import BudgetEvent, BudgetLevel, describe
from runner.orchestration.judge import PassJudgment
from runner.orchestration.policy import Escalate, Fallback, Retry
from runner.orchestration.rules import LoopRules
from runner.review.criteria import CHECK_KEY, CriterionResult
from runner.review.facts import CheckOutcome

DEFAULT_MODEL = "(executor default)"


def _model(name: str | None) -> str:
    return name or DEFAULT_MODEL


class LoopEvents:
    """The events of one task's loop, written through the manager as they happen."""

    def __init__(self, manager: TaskLogManager, task_id: str) -> None:
        self._manager = manager
        self._task_id = task_id

    def _add(self, event_type: EventType, content: dict[str, Any]) -> None:
        self._manager.add_event(self._task_id, event_type, content)

    def loop_start(self, *, loop: int, rules: LoopRules, criteria: Sequence[str], checks: Sequence[str],
                   model: str | None, executor: str) -> None:
        why = "escalated to a stronger model" if loop > 1 else "review loop started"
        named = model or "the executor's default model"
        self._add(EventType.REVIEW_LOOP_START, {
            "message": f"{why}: up to {rules.max_iterations} iteration(s) with {named}",
            "loop": loop, "max_iterations": rules.max_iterations, "max_retries": rules.max_retries,
            "criteria": list(criteria), "checks": list(checks), "model": _model(model), "executor": executor})

    def iteration_start(self, *, iteration: int, loop: int, model: str | None, prompt_kind: str,
                        resumed: bool) -> None:
        self._add(EventType.REVIEW_ITERATION_START, {
            "message": f"iteration {iteration} ({prompt_kind} prompt{', agent session resumed' if resumed else ''})",
            "iteration": iteration, "loop": loop, "model": _model(model), "prompt_kind": prompt_kind,
            "resumed": resumed})

    def model_selected(self, *, model: str | None, reason: str, iteration: int | None) -> None:
        self._add(EventType.MODEL_SELECTED, {
            "message": f"{model} ({reason})" if model else "the executor's default model",
            "model": _model(model), "why": reason,
            "iteration": iteration})

    def judgment(self, *, iteration: int, judgment: PassJudgment) -> None:
        verdict = judgment.verdict.value if judgment.verdict else "NONE"
        failed = [r.label for r in judgment.failed]
        if judgment.failure_kind is not None:
            why = judgment.decision.error_reason or judgment.decision.summary
            message = f"iteration {iteration}: {verdict} ({judgment.failure_kind}: {why})"
        elif failed:
            message = f"iteration {iteration}: {verdict} ({', '.join(failed)} failed)"
        else:
            message = f"iteration {iteration}: {verdict} (all {len(judgment.results)} criteria passed)"
        self._add(EventType.QUALITY_JUDGMENT, {
            "message": message, "iteration": iteration, "verdict": verdict, "failed": failed,
            "passed": [r.label for r in judgment.results if r.passed]})

    def rejection(self, *, iteration: int, failed: Sequence[CriterionResult],
                  checks: Sequence[CheckOutcome]) -> None:
        tails = {f"check `{c.command}`": c.output_tail for c in checks if not c.passed}
        failures: list[dict[str, Any]] = []
        for result in failed:
            item: dict[str, Any] = {"criterion": result.label, "details": list(result.details)}
            if result.key == CHECK_KEY and tails.get(result.label):
                item["output_tail"] = tails[result.label]
            if result.not_checked:
                item["not_checked"] = list(result.not_checked)
            failures.append(item)
        self._add(EventType.REJECTION_DETAILS, {
            "message": f"iteration {iteration}: {len(failed)} criterion/criteria failed",
            "iteration": iteration, "failures": failures})

    def modification_prompt(self, *, iteration: int, prompt: str, resume: bool) -> None:
        self._add(EventType.MODIFICATION_PROMPT, {
            "prompt": prompt, "for_iteration": iteration, "resume": resume,
            "delivery": "resumed agent session" if resume else "original request with the findings appended"})

    def iteration_end(self, *, iteration: int, verdict: str, duration_ms: int, cost_usd: float | None) -> None:
        self._add(EventType.REVIEW_ITERATION_END, {
            "message": f"iteration {iteration} ended: {verdict}", "iteration": iteration, "verdict": verdict,
            "duration_ms": duration_ms, "cost_usd": cost_usd})

    def loop_end(self, *, loop: int, result: str, iterations: int, escalating: bool = False) -> None:
        then = "; escalating" if escalating else ""
        self._add(EventType.REVIEW_LOOP_END, {
            "message": f"review loop ended: {result} after {iterations} iteration(s){then}",
            "loop": loop, "result": result, "iterations": iterations})

    def retry_decision(self, step: Retry, *, max_retries: int) -> None:
        self._add(EventType.RETRY_DECISION, {
            "message": f"RETRY {step.attempt}/{max_retries} in {step.delay_ms} ms: {step.reason}",
            "decision": "RETRY", "attempt": step.attempt, "max_retries": max_retries,
            "delay_ms": step.delay_ms, "why": step.reason})

    def retry_start(self, *, attempt: int, model: str | None) -> None:
        self._add(EventType.RETRY_START, {
            "message": f"retry {attempt} started", "attempt": attempt, "model": _model(model)})

    def retry_success(self, *, attempts: int) -> None:
        self._add(EventType.RETRY_SUCCESS, {
            "message": f"the pass succeeded after {attempts} retr{'y' if attempts == 1 else 'ies'}",
            "attempts": attempts})

    def fallback(self, step: Fallback, *, from_model: str | None) -> None:
        self._add(EventType.MODEL_FALLBACK, {
            "message": f"{_model(from_model)} is unavailable; re-running the pass on {step.model}",
            "from_model": _model(from_model), "to_model": step.model, "why": step.reason})

    def escalate(self, step: Escalate, *, from_model: str | None, loop: int) -> None:
        """RETRY_DECISION (ESCALATE), ESCALATE_DECISION, MODEL_SWITCH, ESCALATE_EXECUTED, in that order."""
        old = _model(from_model)
        self._add(EventType.RETRY_DECISION, {
            "message": f"ESCALATE to {step.model}: {step.reason}", "decision": "ESCALATE", "why": step.reason})
        self._add(EventType.ESCALATE_DECISION, {
            "message": f"escalate from {old} to {step.model}", "from_model": old, "to_model": step.model,
            "why": step.reason})
        self._add(EventType.MODEL_SWITCH, {
            "message": f"{old} → {step.model} (escalation)", "from_model": old, "to_model": step.model,
            "why": f"escalation: {step.reason}"})
        self._add(EventType.ESCALATE_EXECUTED, {
            "message": f"a fresh review loop starts with {step.model}", "model": step.model, "loop": loop})

    def budget(self, events: Sequence[BudgetEvent]) -> None:
        for event in events:
            kind = EventType.COST_WARNING if event.level is BudgetLevel.WARNING else EventType.COST_LIMIT_EXCEEDED
            self._add(kind, {"message": describe(event), "budget": str(event.kind), "spent": event.spent,
                             "limit": event.limit, "ratio": round(event.ratio, 4)})
