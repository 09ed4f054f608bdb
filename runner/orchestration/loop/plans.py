"""From the settings and the executor's registry row to one task's review plan, loop rules and model plan.

The review is on when `--review on`, off when `--review off`; with `auto` (the default) it is on
for executors the registry marks `review_by_default` (the agents) and for any executor once a
check is given. Pure: settings in, plans out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.executors.registry import ExecutorSpec
from runner.orchestration.budget import BudgetLimits
from runner.orchestration.loop.spec import ModelPlan, ReviewPlan
from runner.orchestration.rules import LoopRules
from runner.setting_choices import ReviewMode

if TYPE_CHECKING:
    from runner.config import RunnerConfig

def review_enabled(mode: ReviewMode, row: ExecutorSpec, checks: list[str]) -> bool:
    if mode is ReviewMode.ON:
        return True
    if mode is ReviewMode.OFF:
        return False
    return row.review_by_default or bool(checks)


def review_plan(config: RunnerConfig, row: ExecutorSpec) -> ReviewPlan:
    checks = config.active_checks
    return ReviewPlan(enabled=review_enabled(config.review_mode, row, checks),
                      criteria=config.criteria.model_dump() if config.criteria else {}, checks=tuple(checks),
                      check_timeout_ms=config.check_timeout_ms)


def loop_rules(config: RunnerConfig, row: ExecutorSpec) -> LoopRules:
    return LoopRules(review=review_enabled(config.review_mode, row, config.active_checks),
                     max_iterations=config.max_iterations, max_retries=config.max_retries,
                     retry_backoff_ms=config.retry_backoff_ms,
                     escalate_model=config.escalate_model if row.takes_model else None,
                     fallback_model=config.fallback_model if row.takes_model else None,
                     natural_language=row.reads_prose)


def model_plan(config: RunnerConfig, row: ExecutorSpec) -> ModelPlan:
    source = config.model_source if config.model else "executor default"
    return ModelPlan(model=config.model, reason=source, takes_model=row.takes_model, resumes=row.resumes)


def budget_limits(config: RunnerConfig) -> BudgetLimits:
    return BudgetLimits(max_cost_usd=config.max_cost_usd, max_task_cost_usd=config.max_task_cost_usd,
                        max_tokens=config.max_tokens, warn_ratio=config.budget_warn_ratio)
