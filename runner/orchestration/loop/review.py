"""The review of one pass: run the user's checks, gather the facts from disk, judge the criteria.

Only a pass whose executor succeeded and did not end on a question is reviewed; the others are
judged on their result alone (an error, a transient failure, a clarification). The marker baseline
of the task's start is taken once, here, when Q2 or Q3 is on.
"""

from __future__ import annotations

from pathlib import Path

from runner.executors.base import ExecutorStatus
from runner.logs.manager import TaskLogManager
from runner.logs.models import ErrorCode, RunnerDecision
from runner.orchestration.attempt import Attempt, ManagerSink, ProgressListener
from runner.orchestration.judge import PassJudgment, decide_status, judge_pass
from runner.orchestration.loop.spec import TaskSpec
from runner.review.baseline import Baseline, take_baseline
from runner.review.checks import run_check
from runner.review.criteria import NO_OMISSIONS, NO_TODO, judge_criteria
from runner.review.facts import CheckOutcome
from runner.review.gather import gather_facts


class ReviewStep:
    """Judges each pass of one task; keeps the last checks' outcomes for the modification prompt."""

    def __init__(self, manager: TaskLogManager, spec: TaskSpec, listener: ProgressListener) -> None:
        self.manager, self.spec, self.listener = manager, spec, listener
        self.root: Path = spec.executor_task.project_root
        criteria = spec.review.criteria
        needs_baseline = criteria.get(NO_TODO.key, True) or criteria.get(NO_OMISSIONS.key, True)
        self.baseline = take_baseline(self.root) if needs_baseline else Baseline()
        self.last_checks: tuple[CheckOutcome, ...] = ()

    def judge(self, attempt: Attempt) -> PassJudgment:
        """PASS / REJECT from the criteria and checks; RETRY or no verdict when the pass did not succeed."""
        result, verification = attempt.result, attempt.verification
        require = self.spec.require_evidence
        self.last_checks = ()
        if result.status is not ExecutorStatus.SUCCEEDED:
            return judge_pass(result, verification, require, ())
        base = decide_status(result, verification, require)
        if base.runner_decision is RunnerDecision.CLARIFY or base.error_code is ErrorCode.PERMISSION_DENIED:
            return judge_pass(result, verification, require, ())
        self.last_checks = tuple(self._run_checks())
        facts = gather_facts(self.root, self.baseline, verification, final_message=result.final_message,
                             checks=self.last_checks)
        return judge_pass(result, verification, require, judge_criteria(facts, self.spec.review.criteria))

    def _run_checks(self) -> list[CheckOutcome]:
        task = self.spec.executor_task
        outcomes = []
        for command in self.spec.review.checks:
            sink = ManagerSink(self.manager, self.spec.task_id, self.listener)
            try:
                outcomes.append(run_check(command, self.root, timeout_ms=self.spec.review.check_timeout_ms,
                                          kill_grace_ms=task.limits.kill_grace_ms, cancel=task.cancel,
                                          sink=sink))
            finally:
                sink.close()
        return outcomes
