"""Running one task through orchestration: pass → judge → next step, until a step concludes it.

The only module that sequences the steps. Every decision is data from a pure function
(`judge.judge_pass`, `policy.next_step`); this loop applies them: it retries a transient failure,
re-runs a pass on the fallback model, resumes the agent with a modification prompt, escalates once
to a stronger model, and stops when a budget is reached. Review iterations, retries and
escalation all live inside the one TaskLog of the task (spec/review-loop.md). The whole task is
wrapped in one fail-closed handler: whatever goes wrong, it ends with a terminal TaskLog.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from runner.errors import StoreError
from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.logs.manager import TaskLogManager
from runner.logs.models import ErrorCode, ReviewIteration, RunnerDecision, TaskStatus
from runner.orchestration import record
from runner.orchestration.attempt import Attempt, ProgressListener, project_state
from runner.orchestration.judge import PassJudgment, StatusDecision, Verdict, judge_pass
from runner.orchestration.loop.events import LoopEvents
from runner.orchestration.loop.metrics import total_metrics
from runner.orchestration.loop.passes import PassRunner
from runner.orchestration.loop.review import ReviewStep
from runner.orchestration.loop.spec import TaskRun, TaskSpec
from runner.orchestration.policy import (
    Conclude,
    Escalate,
    Fallback,
    LoopState,
    Resume,
    Retry,
    next_step,
)
from runner.review.criteria import CRITERIA
from runner.review.prompt import restart_prompt, resume_prompt


def run_task(manager: TaskLogManager, spec: TaskSpec, listener: ProgressListener) -> TaskRun:
    """Run a registered task to a terminal, durable TaskLog. Raises only LogWriteFatalError."""
    task = spec.executor_task
    record.start(manager, spec.task_id, executor=spec.executor_info, root=str(task.project_root),
                 timeout_ms=task.limits.executor_timeout_ms)
    loop = _TaskLoop(manager, spec, listener)
    try:
        return loop.run()
    except StoreError:
        raise  # the log cannot be saved: the runner stops (fail-closed), never "crashed" and on to the next task
    except Exception as exc:  # noqa: BLE001 - fail-closed: a bug must still leave an error log
        return TaskRun(record.crashed(manager, spec.task_id, exc), loop.last_result)


@dataclass
class _Cursor:
    """What the next pass runs: the loop state, the prompt, the session it resumes and why its model."""

    state: LoopState
    prompt: str
    resume: str | None
    reason: str
    retrying: bool = False  # the next pass retries a transient failure
    fallback: bool = False  # this iteration ran on the fallback model


class _TaskLoop:
    """One task's passes, iterations and loops; `run` applies the policy's steps until one concludes."""

    def __init__(self, manager: TaskLogManager, spec: TaskSpec, listener: ProgressListener) -> None:
        self.manager, self.spec, self.listener = manager, spec, listener
        self.events = LoopEvents(manager, spec.task_id)
        self.review = spec.review.enabled
        self.last_result: ExecutorResult | None = None
        self.loop_number, self.iteration = 1, 1  # the iteration number runs on across loops
        self.iterations: list[ReviewIteration] = []
        self._iteration_started = time.monotonic()
        self._iteration_cost = 0.0

    def run(self) -> TaskRun:
        spec, task = self.spec, self.spec.executor_task
        # The project as the task found it: every pass is verified against it (the changes of all passes).
        start = project_state(task.project_root)
        reviewer = ReviewStep(self.manager, spec, self.listener) if self.review else None
        passes = PassRunner(self.manager, spec, self.listener, self.events, start)
        at = _Cursor(LoopState(model=spec.models.model), task.prompt, task.resume_token, spec.models.reason)
        self._loop_start(at.state.model)
        self._iteration_start(at.state.model, "original", at.resume)
        while True:
            attempt, reached = passes.run(prompt=at.prompt, resume=at.resume, model=at.state.model,
                                          reason=at.reason, iteration=self.iteration if self.review else None)
            self.last_result = attempt.result
            if at.retrying and attempt.result.status is ExecutorStatus.SUCCEEDED:
                self.events.retry_success(attempts=at.state.retries)
            judgment = reviewer.judge(attempt) if reviewer else _judge_plain(attempt, spec)
            step = next_step(judgment, at.state, spec.rules, reached)
            if self.review and judgment.verdict is not None:
                self.events.judgment(iteration=self.iteration, judgment=judgment)
            if isinstance(step, Conclude):
                return self._conclude(attempt, step.decision, passes, judgment, at, reviewer)
            if not self._take(step, at, attempt, judgment, passes, reviewer):
                return self._conclude(attempt, _cancelled_during_backoff(), passes, judgment, at, reviewer)

    def _take(self, step: Retry | Fallback | Resume | Escalate, at: _Cursor, attempt: Attempt,
              judgment: PassJudgment, passes: PassRunner, reviewer: ReviewStep | None) -> bool:
        """Move `at` to the next pass as `step` says; False when the person cancelled a retry's backoff."""
        at.retrying = isinstance(step, Retry)
        if isinstance(step, Retry):
            if not self._wait_to_retry(step):
                return False
            at.state = replace(at.state, retries=step.attempt)
            self.events.retry_start(attempt=step.attempt, model=at.state.model)
        elif isinstance(step, Fallback):
            self.events.fallback(step, from_model=at.state.model)
            at.state, at.reason, at.fallback = replace(at.state, model=step.model, fallback_used=True), "fallback", True
        else:
            at.prompt = self._next_prompt(step, attempt, judgment, reviewer)
            self._iteration_end(judgment, at.state, passes, at.fallback)
            at.fallback = False
            kind = "escalation" if isinstance(step, Escalate) else "modification"
            if isinstance(step, Escalate):
                at.state, at.reason, at.resume = self._escalate(step, at.state), "escalation", None
            else:
                resumes = self.spec.models.resumes and attempt.result.resume_token is not None
                at.resume = attempt.result.resume_token if resumes else None
                at.state = replace(at.state, iteration=at.state.iteration + 1, retries=0)
            self.iteration += 1
            self._iteration_start(at.state.model, kind, at.resume)
        return True

    # -- steps --------------------------------------------------------------------------

    def _wait_to_retry(self, step: Retry) -> bool:
        """Record the decision and wait out the backoff; False when the person cancelled meanwhile."""
        self.events.retry_decision(step, max_retries=self.spec.rules.max_retries)
        cancel = self.spec.executor_task.cancel
        if cancel is None:
            time.sleep(step.delay_ms / 1000)
            return True
        return not cancel.wait(step.delay_ms / 1000)

    def _next_prompt(self, step: Resume | Escalate, attempt: Attempt, judgment: PassJudgment,
                     reviewer: ReviewStep | None) -> str:
        checks = reviewer.last_checks if reviewer else ()
        failed = judgment.failed
        self.events.rejection(iteration=self.iteration, failed=failed, checks=checks)
        resumes = (isinstance(step, Resume) and self.spec.models.resumes
                   and attempt.result.resume_token is not None)
        original = self.spec.executor_task.prompt
        prompt = (resume_prompt(failed, checks) if resumes else
                  restart_prompt(original, failed, checks, escalation=isinstance(step, Escalate)))
        self.events.modification_prompt(iteration=self.iteration + 1, prompt=prompt, resume=resumes)
        return prompt

    def _escalate(self, step: Escalate, state: LoopState) -> LoopState:
        self.events.loop_end(loop=self.loop_number, result="REJECT", iterations=state.iteration, escalating=True)
        self.loop_number += 1
        self.events.escalate(step, from_model=state.model, loop=self.loop_number)
        self._loop_start(step.model)
        return LoopState(iteration=1, escalated=True, model=step.model, fallback_used=state.fallback_used)

    def _conclude(self, attempt: Attempt, decision: StatusDecision, passes: PassRunner,
                  judgment: PassJudgment, at: _Cursor, reviewer: ReviewStep | None) -> TaskRun:
        if self.review:
            if judgment.verdict is Verdict.REJECT:
                checks = reviewer.last_checks if reviewer else ()
                self.events.rejection(iteration=self.iteration, failed=judgment.failed, checks=checks)
            outcome = _outcome_word(decision, judgment)
            self._iteration_end(judgment, at.state, passes, at.fallback, verdict=outcome)
            self.events.loop_end(loop=self.loop_number, result=outcome, iterations=at.state.iteration)
        log = record.conclude(self.manager, self.spec.task_id, attempt, decision,
                              metrics=total_metrics(passes.metrics), review_iterations=self.iterations)
        return TaskRun(log, attempt.result)

    # -- review bookkeeping -------------------------------------------------------------

    def _loop_start(self, model: str | None) -> None:
        if not self.review:
            return
        spec = self.spec
        labels = [c.label for c in CRITERIA if spec.review.criteria.get(c.key, True)]
        self.events.loop_start(loop=self.loop_number, rules=spec.rules, criteria=labels,
                               checks=list(spec.review.checks), model=model, executor=spec.executor.name)

    def _iteration_start(self, model: str | None, kind: str, resume: str | None) -> None:
        self._iteration_started = time.monotonic()
        if self.review:
            self.events.iteration_start(iteration=self.iteration, loop=self.loop_number, model=model,
                                        prompt_kind=kind, resumed=resume is not None)

    def _iteration_end(self, judgment: PassJudgment, state: LoopState, passes: PassRunner, fallback: bool,
                       verdict: str | None = None) -> None:
        if not self.review:
            return
        word = verdict or (judgment.verdict.value if judgment.verdict else "NONE")
        cost = round(passes.spend.cost_usd - self._iteration_cost, 8)
        self._iteration_cost = passes.spend.cost_usd
        duration = int((time.monotonic() - self._iteration_started) * 1000)
        self.events.iteration_end(iteration=self.iteration, verdict=word, duration_ms=duration, cost_usd=cost)
        self.iterations.append(ReviewIteration(
            iteration=self.iteration, loop=self.loop_number, verdict=word, model=state.model,
            failed=[r.label for r in judgment.failed], retries=state.retries, fallback=fallback, cost_usd=cost))


def _judge_plain(attempt: Attempt, spec: TaskSpec) -> PassJudgment:
    return judge_pass(attempt.result, attempt.verification, spec.require_evidence, None)


def _cancelled_during_backoff() -> StatusDecision:
    return StatusDecision(TaskStatus.ERROR, RunnerDecision.ACCEPT, ErrorCode.INTERRUPTED,
                          "Task cancelled by the user while waiting to retry", "Cancelled during a retry backoff")


def _outcome_word(decision: StatusDecision, judgment: PassJudgment) -> str:
    """How the loop ended, in one word for REVIEW_LOOP_END and the tree."""
    if decision.error_code is ErrorCode.BUDGET_EXCEEDED:
        return "BUDGET_EXCEEDED"
    if decision.runner_decision is RunnerDecision.CLARIFY:
        return "CLARIFY"
    if decision.error_code is ErrorCode.PERMISSION_DENIED:
        return "PERMISSION_DENIED"
    if judgment.verdict is Verdict.PASS and decision.status is TaskStatus.COMPLETE:
        return "PASS"
    if judgment.verdict is Verdict.REJECT:
        return "REJECT"
    return "ERROR" if decision.status is TaskStatus.ERROR else decision.status.value.upper()
