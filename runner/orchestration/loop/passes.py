"""One executor pass of a task: which model and why, the executor, the disk, the spend.

Each pass records `MODEL_SELECTED` (for executors that take a model), the executor's own events,
the evidence since the task started, `MODEL_USAGE`, and — when the pass moved spend across a
limit — `COST_WARNING` / `COST_LIMIT_EXCEEDED`. It keeps what the loop needs across passes: every
claim so far, every pass's metrics, the task's spend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from runner.changes import ProjectState
from runner.logs.manager import TaskLogManager
from runner.logs.models import Metrics
from runner.notices import Notice
from runner.orchestration import record
from runner.orchestration.attempt import (
    Attempt,
    ManagerSink,
    ProgressListener,
    check_on_disk,
    run_executor,
)
from runner.orchestration.budget import BudgetEvent, BudgetLevel, Spend, describe, reached
from runner.orchestration.loop.events import LoopEvents
from runner.orchestration.loop.metrics import pass_metrics, tokens_of
from runner.orchestration.loop.spec import TaskSpec


@dataclass
class PassRunner:
    """Runs passes of one task and remembers what they add up to."""

    manager: TaskLogManager
    spec: TaskSpec
    listener: ProgressListener
    events: LoopEvents
    start: ProjectState  # the project when the task started: every verification is against it
    claims: list[str] = field(default_factory=list)
    metrics: list[Metrics | None] = field(default_factory=list)
    spend: Spend = field(default_factory=Spend)
    # The running cost total each agent session last reported (for agents whose cost is per session).
    session_costs: dict[str, float] = field(default_factory=dict)

    def run(self, *, prompt: str, resume: str | None, model: str | None, reason: str,
            iteration: int | None) -> tuple[Attempt, list[BudgetEvent]]:
        """Run the executor once; the attempt, and the budget limits reached after it (if any)."""
        spec = self.spec
        if spec.models.takes_model:
            self.events.model_selected(model=model, reason=reason, iteration=iteration)
        task = replace(spec.executor_task, prompt=prompt, resume_token=resume, model=model)
        sink = ManagerSink(self.manager, spec.task_id, self.listener)
        result = run_executor(spec.executor, task, sink)
        self.claims += [claim for claim in result.claimed_files if claim not in self.claims]
        before = self.session_costs.get(resume) if resume else None
        metrics = pass_metrics(result.usage, spec.prices, model, before)
        if result.resume_token and result.usage is not None and result.usage.cost_usd is not None:
            self.session_costs[result.resume_token] = result.usage.cost_usd if result.usage.cost_covers_session \
                else (before or 0.0) + result.usage.cost_usd
        self.metrics.append(metrics)
        attempt = check_on_disk(task.project_root, self.start, self.claims, result, metrics)
        record.pass_findings(self.manager, spec.task_id, attempt)
        return attempt, self._charge(metrics)

    def _charge(self, metrics: Metrics | None) -> list[BudgetEvent]:
        budget = self.spec.budget
        cost = metrics.cost_usd if metrics is not None else None
        if metrics is None:
            return reached(budget.limits, budget.spent, self.spend)
        self.spend, crossed = budget.charge(self.spend, cost, tokens_of(metrics))
        self.events.budget(crossed)
        for event in crossed:
            self.listener.notify(Notice.warning(f"{describe(event)} (task {self.spec.task_id})",
                                                hint=_BUDGET_HINT if event.level is BudgetLevel.EXCEEDED else None))
        if cost is None and budget.limits.any and not budget.warned_unpriced:
            budget.warned_unpriced = True
            self.listener.notify(_unpriced_notice(metrics.model, budget.limits.max_tokens is not None))
        return reached(budget.limits, budget.spent, self.spend)


_BUDGET_HINT = "/budget shows the spend; /budget <USD> raises the session budget"


def _unpriced_notice(model: str | None, tokens_limited: bool) -> Notice:
    name = model or "the executor's default model"
    then = ("only the --max-tokens budget counts it" if tokens_limited else
            "set --max-tokens (or budget.max_tokens) to bound such passes by tokens")
    return Notice.warning(f"the cost of {name} is not known (the executor reports no cost and it is not in "
                          f"the price table): the USD budget does not count it; {then}",
                          hint="add its prices under models.prices in .claude/runner.config.json")
